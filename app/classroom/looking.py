"""Where the pupil looks (issue 15, item 16): a small overview of the class camera's
whole picture with the part the pupil sees outlined, and the board view's state.

The pupil pans and zooms (control ``view``) or picks a preset (``view_preset``);
the class sees it here, so nobody wonders what the pupil is looking at. The board
preset is the view the teacher saved with "Save as board view"; until one is saved
the pupil's "board" shows the whole picture, and this says so instead of nothing.
The engine keeps the real board view; the view mirrors what it was told.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from app.widgets import theme
from media.control import ControlMessage
from media.crop import View

OVERVIEW_SIZE = QSize(192, 108)  # 16:9, as the class camera's picture


class ViewOverviewWidget(QWidget):
    """The whole picture as a dark card, the viewed part as a bright frame."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = View()
        self.setFixedSize(OVERVIEW_SIZE)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def show_view(self, view: View) -> None:
        self.view = view.clamped()
        self.setAccessibleDescription(
            self.tr("The pupil sees the whole class")
            if self.view.is_whole
            else self.tr("The pupil looks at part of the class, zoomed {zoom}×").format(
                zoom=f"{self.view.zoom:.1f}"
            )
        )
        self.update()

    def viewed_rect(self) -> QRectF:
        """The viewed part in this widget's pixels (inside the 3 px edge)."""
        inner = QRectF(self.rect()).adjusted(3, 3, -3, -3)
        v = self.view
        w, h = inner.width() / v.zoom, inner.height() / v.zoom
        x = inner.x() + v.x * inner.width() - w / 2
        y = inner.y() + v.y * inner.height() - h / 2
        return QRectF(x, y, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor(theme.INK), 3))
        p.setBrush(QColor(theme.STAGE))
        p.drawRoundedRect(QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5), 8, 8)
        p.setPen(QPen(QColor(theme.FOCUS), 4))
        # Only a part is lit: the whole picture is a yellow edge, not a yellow card.
        p.setBrush(Qt.BrushStyle.NoBrush if self.view.is_whole else QColor(255, 221, 0, 70))
        p.drawRect(self.viewed_rect().adjusted(2, 2, -2, -2))
        p.end()


class BoardState:
    """The pupil's view as last told, the saved board view, and what to say about it."""

    def __init__(self) -> None:
        self.view = View()
        self.board: View | None = None
        self.asked_unset = False  # the pupil asked for the board before one was saved

    def on_control(self, message: ControlMessage) -> bool:
        """Returns True when the message changed what the pupil sees."""
        if message.kind == "view":
            body = message.body
            self.view = View(float(body["x"]), float(body["y"]), float(body["zoom"])).clamped()
            self.asked_unset = False
            return True
        if message.kind == "view_preset":
            board = message.body["name"] == "board"
            self.asked_unset = board and self.board is None
            self.view = (self.board or View()) if board else View()
            return True
        return False

    def save(self) -> None:
        self.board, self.asked_unset = self.view, False

    def reset(self) -> None:
        """A call ended: the pupil's view starts whole; the board view stays saved."""
        self.view, self.asked_unset = View(), False
