"""The technician panel (the PIN screens are in app.technician.pinpad).

Thin views: they show what they are given and emit what the technician asked for;
app.technician.TechnicianMode stores choices and wires them to the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import (
    QEvent,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bridge import EngineBridge
from app.devicetest import DeviceTestResult
from app.i18n import LANGUAGE_NAMES, language
from app.technician.status import ConnectionStatusBox
from app.technician.widgets import (
    MIN_TARGET,
    big_button,
    date_text,
    grouped_fingerprint,
    grouped_id,
    key_store_text,
    mono_label,
    role_text,
    scroll_area,
)
from pairing.device import DeviceConfig
from pairing.keychoice import KeyStoreChoice

KINDS = ("camera", "microphone", "speaker")
INFO_KEYS = ("device_id", "role", "pairing", "peer", "expiry", "server", "ca", "key_store")


class MediaDeviceLike(Protocol):
    """What app.av's device catalog returns per device (duck-typed)."""

    @property
    def id(self) -> Any: ...

    @property
    def description(self) -> Any: ...


class DeviceCatalogLike(Protocol):
    def cameras(self) -> Sequence[MediaDeviceLike]: ...

    def microphones(self) -> Sequence[MediaDeviceLike]: ...

    def speakers(self) -> Sequence[MediaDeviceLike]: ...


def device_key(device: MediaDeviceLike) -> str:
    """A device's id as the text kept in the settings file."""
    ident = device.id
    if hasattr(ident, "data") and callable(ident.data):  # QByteArray
        ident = bytes(ident.data())
    if isinstance(ident, bytes | bytearray):
        return bytes(ident).decode("utf-8", "backslashreplace")
    return str(ident)


def device_description(device: MediaDeviceLike) -> str:
    text = device.description
    return str(text() if callable(text) else text)


