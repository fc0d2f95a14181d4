"""A card laid over the picture: a drawn sign and words (never colour alone), on a
light rounded card with a dark edge, that lets touches through to what is under it.

The classroom's reaction ("Duim omhoog") and microphone-off sign are both one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from app.widgets import theme


class SignCard(QFrame):
    def __init__(
        self, name: str, *, radius: int, points: float, margins: tuple[int, int, int, int],
        spacing: int, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName(name)  # the style applies to this card, not to cards inside
        self.setStyleSheet(
            f"QFrame#{name} {{ background: rgba(246, 244, 239, 235);"
            f" border: 3px solid {theme.INK}; border-radius: {radius}px; }}"
            f" QLabel {{ color: {theme.INK}; background: transparent; }}"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.sign = QLabel(self)
        self.words = QLabel(self)
        self.words.setFont(theme.font(points, bold=True))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(*margins)
        layout.setSpacing(spacing)
        layout.addWidget(self.sign)
        layout.addWidget(self.words)
        self.hide()
