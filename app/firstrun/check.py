"""First run, step 2: the pairing file read, checked and shown for the technician to
confirm; and the first run's large type, which every step shares.

The CA fingerprint is on four lines of eight pairs, as the CLI prints it
(pairing.certificates.fingerprint_lines), so it is compared line by line.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.technician.widgets import (
    big_button,
    date_text,
    grouped_fingerprint,
    grouped_id,
    mono_label,
    role_text,
)
from app.widgets import theme
from pairing import device
from pairing.bundle import MAX_BUNDLE
from pairing.errors import BundleInvalid, FileAccessFailed

HEADING_POINTS = 30
TEXT_POINTS = 18
CODE_POINTS = 22
DETAILS = ("role", "pairing", "peer", "expiry", "server")


def code_font(label: QLabel) -> None:
    """Large, keeping the fixed-width font: every character counts."""
    font = label.font()
    font.setPointSizeF(CODE_POINTS)
    label.setFont(font)


def large_button(button: QPushButton) -> None:
    button.setFont(theme.font(TEXT_POINTS, bold=True))
    button.setMinimumHeight(theme.BUTTON_HEIGHT)


class BundleCheckView(QWidget):
    """What the pairing file says, the fingerprint, "It matches: install" and "Cancel"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel(self)
        self.heading.setFont(theme.font(HEADING_POINTS, bold=True))
        details = QFormLayout()
        self.detail: dict[str, QLabel] = {}
        self._captions: list[QLabel] = []
        for key in DETAILS:
            if key == "peer":
                value = mono_label(self)  # large below, in its fixed-width font
            else:
                value = QLabel(self)
                value.setFont(theme.font(TEXT_POINTS))
            caption = QLabel(self)
            caption.setFont(theme.font(TEXT_POINTS, bold=True))
            self.detail[key] = value
            self._captions.append(caption)
            details.addRow(caption, value)
        self._compare = QLabel(self)
        self._compare.setWordWrap(True)
        self._compare.setFont(theme.font(TEXT_POINTS))
        self.fingerprint_label = mono_label(self)
        for code in (self.fingerprint_label, self.detail["peer"]):
            code_font(code)
        self.confirm_button = big_button(self)
        self.cancel_button = big_button(self)
        for button in (self.confirm_button, self.cancel_button):
            large_button(button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(details)
        layout.addWidget(self._compare)
        layout.addWidget(self.fingerprint_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.retranslate()

    def show_preview(self, preview: device.InstalledDevice) -> None:
        self.detail["role"].setText(role_text(preview.role))
        self.detail["pairing"].setText(preview.pairing_id)
        self.detail["peer"].setText(grouped_id(preview.peer_device_id))
        self.detail["expiry"].setText(date_text(preview.not_after))
        self.detail["server"].setText("\n".join(preview.signaling_urls))
        self.fingerprint_label.setText(grouped_fingerprint(preview.ca_fingerprint))

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Check the pairing file"))
        labels = (self.tr("Role"), self.tr("Pairing"), self.tr("Paired with"),
                  self.tr("Valid until"), self.tr("Server"))  # fmt: skip
        for caption, text in zip(self._captions, labels, strict=True):
            caption.setText(text)
        self._compare.setText(
            self.tr("Compare this CA fingerprint with the one the administrator gave you. "
                    "Install only if every character matches.")
        )  # fmt: skip
        self.fingerprint_label.setAccessibleName(self.tr("CA fingerprint"))
        self.confirm_button.setText(self.tr("It matches: install"))
        self.confirm_button.setAccessibleName(self.tr("The fingerprint matches: install"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Do not install"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def read_bundle(path: Path) -> bytes:
    """The chosen file, at most a bundle's size (a larger one is no bundle)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BUNDLE + 1)
    except OSError as exc:
        raise FileAccessFailed(path.name) from exc
    if len(data) > MAX_BUNDLE:
        raise BundleInvalid("too large")
    return data


def enlarge(step: QWidget) -> None:
    """A step made elsewhere, in the first run's large type (fixed-width codes stay so)."""
    for label in step.findChildren(QLabel):
        if QFontInfo(label.font()).fixedPitch():
            code_font(label)
        else:
            label.setFont(theme.font(TEXT_POINTS))
    for field in step.findChildren(QLineEdit):
        field.setFont(theme.font(TEXT_POINTS))
        field.setMinimumHeight(theme.MIN_TARGET)
    for button in step.findChildren(QPushButton):
        if button.minimumSize() != button.maximumSize():  # not the keypad's fixed keys
            large_button(button)
