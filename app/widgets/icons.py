"""Simple line icons drawn with QPainter (no image files, no emoji fonts needed).

Each icon is drawn on a 24-unit grid and scaled; "off" icons get a slash, so the
state is visible in shape as well as in the button's words.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

Draw = Callable[[QPainter], None]


def _mic(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(9, 3, 6, 11), 3, 3)
    path = QPainterPath(QPointF(5.5, 11))
    path.cubicTo(QPointF(5.5, 19), QPointF(18.5, 19), QPointF(18.5, 11))
    p.drawPath(path)
    p.drawLine(QPointF(12, 17.5), QPointF(12, 21))
    p.drawLine(QPointF(8.5, 21), QPointF(15.5, 21))


def _camera(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(2.5, 7, 13, 10), 2, 2)
    path = QPainterPath(QPointF(15.5, 10.5))
    path.lineTo(21.5, 7.5)
    path.lineTo(21.5, 16.5)
    path.lineTo(15.5, 13.5)
    p.drawPath(path)


def _leave(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3, 3, 10, 18), 1.5, 1.5)
    p.drawLine(QPointF(10, 12), QPointF(21, 12))
    p.drawLine(QPointF(17.5, 8.5), QPointF(21, 12))
    p.drawLine(QPointF(17.5, 15.5), QPointF(21, 12))


def _join(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(11, 3, 10, 18), 1.5, 1.5)
    p.drawLine(QPointF(3, 12), QPointF(15, 12))
    p.drawLine(QPointF(11.5, 8.5), QPointF(15, 12))
    p.drawLine(QPointF(11.5, 15.5), QPointF(15, 12))


def _speaker(p: QPainter) -> None:
    path = QPainterPath(QPointF(3, 9))
    path.lineTo(7, 9)
    path.lineTo(12, 4.5)
    path.lineTo(12, 19.5)
    path.lineTo(7, 15)
    path.lineTo(3, 15)
    path.closeSubpath()
    p.drawPath(path)
    p.drawArc(QRectF(10, 7, 7, 10), -60 * 16, 120 * 16)
    p.drawArc(QRectF(10, 4, 11, 16), -60 * 16, 120 * 16)


def _minus(p: QPainter) -> None:
    p.drawLine(QPointF(5, 12), QPointF(19, 12))


def _plus(p: QPainter) -> None:
    p.drawLine(QPointF(5, 12), QPointF(19, 12))
    p.drawLine(QPointF(12, 5), QPointF(12, 19))


SHAPES: dict[str, Draw] = {
    "mic": _mic,
    "camera": _camera,
    "leave": _leave,
    "join": _join,
    "speaker": _speaker,
    "minus": _minus,
    "plus": _plus,
}


def pixmap(kind: str, size: int, color: str, *, off: bool = False, ratio: float = 2.0) -> QPixmap:
    """The icon ``kind`` drawn at ``size`` px (``ratio`` for sharp high-DPI output)."""
    return render(SHAPES[kind], size, color, off=off, ratio=ratio)


def render(draw: Draw, size: int, color: str, *, off: bool = False, ratio: float = 2.0) -> QPixmap:
    """Any line drawing on the 24-unit grid, drawn as these icons are (feature_icons too)."""
    px = QPixmap(round(size * ratio), round(size * ratio))
    px.setDevicePixelRatio(ratio)
    px.fill(Qt.GlobalColor.transparent)
    p = QPainter(px)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 24, size / 24)
    pen = QPen(
        QColor(color),
        2.0,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    draw(p)
    if off:
        p.drawLine(QPointF(3.5, 3.5), QPointF(20.5, 20.5))
    p.end()
    return px


def icon(kind: str, color: str, *, off: bool = False, size: int = 32) -> QIcon:
    return QIcon(pixmap(kind, size, color, off=off))
