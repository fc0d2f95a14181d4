"""The teacher's line about echo cancellation: on, adjusting, off or not available (issue 11.5).

The engine's stats carry this device's echo status once a second
(:class:`media.audio.echo.EchoStatus`); the view shows it in words during a call
("Echo-onderdrukking" over "actief", "stelt zich in", "uit", "niet beschikbaar"),
large enough to read from across the room, in a colour that only repeats the
words. When the pupil says they hear themselves back, the teacher looks here
(docs/user-guide.md says what to do for each state).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.classroom.overlays import BAR_POINTS
from app.widgets import theme
from media.audio.echo import EchoStatus
from media.stats import CallStats

_COLOURS = {
    EchoStatus.CONVERGED: theme.CALM,
    EchoStatus.CONVERGING: theme.WARM,
    EchoStatus.OFF: theme.ALERT,
    EchoStatus.UNAVAILABLE: theme.ALERT,
}


class EchoIndicatorView(QWidget):
    """A small caption over the state in large words; hidden outside a call and until
    the engine has said anything. Two lines keep it narrow beside the volume."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self)
        self.caption.setFont(theme.font(14, bold=True))  # as "Volume" beside it
        self.state = QLabel(self)
        self.state.setObjectName("echoStatus")
        self.state.setFont(theme.font(BAR_POINTS, bold=True))  # the part read from 3 m
        for label in (self.caption, self.state):
            label.setWordWrap(True)  # a narrow screen (the demo's half) wraps, never cuts
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.state)
        self.status: EchoStatus | None = None
        self.live = False
        self.refresh()

    def show_stats(self, stats: CallStats) -> None:
        self.show_status(stats.echo)

    def show_status(self, status: EchoStatus | None) -> None:
        """Stats still queued from a call that ended are not this call's state."""
        self.status = status if self.live else None
        self.refresh()

    def show_live(self, live: bool) -> None:
        """Out of a call the status says nothing: hidden, and forgotten for the next call."""
        self.live = live
        if not live:
            self.status = None
        self.refresh()

    def texts(self) -> tuple[str, str]:
        """(the state in words, the sentence for screen readers) for the current status."""
        status = self.status
        if status is EchoStatus.CONVERGED:
            return (
                self.tr("on"),
                self.tr("Echo cancellation is on: the pupil does not hear themselves back."),
            )
        if status is EchoStatus.CONVERGING:
            return (
                self.tr("adjusting"),
                self.tr(
                    "Echo cancellation is adjusting to the room. "
                    "It needs the pupil to speak for a few seconds."
                ),
            )
        if status is EchoStatus.OFF:
            return (
                self.tr("off"),
                self.tr(
                    "Echo cancellation is switched off: the pupil may hear themselves "
                    "back. Turn the volume down or ask the technician."
                ),
            )
        if status is EchoStatus.UNAVAILABLE:
            return (
                self.tr("not available"),
                self.tr(
                    "Echo cancellation could not start on this Klasgenoot: the pupil may "
                    "hear themselves back. Turn the volume down and call the helpdesk."
                ),
            )
        return "", ""

    def refresh(self) -> None:
        words, sentence = self.texts()
        self.caption.setText(self.tr("Echo cancellation"))
        self.state.setText(words)
        colour = _COLOURS.get(self.status, theme.INK) if self.status else theme.INK
        self.state.setStyleSheet(f"QLabel#echoStatus {{ color: {colour}; }}")
        self.setAccessibleName(self.tr("Echo cancellation"))
        self.setAccessibleDescription(sentence)
        self.setVisible(self.live and self.status is not None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
