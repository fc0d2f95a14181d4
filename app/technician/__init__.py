"""Technician mode: behind the PIN set at first run, opened from the kiosk window.

:class:`TechnicianMode` connects a KioskWindow's ``technician_requested`` (key
chord or long press in the corner) to the PIN dialog, then shows the technician
panel over the call. It stores what the technician chooses (language, camera,
microphone, speaker) in the device's settings and passes device choices and tests
on as signals, which the window wires to its capture/playback objects; the
classroom features' settings (school hours, switches, pause time, the pupil's
starting level) are kept by app.technician.features. Left alone for ``idle_ms``
(5 minutes) the panel closes by itself, so a laptop a technician walked away
from does not stay one tap from the desktop.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.audit import AuditLog
from app.bridge import EngineBridge
from app.helpdesk_setting import read_helpdesk_url
from app.i18n import error_text, set_language
from app.kiosk import KioskWindow
from app.settings import SettingsStore
from app.technician.audio import AudioSettingsMode
from app.technician.faultreport import FaultReportSection
from app.technician.features import FeatureSettingsMode
from app.technician.kept import KeptDataView
from app.technician.nettest import NetTestRunner, NetTestView
from app.technician.pin import Clock, PinStore
from app.technician.pinpad import PinDialog, PinLockedDialog
from app.technician.view import DeviceCatalogLike, TechnicianView
from common.errors import KlasgenootError
from media.nettest import run_nettest
from pairing.bundle import ice_servers_json
from pairing.device import DeviceConfig
from pairing.keychoice import KeyStoreChoice
from privacy.codes import AuditAction

logger = logging.getLogger(__name__)

IDLE_MS = 5 * 60 * 1000
_ACTIVITY = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress,
                       QEvent.Type.TouchBegin, QEvent.Type.Wheel})  # fmt: skip

__all__ = ["TechnicianMode"]


class TechnicianMode(QObject):
    """Owns the technician panel of one window; see the module docstring."""

    opened = Signal()  # the PIN was right and the panel is showing
    device_chosen = Signal(str, str)  # kind, device key (already saved in the settings)
    device_test_requested = Signal(str, str)  # kind, device key
    language_changed = Signal(str)
    wipe_requested = Signal()  # confirmed twice in "What this device keeps"

    def __init__(
        self,
        window: KioskWindow,
        settings: SettingsStore,
        *,
        device: DeviceConfig | None = None,
        catalog: DeviceCatalogLike | None = None,
        bridge: EngineBridge | None = None,
        clock: Clock = time.time,
        idle_ms: int = IDLE_MS,
        kept: KeptDataView | None = None,
        audit: AuditLog | None = None,
        key_store: KeyStoreChoice | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self.pins = PinStore(settings, clock)
        self.dialog: QDialog | None = None
        self.view = TechnicianView()
        self.view.hide()
        self.view.set_device(device)
        self.view.set_key_store(key_store)
        stored = settings.load()
        chosen = {"camera": stored.camera, "microphone": stored.microphone,
                  "speaker": stored.speaker}  # fmt: skip
        self.view.set_catalog(catalog, chosen)
        if bridge is not None:
            self.view.connect_bridge(bridge)
        self.view.back_requested.connect(self.close_panel)
        self.view.exit_requested.connect(window.exit_to_desktop)
        self.view.language_chosen.connect(self.choose_language)
        self.view.device_chosen.connect(self._device_chosen)
        self.view.device_test_requested.connect(self.device_test_requested)
        self.kept = kept
        self.audit = audit
        self.view.device_test_requested.connect(lambda *_: self._audit(AuditAction.DIAGNOSTICS_RUN))
        self.view.kept_button.setVisible(kept is not None)
        if kept is not None:
            kept.hide()
            self.view.kept_requested.connect(self.open_kept)
            kept.back_requested.connect(self.open_panel)
            kept.wipe_requested.connect(self.wipe_requested)
        self.features = self._feature_settings(device, bridge, clock)
        self.nettest = self._network_test(device)
        self.audio = AudioSettingsMode(self._settings, bridge=bridge, audit=self.audit,
                                       parent=self)  # fmt: skip
        self.audio.failed.connect(self._window.show_error)
        self.view.add_section(self.audio.view)  # issue 11: both devices
        self.fault_report = self._fault_report(device)
        window.technician_requested.connect(self.request)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self.close_panel)
        for panel in (self.view, self.kept, self.features_page, self.nettest):
            if panel is not None:
                self._watch(panel)

    def _feature_settings(
        self, device: DeviceConfig | None, bridge: EngineBridge | None, clock: Clock
    ) -> FeatureSettingsMode | None:
        """School hours and features (classroom page) or the starting presence (pupil)."""
        if device is None:
            self.view.features_button.hide()
            return None
        features = FeatureSettingsMode(
            self._settings, device.info.role, bridge=bridge, audit=self.audit, parent=self,
            clock=lambda: dt.datetime.fromtimestamp(clock(), dt.UTC),
        )  # fmt: skip
        features.failed.connect(self._window.show_error)
        page = features.page
        self.view.features_button.setVisible(page is not None)
        if page is not None:
            page.hide()
            self.view.features_requested.connect(self.open_features)
            page.back_requested.connect(self.open_panel)
            page.widgets_added.connect(lambda: self._watch(page))
        if features.presence is not None:
            self.view.add_section(features.presence)
        return features

    def _network_test(self, device: DeviceConfig | None) -> NetTestView | None:
        """The "Network test" page, with the device's own certificate and servers."""
        self.view.nettest_button.setVisible(device is not None)
        if device is None:
            return None
        page = NetTestView()
        page.hide()
        ice = ice_servers_json(device.ice_servers)
        self.nettest_runner = NetTestRunner(
            lambda progress: run_nettest(device.credentials, device.signaling_urls, ice, progress),
            self,
        )
        page.connect_runner(self.nettest_runner)
        page.start_requested.connect(self.start_network_test)
        page.back_requested.connect(self.open_panel)
        self.view.nettest_requested.connect(self.open_network_test)
        return page

    def open_network_test(self) -> None:
        if self.nettest is not None:
            self._window.show_panel(self.nettest)
            self._idle.start()

    def start_network_test(self) -> None:
        if self.nettest is not None and self.nettest_runner.start():
            self.nettest.show_running()
            self._audit(AuditAction.DIAGNOSTICS_RUN)

    def _fault_report(self, device: DeviceConfig | None) -> FaultReportSection | None:
        """ "Report a fault", when this device knows its helpdesk (enrolled with a code)."""
        config_dir = self._settings.path.parent
        url = read_helpdesk_url(config_dir) if device is not None else None
        if device is None or url is None:
            return None
        section = FaultReportSection(config_dir, device, url)
        section.failed.connect(self._window.show_error)
        self.view.add_section(section)
        return section

    @property
    def features_page(self) -> QWidget | None:
        return self.features.page if self.features is not None else None

    def _watch(self, panel: QWidget) -> None:
        """Any touch or key in the panel restarts the idle timer (Qt adds each filter once)."""
        panel.installEventFilter(self)
        for child in panel.findChildren(QObject):
            child.installEventFilter(self)

    def set_device(self, device: DeviceConfig | None) -> None:
        self.view.set_device(device)

    def request(self) -> None:
        """Ask for the PIN, then open the panel. Without a PIN that can be checked it
        stays shut and names the recovery (fail closed: never "set a new PIN" here)."""
        if self.panel_open:
            return
        if self.dialog is not None:
            self.dialog.raise_()
            return
        if self.pins.is_set():
            dialog: QDialog = PinDialog(self.pins, self._window)
        else:
            # Only after a damaged settings file: first run always sets one.
            logger.warning("no technician PIN that can be checked: technician mode stays shut")
            dialog = PinLockedDialog(str(self._settings.path.parent), self._window)
        dialog.accepted.connect(self.open_panel)
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()

    def open_kept(self) -> None:
        """ "What this device keeps", over the technician panel (PIN already given)."""
        if self.kept is not None:
            self._audit(AuditAction.LOGS_VIEWED)
            self.kept.refresh()
            self._window.show_panel(self.kept)
            self._idle.start()

    def open_features(self) -> None:
        """Classroom: school hours and features, over the technician panel."""
        page = self.features_page
        if self.features is not None and page is not None:
            self.features.refresh()
            self._window.show_panel(page)
            self._idle.start()

    def open_panel(self) -> None:
        opening = not self.panel_open
        self.view.refresh_devices()
        if opening:
            self.audio.refresh()  # what is stored, and whether processing runs now
        self._window.show_panel(self.view)
        self._idle.start()
        if opening:
            self._audit(AuditAction.TECHNICIAN_MODE_OPENED)
        self.opened.emit()

    def close_panel(self) -> None:
        """Back to the call (the Back button, or nobody touched the panel for a while)."""
        self._idle.stop()
        if self.panel_open:
            self._window.close_panel()
            self._audit(AuditAction.TECHNICIAN_MODE_CLOSED)
            logger.info("technician mode closed")

    @property
    def panel_open(self) -> bool:
        page = self._window.current_page()
        panels = (self.view, self.kept, self.features_page, self.nettest)
        return page is not None and any(page is p for p in panels)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._idle.isActive():
            self._idle.start()  # someone is working here: start counting again
        return False

    def choose_language(self, code: str) -> None:
        old = self._settings.load().language
        set_language(code)
        try:
            self._settings.update(language=code)
        except KlasgenootError as exc:
            self._window.show_error(exc)
        else:
            if self.audit is not None and old != code:
                self.audit.setting("language", old, code)
        self.language_changed.emit(code)

    def _device_chosen(self, kind: str, key: str) -> None:
        try:
            self._settings.update(**{kind: key})
        except KlasgenootError as exc:
            self._window.show_banner(error_text(exc))
        else:
            if self.audit is not None:  # device ids are unbounded text: no values kept
                self.audit.setting(kind, None, None, sensitive=True)
        self.device_chosen.emit(kind, key)

    def _audit(self, action: AuditAction) -> None:
        if self.audit is not None:
            self.audit.action(action)

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
