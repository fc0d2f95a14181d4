"""Looking around in the class picture: wheel zooms, a drag pans, a pinch zooms,
and big buttons do the same. The position (a media.crop.View, clamped as the
classroom crops it) lives here; the window sends it on, at most ten times a second.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QGestureEvent, QGridLayout, QPinchGesture, QPushButton, QWidget

from app.widgets import theme
from app.widgets.buttons import TouchButton
from media.crop import View

ZOOM_STEP = 1.25
PAN_STEP = 0.1
SEND_EVERY_MS = 100  # ≤ 10 a second


class LookAroundController(QObject):
    """Turns wheel, drag and pinch on the class picture into view positions."""

    view_changed = Signal(object)  # media.crop.View, throttled
    preset_chosen = Signal(str)  # "board" | "reset"

    def __init__(self, target: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.position = View()
        self.enabled = True
        self._drag_from: QPointF | None = None
        self._sent: View | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEND_EVERY_MS)
        self._timer.timeout.connect(self._flush)
        target.installEventFilter(self)
        target.grabGesture(Qt.GestureType.PinchGesture)

    def move_to(self, position: View) -> None:
        self.position = position.clamped()
        if not self._timer.isActive():
            self._flush()
            self._timer.start()  # further moves wait for the next slot

    def zoom_by(self, factor: float) -> None:
        self.move_to(self.position.zoomed(factor))

    def pan_by(self, dx: float, dy: float) -> None:
        self.move_to(self.position.panned(dx, dy))

    def preset(self, name: str) -> None:
        if name == "reset":
            self.position = View()
        self._sent = self.position
        self.preset_chosen.emit(name)

    def _flush(self) -> None:
        if self.position != self._sent:
            self._sent = self.position
            self.view_changed.emit(self.position)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.target or not self.enabled:
            return False
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(ZOOM_STEP**steps)
            return True
        if isinstance(event, QMouseEvent):
            return self._mouse(event)
        if kind == QEvent.Type.Gesture and isinstance(event, QGestureEvent):
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                self.zoom_by(pinch.scaleFactor())
                return True
        return False

    def _mouse(self, event: QMouseEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position()
            return True
        if kind == QEvent.Type.MouseMove and self._drag_from is not None:
            width, height = max(1, self.target.width()), max(1, self.target.height())
            delta = event.position() - self._drag_from
            self._drag_from = event.position()
            # Dragging the picture right shows what is further left.
            self.pan_by(-delta.x() / width, -delta.y() / height)
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            self._drag_from = None
            return True
        return False


class LookAroundView(QWidget):
    """Buttons for the same: zoom in and out, four directions, the board, reset."""

    def __init__(self, controller: LookAroundController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        # Three columns, the presets under the arrows: narrow, so the pad fits beside
        # the 16:9 class picture on a laptop instead of over it.
        places = {
            "zoom_in": (0, 0, 1), "up": (0, 1, 1), "zoom_out": (0, 2, 1),
            "left": (1, 0, 1), "down": (1, 1, 1), "right": (1, 2, 1),
            "board": (2, 0, 3), "reset": (3, 0, 3),
        }  # fmt: skip
        for name, (row, column, span) in places.items():
            button = TouchButton(self)
            button.setFont(theme.font(14, bold=True))
            button.clicked.connect(lambda _=False, n=name: self._pressed(n))
            grid.addWidget(button, row, column, 1, span)
            self.buttons[name] = button
        self.retranslate()

    def _pressed(self, name: str) -> None:
        c = self.controller
        moves = {"left": (-PAN_STEP, 0.0), "right": (PAN_STEP, 0.0),
                 "up": (0.0, -PAN_STEP), "down": (0.0, PAN_STEP)}  # fmt: skip
        if name == "zoom_in":
            c.zoom_by(ZOOM_STEP)
        elif name == "zoom_out":
            c.zoom_by(1 / ZOOM_STEP)
        elif name in moves:
            c.pan_by(*moves[name])
        else:
            c.preset(name)

    def retranslate(self) -> None:
        texts = {
            "zoom_in": ("+", self.tr("Zoom in")),
            "zoom_out": ("−", self.tr("Zoom out")),
            "left": ("←", self.tr("Look left")),
            "right": ("→", self.tr("Look right")),
            "up": ("↑", self.tr("Look up")),
            "down": ("↓", self.tr("Look down")),
            "board": (self.tr("Board"), self.tr("Look at the board")),
            # Not "Back": next to "Leave lesson" that read as leaving (issue 15, item 14).
            "reset": (self.tr("Whole class"), self.tr("Show the whole class again")),
        }
        for name, (text, accessible) in texts.items():
            self.buttons[name].setText(text)
            self.buttons[name].setAccessibleName(accessible)
            self.buttons[name].setToolTip(accessible)
        self.setAccessibleName(self.tr("Look around"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
