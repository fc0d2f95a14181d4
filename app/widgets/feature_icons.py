"""Line icons for the classroom features (issue 5): a raised hand, pause, play,
the board and the pupil's reactions.

Drawn like :mod:`app.widgets.icons` (24-unit grid, QPainter, no emoji fonts), so
they look the same on every device; kept apart so that module stays small.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QIcon, QPainter, QPainterPath, QPixmap

from app.widgets import icons
from app.widgets.icons import Draw


def _hand(p: QPainter) -> None:
    for x, top in ((6.5, 6.0), (9.5, 3.0), (12.5, 2.5), (15.5, 4.0)):  # four fingers
        p.drawLine(QPointF(x, top), QPointF(x, 12))
    palm = QPainterPath(QPointF(6.5, 12))
    palm.lineTo(6.5, 16)
    palm.cubicTo(QPointF(6.5, 19.5), QPointF(9, 21.5), QPointF(12, 21.5))
    palm.cubicTo(QPointF(15.5, 21.5), QPointF(17.5, 19), QPointF(18, 16))
    palm.lineTo(20, 10.5)  # the thumb
    palm.cubicTo(QPointF(20.5, 8.5), QPointF(18, 8), QPointF(17, 10))
    palm.lineTo(15.5, 13)
    p.drawPath(palm)


def _pause(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(6, 4.5, 4, 15), 1, 1)
    p.drawRoundedRect(QRectF(14, 4.5, 4, 15), 1, 1)


def _play(p: QPainter) -> None:
    path = QPainterPath(QPointF(7, 4.5))
    path.lineTo(19, 12)
    path.lineTo(7, 19.5)
    path.closeSubpath()
    p.drawPath(path)


def _board(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3, 4, 18, 12), 1.5, 1.5)
    p.drawLine(QPointF(9, 20.5), QPointF(12, 16))
    p.drawLine(QPointF(15, 20.5), QPointF(12, 16))


def _thumbs_up(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3, 10.5, 4, 10), 1, 1)  # the cuff
    hand = QPainterPath(QPointF(7, 11))
    hand.lineTo(11, 3.5)
    hand.cubicTo(QPointF(13, 3), QPointF(14, 5), QPointF(13.5, 7))
    hand.lineTo(12.5, 9.5)
    hand.lineTo(19, 9.5)
    hand.cubicTo(QPointF(21, 9.5), QPointF(21.5, 11.5), QPointF(20.5, 13))
    hand.lineTo(18.5, 19.5)
    hand.cubicTo(QPointF(18, 20.5), QPointF(17, 20.5), QPointF(16.5, 20.5))
    hand.lineTo(7, 20.5)
    p.drawPath(hand)


def _question(p: QPainter) -> None:
    p.drawEllipse(QRectF(2.5, 2.5, 19, 19))
    mark = QPainterPath(QPointF(9, 9.5))
    mark.cubicTo(QPointF(9, 5.5), QPointF(15, 5.5), QPointF(15, 9.5))
    mark.cubicTo(QPointF(15, 12), QPointF(12, 12), QPointF(12, 14.5))
    p.drawPath(mark)
    p.drawPoint(QPointF(12, 17.5))


def _repeat(p: QPainter) -> None:
    p.drawArc(QRectF(4, 4, 16, 16), 30 * 16, 300 * 16)
    p.drawLine(QPointF(19, 4.5), QPointF(19, 9))
    p.drawLine(QPointF(19, 9), QPointF(14.5, 9))


SHAPES: dict[str, Draw] = {
    "hand": _hand,
    "pause": _pause,
    "play": _play,
    "board": _board,
    "thumbs_up": _thumbs_up,
    "confused": _question,
    "repeat": _repeat,
}


def pixmap(kind: str, size: int, color: str, *, ratio: float = 2.0) -> QPixmap:
    return icons.render(SHAPES[kind], size, color, ratio=ratio)


def icon(kind: str, color: str, *, size: int = 32) -> QIcon:
    return QIcon(pixmap(kind, size, color))
