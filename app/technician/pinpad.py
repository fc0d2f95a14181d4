"""Entering and setting the technician PIN: a digit pad, the PIN dialog, PIN set-up,
and what shows instead when no PIN can be checked."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QRegularExpression,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import error_text
from app.technician.pin import MAX_DIGITS, PinStore
from app.technician.widgets import MIN_TARGET, big_button
from common.errors import KlasgenootError


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
        # Enter in the field reaches the dialog's default button (Open): connecting
        # returnPressed as well counted one Enter as two tries.
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


RESET_COMMAND = "klasgenoot technician reset-pin --config {folder}"


class PinLockedDialog(QDialog):
    """No PIN can be checked (settings.json damaged or its PIN gone): technician mode
    stays shut and says how to recover. It never offers to set a PIN here: anyone at
    the device could then take technician mode (issue 15)."""

    def __init__(self, config_folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder = config_folder
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = big_button(self)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Technician mode"))
        self.message.setText(
            self.tr("Technician mode is locked: the technician PIN on this device is missing "
                    "or damaged, so it cannot be checked. A new PIN can only be set on this "
                    "device's command line:\n\n{command}\n\nor by wiping the device and "
                    "installing a new bundle. Ask the helpdesk.")
            .format(command=RESET_COMMAND.format(folder=self._folder))
        )  # fmt: skip
        self.close_button.setText(self.tr("Close"))
        self.close_button.setAccessibleName(self.tr("Close"))

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
