"""First run: the technician sets up a device that is not enrolled yet.

1. The device's identity: its key is made (once) in the key store and its DeviceId
   shown. "Write enrollment request…" puts the request (a CSR naming the role) in a
   chosen folder, usually a USB stick for the operator.
2. "Install pairing file…": the bundle from the operator is checked against this
   device (pairing.device.inspect_bundle) and its CA fingerprint shown; only when
   the technician confirms it matches is it installed. A refusal shows the error's
   sentence in the banner and installs nothing.
3. The technician PIN, typed twice (skipped if one is already stored).

Then ``enrolled`` is emitted and the window switches to the call.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.banner import BannerKind, BannerWidget
from app.firstrun.check import (
    HEADING_POINTS,
    TEXT_POINTS,
    BundleCheckView,
    code_font,
    enlarge,
    large_button,
    read_bundle,
)
from app.firstrun.codeflow import CodeEnrollWidget
from app.i18n import error_text
from app.settings import SettingsStore
from app.technician.pin import PinStore
from app.technician.pinpad import PinSetupWidget
from app.technician.widgets import (
    big_button,
    grouped_id,
    mono_label,
    role_text,
)
from app.widgets import theme
from app.widgets.file_dialog import ask, file_dialog, removable_media_folder
from app.widgets.flow import FlowLayout
from common.errors import KlasgenootError
from common.paths import write_private_file
from pairing import device
from pairing.bundle import EXTENSION
from pairing.deviceid import DeviceId
from pairing.enrollment import create_request
from pairing.errors import FileAccessFailed
from pairing.identity import device_id, load_or_create_device_key
from pairing.keystore import KeyStore, open_keystore
from pairing.roles import Role

logger = logging.getLogger(__name__)

STEPS = ("identity", "confirm", "pin", "code")
CONTENT_WIDTH = 1280  # px: a readable line, and the three ways in on one row, at 1920×1080


class FirstRunView(QWidget):
    enrolled = Signal(object)  # pairing.device.InstalledDevice
    request_written = Signal(object)  # the request file's Path

    def __init__(
        self,
        config_dir: Path,
        role: Role,
        *,
        keystore: KeyStore | None = None,
        dev_keyring: bool | None = None,
        settings: SettingsStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._dir, self._role = config_dir, role
        self._settings = settings or SettingsStore(config_dir)
        self._store = keystore
        self._dev_keyring = dev_keyring
        self._bundle: bytes | None = None
        self._installed: device.InstalledDevice | None = None
        self.device_id: DeviceId | None = None
        self.banner = BannerWidget(self)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._identity_page())
        self.check = BundleCheckView(self)
        self.check.confirm_button.clicked.connect(self.confirm_install)
        self.check.cancel_button.clicked.connect(self.cancel_install)
        # The names the rest of the view and its tests use for the check page's parts.
        self.fingerprint_label = self.check.fingerprint_label
        self.confirm_button = self.check.confirm_button
        self.cancel_button = self.check.cancel_button
        self._pages.addWidget(self.check)
        self.pin_setup = PinSetupWidget(PinStore(self._settings), self)
        self.pin_setup.pin_set.connect(self._finish)
        self._pages.addWidget(self.pin_setup)
        self.code_flow = CodeEnrollWidget(config_dir, role, self)  # one visit, with a code
        self.code_flow.enrolled.connect(self._code_enrolled)
        self.code_flow.failed.connect(self._fail)
        self.code_flow.cancelled.connect(self.cancel_install)
        self._pages.addWidget(self.code_flow)
        # A column in the middle of the screen, not small text in a corner of a
        # full-HD kiosk: at most CONTENT_WIDTH wide, with room above (issue 15, item 17).
        column = QWidget(self)
        column.setMaximumWidth(CONTENT_WIDTH)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 96, 0, 48)
        inner.addWidget(self._pages)
        row = QHBoxLayout()
        row.setContentsMargins(32, 0, 32, 0)
        row.addStretch(1)
        row.addWidget(column, 100)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(row, 1)
        self.setObjectName("firstRun")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        theme.apply(self)
        self.setStyleSheet(self.styleSheet() + f"QWidget#firstRun {{ background: {theme.PAPER}; }}")
        self._style_fonts()
        self.retranslate()
        self._load_identity()

    # -- pages ----------------------------------------------------------------------

    def _identity_page(self) -> QWidget:
        page = QWidget(self)
        self._heading = QLabel(page)
        self._intro = QLabel(page)
        self._intro.setWordWrap(True)
        self._id_caption = QLabel(page)
        self.id_label = mono_label(page)
        self._request_status = QLabel(page)
        self._request_status.setWordWrap(True)
        self.request_button = big_button(page)
        self.request_button.clicked.connect(self._request_clicked)
        self.install_button = big_button(page)
        self.install_button.clicked.connect(self._install_clicked)
        self.code_button = big_button(page)
        self.code_button.clicked.connect(self.enroll_with_code)
        buttons = QWidget(page)  # wraps onto a second line rather than cutting words
        flow = FlowLayout(buttons)
        flow.setContentsMargins(0, 8, 0, 8)
        for button in (self.request_button, self.install_button, self.code_button):
            flow.addWidget(button)
        layout = QVBoxLayout(page)
        for widget in (self._heading, self._intro, self._id_caption, self.id_label, buttons):
            layout.addWidget(widget)
        layout.addWidget(self._request_status)
        layout.addStretch(1)
        return page

    def _style_fonts(self) -> None:
        """The kiosk's large type (app.widgets.theme), read at arm's length."""
        self._heading.setFont(theme.font(HEADING_POINTS, bold=True))
        for label in (self._intro, self._id_caption, self._request_status):
            label.setFont(theme.font(TEXT_POINTS))
        code_font(self.id_label)
        for button in (self.request_button, self.install_button, self.code_button):
            large_button(button)
        # The PIN step (the technician panel's widget) and the code step: large as well.
        for step in (self.pin_setup, self.code_flow):
            enlarge(step)

    # -- steps ----------------------------------------------------------------------

    @property
    def step(self) -> str:
        return STEPS[self._pages.currentIndex()]

    def _load_identity(self) -> None:
        try:
            if self._store is None:
                self._store = open_keystore(self._dir, dev=self._dev_keyring)
            self.device_id = device_id(load_or_create_device_key(self._store))
        except KlasgenootError as exc:
            logger.warning("no device key: %s", exc.detail or type(exc).__name__)
            self._fail(exc)
        self.id_label.setText(grouped_id(self.device_id) if self.device_id else "—")
        self.request_button.setEnabled(self.device_id is not None)
        self.install_button.setEnabled(self.device_id is not None)
        self.code_button.setEnabled(self.device_id is not None)

    def _request_clicked(self) -> None:
        self.write_request()

    def _install_clicked(self) -> None:
        self.choose_bundle()

    def write_request(self, folder: Path | None = None) -> Path | None:
        """Write the enrollment request into ``folder`` (asked for when None)."""
        if self._store is None or self.device_id is None:
            return None
        if folder is None:
            folder = ask(self.request_dialog())
            if folder is None:
                return None
        path = folder / f"klasgenoot-{self._role.value}-{self.device_id.short}.csr"
        try:
            device.record_role(self._dir, self._role)
            request = create_request(load_or_create_device_key(self._store), self._role)
            try:
                write_private_file(path, request)
            except OSError as exc:
                raise FileAccessFailed(str(path)) from exc
        except KlasgenootError as exc:
            self._fail(exc)
            return None
        logger.info("enrollment request written (%s)", self._role.value)
        self._request_status.setText(
            self.tr("Request written to {path}. Give it to the administrator; install the "
                    "pairing file you get back.").format(path=str(path))
        )  # fmt: skip
        self.banner.dismiss()
        self.request_written.emit(path)
        return path

    def request_dialog(self) -> QFileDialog:
        """Where the request goes: a folder, starting at the USB stick."""
        title = self.tr("Where should the request go?")
        return file_dialog(self, title, removable_media_folder(), folder=True)

    def bundle_dialog(self) -> QFileDialog:
        """The pairing file, starting at the USB stick; .klasgenoot files are listed first."""
        return file_dialog(
            self, self.tr("Choose the pairing file"), removable_media_folder(),
            # All files too: a .csr picked by mistake is then named as such (the banner).
            name_filter=self.tr("Pairing files (*{ext});;All files (*)").format(ext=EXTENSION),
        )  # fmt: skip

    def choose_bundle(self, path: Path | None = None) -> device.InstalledDevice | None:
        """Check a pairing file (asked for when None) and show it for confirmation."""
        if self._store is None:
            return None
        if path is None:
            path = ask(self.bundle_dialog())
            if path is None:
                return None
        try:
            data = read_bundle(path)
            preview = device.inspect_bundle(self._dir, self._store, data, self._role)
        except KlasgenootError as exc:
            self._fail(exc)
            return None
        self._bundle = data
        self.check.show_preview(preview)
        self.banner.dismiss()
        self._pages.setCurrentIndex(STEPS.index("confirm"))
        self.confirm_button.setFocus()
        return preview

    def confirm_install(self) -> None:
        """The technician says the fingerprint matches: install the checked bundle."""
        if self._store is None or self._bundle is None:
            return
        try:
            self._installed = device.install_bundle(
                self._dir, self._store, self._bundle, self._role
            )
        except KlasgenootError as exc:
            self.cancel_install()
            self._fail(exc)
            return
        self._bundle = None
        if PinStore(self._settings).is_set():
            self._finish()
            return
        self._pages.setCurrentIndex(STEPS.index("pin"))
        self.pin_setup.first.setFocus()

    def enroll_with_code(self) -> None:
        """The code page: address, code, fingerprint check (app/firstrun/codeflow.py)."""
        if self._store is None:
            return
        self.banner.dismiss()
        self.code_flow.start(self._store)
        self._pages.setCurrentIndex(STEPS.index("code"))

    def _code_enrolled(self, installed: device.InstalledDevice) -> None:
        self._installed = installed
        self.banner.dismiss()
        if PinStore(self._settings).is_set():
            self._finish()
            return
        self._pages.setCurrentIndex(STEPS.index("pin"))
        self.pin_setup.first.setFocus()

    def cancel_install(self) -> None:
        self._bundle = None
        self._pages.setCurrentIndex(STEPS.index("identity"))
        self.banner.show_message(self.tr("Not installed; nothing was changed."), BannerKind.INFO)

    def _finish(self) -> None:
        if self._installed is not None:
            logger.info("first run complete")
            self.enrolled.emit(self._installed)

    def _fail(self, exc: KlasgenootError) -> None:
        logger.info("first run: %s %s", type(exc).__name__, exc.detail)
        self.banner.show_message(error_text(exc), BannerKind.ERROR)

    # -- language -------------------------------------------------------------------

    def retranslate(self) -> None:
        self._heading.setText(self.tr("Set up this device"))
        self._intro.setText(
            self.tr("This device ({role}) is not paired yet. Write an enrollment request "
                    "for the administrator, then install the pairing file you get back."
                    ).format(role=role_text(self._role))
        )  # fmt: skip
        self._id_caption.setText(self.tr("Device code:"))
        self.id_label.setAccessibleName(self.tr("Device code"))
        self.request_button.setText(self.tr("Write enrollment request…"))
        self.request_button.setAccessibleName(self.tr("Write enrollment request"))
        self.install_button.setText(self.tr("Install pairing file…"))
        self.install_button.setAccessibleName(self.tr("Install pairing file"))
        self.code_flow.retranslate()
        self.code_button.setText(self.tr("Enroll with a code…"))
        self.code_button.setAccessibleName(self.tr("Enroll with a code from the helpdesk"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
