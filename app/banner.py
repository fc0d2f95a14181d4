"""An in-window banner for errors and notices: one sentence, never a traceback.

Errors stay until the person closes them or a new message replaces them; notices
fade after a while. Screen readers get the sentence as the banner's accessible
description (and an alert event), so a message is never only a colour.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.widgets.buttons import TouchButton

NOTICE_MS = 8000
MIN_TARGET = 48


class BannerKind(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_STYLE = {
    BannerKind.INFO: ("#e7f0fb", "#0b3d78"),
    BannerKind.WARNING: ("#fff4d6", "#5c3b00"),
    BannerKind.ERROR: ("#fde8e8", "#7a1010"),
}


class BannerWidget(QFrame):
    """Hidden until :meth:`show_message`; closes with its button or Escape."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._kind = BannerKind.INFO
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self._close = TouchButton(self, width=MIN_TARGET, height=MIN_TARGET)
        self._close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 8, 8)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.retranslate()
        self.hide()

    def text(self) -> str:
        """The sentence shown now ("" when hidden)."""
        return "" if self.isHidden() else self._label.text()

    @property
    def kind(self) -> BannerKind:
        return self._kind

    def show_message(self, text: str, kind: BannerKind | str = BannerKind.ERROR) -> None:
        """Show one plain-text sentence; replaces what was shown."""
        self._kind = BannerKind(kind)
        background, foreground = _STYLE[self._kind]
        self.setStyleSheet(
            f"QFrame#banner {{ background: {background}; border-bottom: 2px solid {foreground}; }}"
            f"QFrame#banner QLabel {{ color: {foreground}; font-size: 16pt; }}"
        )
        self._label.setText(text)
        self.setAccessibleDescription(text)
        # Shown in place, never raised: the banner sits in its window's layout, and a
        # raise would put it over the technician corner (app.kiosk), whose long
        # press must work while a message shows (issue 15, item 17).
        self.show()
        if self._kind is BannerKind.INFO:
            self._timer.start(NOTICE_MS)
        else:
            self._timer.stop()
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def dismiss(self) -> None:
        self._timer.stop()
        if not self.isHidden():
            self.hide()
            self.dismissed.emit()

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Message"))
        self._close.setText(self.tr("Close"))
        self._close.setAccessibleName(self.tr("Close message"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Escape closes, like a dialog
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
            return
        super().keyPressEvent(event)
