"""One calm look for both windows: soft colours, large type, generous targets.

Colours carry meaning only together with words (a state is always written out),
so nothing depends on telling red from green.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

MIN_TARGET = 48  # px: the smallest touch target anywhere
BUTTON_HEIGHT = 72  # the pupil's main controls are bigger than the minimum

INK = "#1f2a44"  # text on light
PAPER = "#f6f4ef"  # light background
STAGE = "#1d232c"  # behind video
STAGE_INK = "#f2efe8"  # text on the stage
CALM = "#2f7f78"  # teal: on, connected
CALM_LIGHT = "#d9ece9"
WARM = "#b7791f"  # amber: attention
ALERT = "#c62828"  # LIVE and problems
MUTED = "#6b7280"  # off, inactive
MUTED_LIGHT = "#e7e5e0"
FOCUS = "#ffdd00"  # keyboard focus (as on GOV.UK): yellow, with INK text and ring


def color(name: str) -> QColor:
    return QColor(name)


def font(points: float, *, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(points)
    f.setBold(bold)
    return f


STYLE = f"""
QWidget#stage {{ background: {STAGE}; }}
QLabel#stageTitle {{ color: {STAGE_INK}; }}
QLabel#stageText {{ color: #c9c4b8; }}
QFrame#bar {{ background: {PAPER}; border-top: 1px solid #dcd8cf; }}
QLabel {{ color: {INK}; }}
QPushButton {{
    background: {MUTED_LIGHT}; color: {INK}; border: 3px solid #cfcac0;
    border-radius: 14px; padding: 7px 19px;
}}
QPushButton:hover {{ background: #dedad2; }}
QPushButton[state="on"] {{ background: {CALM_LIGHT}; border-color: {CALM}; }}
QPushButton[state="off"] {{ background: #f3e3e1; border-color: #d9a6a1; }}
QPushButton[role="leave"] {{ background: #f3e3e1; border-color: #d9a6a1; }}
QPushButton[role="join"] {{ background: {CALM}; color: white; border-color: {CALM}; }}
/* Focus: a dark ring; focus that came by the keyboard (app.widgets.buttons) is also
   yellow, seen on the dark stage and on the light bars alike. Last, so they win over
   the state colours (a toggle's state is also in its words and icon). The ring is as
   wide as the border: Qt sizes a button for its plain border, so a wider one on
   focus would squeeze the words. */
QPushButton:focus {{ border: 3px solid {INK}; }}
QPushButton[keyboardFocus="true"] {{ background: {FOCUS}; color: {INK}; border: 3px solid {INK}; }}
QSlider {{ min-height: {MIN_TARGET}px; }}
QSlider::groove:horizontal {{ height: 10px; background: #dcd8cf; border-radius: 5px; }}
QSlider::sub-page:horizontal {{ background: {CALM}; border-radius: 5px; }}
QSlider::handle:horizontal {{
    background: white; border: 3px solid {CALM}; width: 30px; margin: -12px 0;
    border-radius: 17px;
}}
QSlider:focus::handle:horizontal {{ border-color: {INK}; }}
"""


def apply(widget: QWidget) -> None:
    """Give a window (and everything in it) the shared style."""
    widget.setStyleSheet(STYLE)


def restyle(widget: QWidget) -> None:
    """Re-read dynamic properties used by the style sheet (state, role)."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