class TechnicianView(QWidget):
    """Device info, camera/microphone/speaker, connection, language, exit."""

    device_chosen = Signal(str, str)  # kind ("camera", "microphone", "speaker"), device key
    device_test_requested = Signal(str, str)  # kind, device key
    language_chosen = Signal(str)
    back_requested = Signal()
    exit_requested = Signal()
    kept_requested = Signal()  # "What this device keeps"
    features_requested = Signal()  # classroom: school hours and features
    nettest_requested = Signal()  # the "Network test" page

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog: DeviceCatalogLike | None = None
        self._chosen: dict[str, str | None] = dict.fromkeys(KINDS)
        self._device: DeviceConfig | None = None
        self._key_store: KeyStoreChoice | None = None
        self._title = QLabel(self)
        self._title.setFont(QFont(self.font().family(), 20, QFont.Weight.Bold))
        inner = QWidget(self)
        self._body = body = QVBoxLayout(inner)
        self._boxes = [QGroupBox(inner) for _ in range(3)]
        self._build_info(self._boxes[0])
        self._build_devices(self._boxes[1])
        self._build_language(self._boxes[2])
        self.status = ConnectionStatusBox(inner)
        for box in (*self._boxes[:2], self.status, self._boxes[2]):
            body.addWidget(box)
        body.addStretch(1)
        scroll = scroll_area(self, inner)
        self.back_button = big_button(self)
        self.back_button.clicked.connect(self.back_requested)
        self.exit_button = big_button(self)
        self.exit_button.clicked.connect(self.exit_requested)
        self.kept_button = big_button(self)
        self.kept_button.clicked.connect(self.kept_requested)
        self.features_button = big_button(self)
        self.features_button.clicked.connect(self.features_requested)
        self.nettest_button = big_button(self)
        self.nettest_button.clicked.connect(self.nettest_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.exit_button)
        buttons.addWidget(self.kept_button)
        buttons.addWidget(self.features_button)
        buttons.addWidget(self.nettest_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.retranslate()

    # -- building ---------------------------------------------------------------

    def _build_info(self, box: QGroupBox) -> None:
        form = QFormLayout(box)
        self._info: dict[str, QLabel] = {}
        self._info_captions: list[QLabel] = []
        for key in INFO_KEYS:
            value = mono_label(box) if key in {"device_id", "peer", "ca"} else QLabel(box)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._info[key] = value
            self._info_captions.append(QLabel(box))
            form.addRow(self._info_captions[-1], value)

    def _build_devices(self, box: QGroupBox) -> None:
        grid = QGridLayout(box)
        self.choices: dict[str, QComboBox] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self._device_labels: dict[str, QLabel] = {}
        self.test_results: dict[str, QLabel] = {}
        self._results: dict[str, DeviceTestResult] = {}  # said again after a language switch
        for row, kind in enumerate(KINDS):
            label, combo, button, result = QLabel(box), QComboBox(box), big_button(box), QLabel(box)
            combo.setMinimumHeight(MIN_TARGET)
            combo.setMinimumWidth(240)
            combo.activated.connect(lambda _i, k=kind: self._chose(k))
            button.clicked.connect(lambda _=False, k=kind: self._test(k))
            label.setBuddy(combo)
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1)
            grid.addWidget(button, row, 2)
            grid.addWidget(result, row, 3)
            self._device_labels[kind], self.choices[kind] = label, combo
            self.test_buttons[kind], self.test_results[kind] = button, result
        grid.setColumnStretch(3, 1)

    def _build_language(self, box: QGroupBox) -> None:
        row = QHBoxLayout(box)
        self.language_choice = QComboBox(box)
        self.language_choice.setMinimumHeight(MIN_TARGET)
        for code, name in LANGUAGE_NAMES.items():
            self.language_choice.addItem(name, code)
        self.language_choice.activated.connect(
            lambda i: self.language_chosen.emit(self.language_choice.itemData(i))
        )
        row.addWidget(self.language_choice)
        row.addStretch(1)

    def add_section(self, section: QWidget) -> None:
        """One more box in the panel, after the others (e.g. app.technician.presence)."""
        self._body.insertWidget(self._body.count() - 1, section)  # before the stretch

    # -- what it shows ------------------------------------------------------------

    def set_device(self, device: DeviceConfig | None) -> None:
        self._device = device
        self._show_device()

    def set_key_store(self, choice: KeyStoreChoice | None) -> None:
        """Where this device keeps its key (issue 12: the choice is shown, not guessed)."""
        self._key_store = choice
        self._info["key_store"].setText(key_store_text(choice))

    def set_catalog(self, catalog: DeviceCatalogLike | None, chosen: dict[str, str | None]) -> None:
        self._catalog = catalog
        self._chosen.update(chosen)
        for name in ("cameras_changed", "microphones_changed", "speakers_changed"):
            signal = getattr(catalog, name, None)  # app.av's catalog says when devices change
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(self.refresh_devices)
        self.refresh_devices()

    def refresh_devices(self) -> None:
        """Reread the catalog (devices come and go)."""
        lists: dict[str, Callable[[], Sequence[MediaDeviceLike]]] = {}
        if self._catalog is not None:
            catalog = self._catalog
            lists = {"camera": catalog.cameras, "microphone": catalog.microphones,
                     "speaker": catalog.speakers}  # fmt: skip
        for kind in KINDS:
            combo = self.choices[kind]
            combo.clear()
            devices = list(lists[kind]()) if kind in lists else []
            for device in devices:
                combo.addItem(device_description(device), device_key(device))
            if not devices:
                combo.addItem(self.tr("None found"), None)
            chosen = self._chosen.get(kind)
            index = combo.findData(chosen) if chosen is not None else -1
            combo.setCurrentIndex(max(0, index))
            combo.setEnabled(bool(devices))
            self.test_buttons[kind].setEnabled(bool(devices))

    def set_language(self, code: str) -> None:
        self.language_choice.setCurrentIndex(max(0, self.language_choice.findData(code)))

    def show_test_result(self, kind: str, result: DeviceTestResult | str) -> None:
        """A test's outcome; a DeviceTestResult follows a later language switch."""
        if isinstance(result, DeviceTestResult):
            self._results[kind] = result
            self.test_results[kind].setText(result.text())
        else:
            self._results.pop(kind, None)
            self.test_results[kind].setText(result)

    def connect_bridge(self, bridge: EngineBridge) -> None:
        self.status.connect_bridge(bridge)

    def status_text(self, key: str) -> str:
        return self.status.text(key)

    def info_text(self, key: str) -> str:
        return self._info[key].text()

    # -- internals ------------------------------------------------------------------

    def _chose(self, kind: str) -> None:
        key = self.choices[kind].currentData()
        if key is not None:
            self._chosen[kind] = key
            self.device_chosen.emit(kind, key)

    def _test(self, kind: str) -> None:
        key = self.choices[kind].currentData()
        if key is not None:
            self._results.pop(kind, None)
            self.test_results[kind].clear()
            self.device_test_requested.emit(kind, key)

    def _show_device(self) -> None:
        device = self._device
        self._info["key_store"].setText(key_store_text(self._key_store))
        if device is None:
            for key, label in self._info.items():
                if key != "key_store":
                    label.setText("—")
            return
        info = device.info
        self._info["device_id"].setText(grouped_id(info.device_id))
        self._info["role"].setText(role_text(info.role))
        self._info["pairing"].setText(info.pairing_id)
        self._info["peer"].setText(grouped_id(info.peer_id))
        self._info["expiry"].setText(date_text(info.not_after))
        self._info["server"].setText("\n".join(device.signaling_urls))
        self._info["ca"].setText(grouped_fingerprint(device.ca_fingerprint))

    def retranslate(self) -> None:
        self._title.setText(self.tr("Technician mode"))
        titles = (self.tr("This device"), self.tr("Camera, microphone and speaker"),
                  self.tr("Language"))  # fmt: skip
        for box, title in zip(self._boxes, titles, strict=True):
            box.setTitle(title)
        info_labels = (self.tr("Device code"), self.tr("Role"), self.tr("Pairing"),
                       self.tr("Paired with"), self.tr("Valid until"), self.tr("Server"),
                       self.tr("CA fingerprint (SHA-256)"), self.tr("Key store"))  # fmt: skip
        _set_texts(self._info_captions, info_labels)
        names = {"camera": (self.tr("Camera"), self.tr("Test camera")),
                 "microphone": (self.tr("Microphone"), self.tr("Test microphone")),
                 "speaker": (self.tr("Speaker"), self.tr("Test speaker"))}  # fmt: skip
        for kind, (name, test) in names.items():
            self._device_labels[kind].setText(name)
            self.choices[kind].setAccessibleName(name)
            self.test_buttons[kind].setText(self.tr("Test"))
            self.test_buttons[kind].setAccessibleName(test)
            if kind in self._results:
                self.test_results[kind].setText(self._results[kind].text())
        self.language_choice.setAccessibleName(self.tr("Language"))
        self.set_language(language())
        self.back_button.setText(self.tr("Back"))
        self.back_button.setAccessibleName(self.tr("Back to the call"))
        self.kept_button.setText(self.tr("What this device keeps"))
        self.kept_button.setAccessibleName(self.tr("What this device keeps"))
        self.features_button.setText(self.tr("School hours and features"))
        self.features_button.setAccessibleName(self.tr("School hours and features"))
        self.nettest_button.setText(self.tr("Network test"))
        self.nettest_button.setAccessibleName(self.tr("Network test"))
        self.exit_button.setText(self.tr("Exit to desktop"))
        self.exit_button.setAccessibleName(self.tr("Exit to desktop"))
        self._show_device()
        self.refresh_devices()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _set_texts(labels: Sequence[QLabel], texts: Sequence[str]) -> None:
    for label, text in zip(labels, texts, strict=True):
        label.setText(text)
