"""Technician screens: the PIN dialog, setting a PIN, and the technician panel.

Thin views: they show what they are given and emit what the technician asked for;
app.technician.TechnicianMode stores choices and wires them to the window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QEvent,
    QLocale,
    QRegularExpression,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontDatabase, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.bridge import EngineBridge
from app.i18n import LANGUAGE_NAMES, error_text, language
from app.technician.pin import MAX_DIGITS, PinStore
from common.errors import KlasgenootError
from media.state import CallState, StateChange
from media.stats import CallStats
from pairing.device import DeviceConfig
from pairing.deviceid import DeviceId
from pairing.roles import Role

MIN_TARGET = 48
KINDS = ("camera", "microphone", "speaker")


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


def grouped_id(device_id: DeviceId) -> str:
    """The DeviceId on two lines of four groups: easier to read aloud."""
    groups = device_id.text.split("-")
    return "-".join(groups[:4]) + "-\n" + "-".join(groups[4:])


def grouped_fingerprint(fingerprint: str) -> str:
    pairs = fingerprint.split(":")
    return "\n".join(":".join(pairs[i : i + 8]) for i in range(0, len(pairs), 8))


def role_text(role: Role) -> str:
    if role is Role.STUDENT:
        return QCoreApplication.translate("Roles", "pupil's laptop")
    return QCoreApplication.translate("Roles", "classroom unit")


def date_text(when: Any) -> str:
    return QLocale().toString(QDate(when.year, when.month, when.day), QLocale.FormatType.LongFormat)


def mono_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def big_button(parent: QWidget) -> QPushButton:
    button = QPushButton(parent)
    button.setMinimumSize(MIN_TARGET * 2, MIN_TARGET)
    return button


class DigitPad(QWidget):
    """On-screen digits for a touch-only unit; types into the focused field.
    Its buttons take no focus, so the field keeps it."""

    def __init__(self, fields: Sequence[QLineEdit], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields = list(fields)
        grid = QGridLayout(self)
        self._digits: list[QPushButton] = []
        for n, digit in enumerate("1234567890"):
            button = QPushButton(digit, self)
            button.setFixedSize(64, 64)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, d=digit: self._target().insert(d))
            grid.addWidget(button, n // 3, n % 3 if n < 9 else 1)
            self._digits.append(button)
        self._erase = QPushButton("⌫", self)
        self._erase.setFixedSize(64, 64)
        self._erase.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._erase.clicked.connect(lambda: self._target().backspace())
        grid.addWidget(self._erase, 3, 2)
        self.retranslate()

    def _target(self) -> QLineEdit:
        return next((f for f in self._fields if f.hasFocus()), self._fields[0])

    def retranslate(self) -> None:
        for button in self._digits:
            button.setAccessibleName(self.tr("Digit {digit}").format(digit=button.text()))
        self._erase.setAccessibleName(self.tr("Erase the last digit"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def pin_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(MAX_DIGITS)
    field.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,12}"), field))
    field.setInputMethodHints(
        Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
    )
    field.setMinimumHeight(MIN_TARGET)
    return field


class PinDialog(QDialog):
    """Asks for the technician PIN; accepted only when it is right."""

    def __init__(self, pins: PinStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pins = pins
        self._prompt = QLabel(self)
        self._prompt.setWordWrap(True)
        self.field = pin_field(self)
        self.field.returnPressed.connect(self.submit)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.open_button = big_button(self)
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.submit)
        self.cancel_button = big_button(self)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._prompt)
        layout.addWidget(self.field)
        layout.addWidget(DigitPad([self.field], self), 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._tick = QTimer(self)  # while locked: count down, then allow again
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_lock)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.retranslate()
        self._show_lock()

    def submit(self) -> None:
        try:
            result = self._pins.check(self.field.text())
        except KlasgenootError as exc:
            self.message.setText(error_text(exc))
            return
        self.field.clear()
        if result.ok:
            self.accept()
        elif result.locked_for > 0:
            self._show_lock()
        else:
            self.message.setText(
                self.tr("That PIN is not right. Tries left before a 5-minute pause: {n}.").format(
                    n=result.tries_left
                )
            )

    def _show_lock(self) -> None:
        remaining = self._pins.locked_for()
        locked = remaining > 0
        self.field.setEnabled(not locked)
        self.open_button.setEnabled(not locked)
        if locked:
            minutes = max(1, math.ceil(remaining / 60))
            self.message.setText(
                self.tr("Too many wrong PINs. Try again in {minutes} min.").format(minutes=minutes)
            )
            self._tick.start()
        else:
            if self._tick.isActive():
                self.message.setText(self.tr("You can try again now."))
                self.field.setFocus()
            self._tick.stop()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Technician mode"))
        self._prompt.setText(self.tr("Enter the technician PIN."))
        self.field.setAccessibleName(self.tr("Technician PIN"))
        self.open_button.setText(self.tr("Open"))
        self.open_button.setAccessibleName(self.tr("Open technician mode"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class PinSetupWidget(QWidget):
    """A new PIN, typed twice. Emits ``pin_set`` once stored."""

    pin_set = Signal()

    def __init__(self, pins: PinStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pins = pins
        self._intro = QLabel(self)
        self._intro.setWordWrap(True)
        self.first, self.second = pin_field(self), pin_field(self)
        self.second.returnPressed.connect(self.submit)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.save_button = big_button(self)
        self.save_button.clicked.connect(self.submit)
        self._form = QFormLayout()
        self._captions = (QLabel(self), QLabel(self))
        self._form.addRow(self._captions[0], self.first)
        self._form.addRow(self._captions[1], self.second)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addLayout(self._form)
        layout.addWidget(DigitPad([self.first, self.second], self), 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        self.retranslate()

    def set_pin(self, pin: str, again: str) -> None:
        """What the two fields do, for tests and scripted set-ups."""
        self.first.setText(pin)
        self.second.setText(again)
        self.submit()

    def submit(self) -> None:
        try:
            self._pins.set_pin(self.first.text(), self.second.text())
        except KlasgenootError as exc:
            self.message.setText(error_text(exc))
            return
        finally:
            self.first.clear()
            self.second.clear()
        self.message.clear()
        self.pin_set.emit()

    def retranslate(self) -> None:
        self._intro.setText(
            self.tr("Choose a technician PIN of 4 to 12 digits. It opens technician mode "
                    "on this device; keep it with the device records.")
        )  # fmt: skip
        labels = (self.tr("New PIN"), self.tr("New PIN again"))
        for caption, field, text in zip(
            self._captions, (self.first, self.second), labels, strict=True
        ):
            caption.setText(text)
            field.setAccessibleName(text)
        self.save_button.setText(self.tr("Save PIN"))
        self.save_button.setAccessibleName(self.tr("Save the technician PIN"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class TechnicianView(QWidget):
    """Device info, camera/microphone/speaker, connection, language, exit."""

    device_chosen = Signal(str, str)  # kind ("camera", "microphone", "speaker"), device key
    device_test_requested = Signal(str, str)  # kind, device key
    language_chosen = Signal(str)
    back_requested = Signal()
    exit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog: DeviceCatalogLike | None = None
        self._chosen: dict[str, str | None] = dict.fromkeys(KINDS)
        self._device: DeviceConfig | None = None
        self._status: dict[str, Any] = {"signaling": False, "peer": False, "state": None}
        self._stats: CallStats | None = None
        self._title = QLabel(self)
        self._title.setFont(QFont(self.font().family(), 20, QFont.Weight.Bold))
        inner = QWidget(self)
        body = QVBoxLayout(inner)
        self._boxes = [QGroupBox(inner) for _ in range(4)]
        self._build_info(self._boxes[0])
        self._build_devices(self._boxes[1])
        self._build_status(self._boxes[2])
        self._build_language(self._boxes[3])
        for box in self._boxes:
            body.addWidget(box)
        body.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button = big_button(self)
        self.back_button.clicked.connect(self.back_requested)
        self.exit_button = big_button(self)
        self.exit_button.clicked.connect(self.exit_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.exit_button)
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
        for key in ("device_id", "role", "pairing", "peer", "expiry", "server", "ca"):
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

    def _build_status(self, box: QGroupBox) -> None:
        form = QFormLayout(box)
        self._status_labels: dict[str, QLabel] = {}
        self._status_captions: list[QLabel] = []
        for key in ("signaling", "peer", "state", "stats"):
            value = QLabel(box)
            value.setWordWrap(True)
            self._status_labels[key] = value
            self._status_captions.append(QLabel(box))
            form.addRow(self._status_captions[-1], value)

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

    # -- what it shows ------------------------------------------------------------

    def set_device(self, device: DeviceConfig | None) -> None:
        self._device = device
        self._show_device()

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

    def show_test_result(self, kind: str, text: str) -> None:
        self.test_results[kind].setText(text)

    def connect_bridge(self, bridge: EngineBridge) -> None:
        bridge.signaling_changed.connect(self.set_signaling)
        bridge.peer_online_changed.connect(self.set_peer_online)
        bridge.state_changed.connect(self.set_call_state)
        bridge.stats_updated.connect(self.set_stats)

    def set_signaling(self, connected: bool) -> None:
        self._status["signaling"] = connected
        self._show_status()

    def set_peer_online(self, online: bool) -> None:
        self._status["peer"] = online
        self._show_status()

    def set_call_state(self, change: StateChange) -> None:
        self._status["state"] = change.state
        self._show_status()

    def set_stats(self, stats: CallStats) -> None:
        self._stats = stats
        self._show_status()

    def status_text(self, key: str) -> str:
        return self._status_labels[key].text()

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
            self.test_results[kind].clear()
            self.device_test_requested.emit(kind, key)

    def _show_device(self) -> None:
        device = self._device
        if device is None:
            for label in self._info.values():
                label.setText("—")
            return
        info = device.info
        self._info["device_id"].setText(grouped_id(info.device_id))
        self._info["role"].setText(role_text(info.role))
        self._info["pairing"].setText(info.pairing_id)
        self._info["peer"].setText(grouped_id(info.peer_id))
        self._info["expiry"].setText(date_text(info.not_after))
        self._info["server"].setText(device.signaling_url)
        self._info["ca"].setText(grouped_fingerprint(device.ca_fingerprint))

    def _show_status(self) -> None:
        yes_no = {True: self.tr("connected"), False: self.tr("not connected")}
        self._status_labels["signaling"].setText(yes_no[self._status["signaling"]])
        online = {True: self.tr("online"), False: self.tr("offline")}
        self._status_labels["peer"].setText(online[self._status["peer"]])
        self._status_labels["state"].setText(self._state_text(self._status["state"]))
        self._status_labels["stats"].setText(self._stats_text(self._stats))

    def _state_text(self, state: CallState | None) -> str:
        texts = {
            None: self.tr("unknown"),
            CallState.IDLE: self.tr("idle"),
            CallState.WAITING: self.tr("waiting for the other device"),
            CallState.CONNECTING: self.tr("connecting"),
            CallState.LIVE: self.tr("live"),
            CallState.RECONNECTING: self.tr("reconnecting"),
            CallState.ENDED: self.tr("ended"),
        }
        return texts[state]

    def _stats_text(self, stats: CallStats | None) -> str:
        if stats is None:
            return self.tr("no call yet")
        rtt = "—" if stats.rtt_ms is None else f"{stats.rtt_ms:.0f}"
        return self.tr(
            "in {kin:.0f} kbit/s, out {kout:.0f} kbit/s, loss {loss:.1f} %, "
            "round trip {rtt} ms, {fps:.0f} frames/s, route {route}"
        ).format(kin=stats.bitrate_in_kbps, kout=stats.bitrate_out_kbps,
                 loss=stats.packet_loss_pct, rtt=rtt, fps=stats.fps_in,
                 route=stats.candidate_type or "—")  # fmt: skip

    def retranslate(self) -> None:
        self._title.setText(self.tr("Technician mode"))
        titles = (self.tr("This device"), self.tr("Camera, microphone and speaker"),
                  self.tr("Connection"), self.tr("Language"))  # fmt: skip
        for box, title in zip(self._boxes, titles, strict=True):
            box.setTitle(title)
        info_labels = (self.tr("Device code"), self.tr("Role"), self.tr("Pairing"),
                       self.tr("Paired with"), self.tr("Valid until"), self.tr("Server"),
                       self.tr("CA fingerprint (SHA-256)"))  # fmt: skip
        _set_texts(self._info_captions, info_labels)
        status_labels = (self.tr("Signaling server"), self.tr("Other device"),
                         self.tr("Call"), self.tr("Last measurement"))  # fmt: skip
        _set_texts(self._status_captions, status_labels)
        names = {"camera": (self.tr("Camera"), self.tr("Test camera")),
                 "microphone": (self.tr("Microphone"), self.tr("Test microphone")),
                 "speaker": (self.tr("Speaker"), self.tr("Test speaker"))}  # fmt: skip
        for kind, (name, test) in names.items():
            self._device_labels[kind].setText(name)
            self.choices[kind].setAccessibleName(name)
            self.test_buttons[kind].setText(self.tr("Test"))
            self.test_buttons[kind].setAccessibleName(test)
        self.language_choice.setAccessibleName(self.tr("Language"))
        self.set_language(language())
        self.back_button.setText(self.tr("Back"))
        self.back_button.setAccessibleName(self.tr("Back to the call"))
        self.exit_button.setText(self.tr("Exit to desktop"))
        self.exit_button.setAccessibleName(self.tr("Exit to desktop"))
        self._show_device()
        self._show_status()
        self.refresh_devices()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _set_texts(labels: Sequence[QLabel], texts: Sequence[str]) -> None:
    for label, text in zip(labels, texts, strict=True):
        label.setText(text)
