"""The LIVE indicator (DESIGN.md "Call flow" 7) — its rule, and the widget that shows it.

The rule, :class:`LiveRule`, is plain Python so it can be checked line by line:

* the call becomes live → LIVE goes on, and the window must confirm sending only
  once LIVE has been painted (the engine keeps its send gate shut until then);
* LIVE goes off only when the engine reports that sending has stopped, or when
  the call left "live" before any sending began (the engine reports in order on
  one thread, so "not live" arriving before "sending" means nothing was sent);
* the teacher's pause: LIVE goes off once sending has stopped; at the end of the
  pause LIVE goes on again and sending must be confirmed once more (a second LIVE
  cycle within the same call);
* if the engine stops answering while LIVE is on, LIVE stays on (fail-safe) and
  the technician is told; there is no setting that hides it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from app.widgets import theme
from media.state import CallState

_PAD_X, _PAD_Y = 28, 10
_DOT_SPACE = 28  # the dot and the gap after it
TITLE_POINTS = 28
LINE_POINTS = 20


@dataclass
class LiveRule:
    on: bool = False
    call_live: bool = False
    sending: bool = False
    responsive: bool = True
    paused: bool = False

    def state_changed(self, state: CallState) -> bool:
        """Returns True when sending must be confirmed once LIVE is on screen."""
        self.call_live = state is CallState.LIVE
        if self.call_live:
            self.on = True
            return True
        if not self.sending and self.responsive:
            self.on = False  # this live period never sent a thing
        return False

    def sending_changed(self, sending: bool) -> None:
        self.sending = sending
        if sending:
            self.on = True  # never sending without LIVE, whatever happened before
        elif not self.call_live or self.paused:
            self.on = False

    def pause_changed(self, paused: bool) -> bool:
        """The teacher's pause; returns True when sending must be confirmed (it ended)."""
        self.paused = paused
        if paused:
            if not self.sending and self.responsive:
                self.on = False  # only the pause picture leaves
            return False
        if self.call_live:
            self.on = True
            return True
        return False

    def responsive_changed(self, responsive: bool) -> None:
        self.responsive = responsive  # never turns LIVE off by itself

    @property
    def stalled_while_live(self) -> bool:
        return self.on and not self.responsive


class LiveIndicatorWidget(QWidget):
    """A red pill: a white dot, "LIVE" and a line of words. Emits ``painted`` each time it
    has painted itself while on (the window confirms sending after that)."""

    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on = False
        self._title = self._line = ""
        self.title_font = theme.font(TITLE_POINTS, bold=True)
        self.title_font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 3)
        # Read from 3 m on a 1920×1080 class screen: the line is no footnote.
        self.line_font = theme.font(LINE_POINTS, bold=True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self._title = self.tr("LIVE")
        self._line = self.tr("The pupil sees and hears the class")
        self.setAccessibleName(self._title)
        self.setAccessibleDescription(self._line)
        self.adjustSize()
        self.update()

    @property
    def is_on(self) -> bool:
        return self._on

    def set_on(self, on: bool) -> None:
        self._on = on
        self.setVisible(on)
        if on:
            self.raise_()
            self.repaint()  # paint now, not at the next event-loop turn

    def sizeHint(self) -> QSize:
        title, line = QFontMetrics(self.title_font), QFontMetrics(self.line_font)
        width = max(
            _DOT_SPACE + title.horizontalAdvance(self._title), line.horizontalAdvance(self._line)
        )
        return QSize(width + 2 * _PAD_X, title.height() + line.height() + 2 * _PAD_Y)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(theme.ALERT))
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.drawRoundedRect(r, 20, 20)
        title = QFontMetrics(self.title_font)
        title_width = _DOT_SPACE + title.horizontalAdvance(self._title)
        x = r.center().x() - title_width / 2
        y = _PAD_Y
        p.setBrush(QColor("white"))
        p.drawEllipse(QRectF(x, y + title.height() / 2 - 8, 16, 16))  # a "recording" dot
        p.setPen(QColor("white"))
        p.setFont(self.title_font)
        p.drawText(
            QRectF(x + _DOT_SPACE, y, title_width, title.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self._title,
        )
        p.setFont(self.line_font)
        p.drawText(
            QRectF(r.x(), y + title.height(), r.width(), r.height() - y - title.height()),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            self._line,
        )
        p.end()
        if self._on:
            self.painted.emit()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
