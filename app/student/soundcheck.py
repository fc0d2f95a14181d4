"""The pupil's "Does my sound work?" check (issue 11.5), at the start of a lesson.

Three steps after one press: (1) "say something" for a few seconds while the bar
shows the pupil's voice *as the class receives it* (the classroom's ``level``
messages, which the window passes on); (2) "listen: this is the class" while the
bar shows the class's sound as this laptop plays it (the speaker's own level;
nothing is recorded: it is the live sound of the class); (3) the answer: a
short word under the button, and the sentence with what to do in the window's
banner (media.features.soundcheck judges it). Pressed during a check, the
button stops it.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from app.widgets import theme
from app.widgets.buttons import TouchButton
from media.features.soundcheck import LISTEN_S, MAX_LEVELS, SPEAK_S, CheckResult, Heard, judge
from media.features.speaker import ClassSpeaker

FLOOR_DBFS = -60.0
TICK_MS = 100
# This laptop's speaker level (dBFS; None: nothing played lately).
ClassLevel = Callable[[], float | None]


class Step(enum.Enum):
    IDLE = "idle"
    SPEAK = "speak"
    LISTEN = "listen"
    DONE = "done"


class SoundCheckView(QWidget):
    """A button, a line of words and a bar; the window feeds levels and states."""

    finished = Signal(object)  # CheckResult

    def __init__(self, parent: QWidget | None = None, *, speak_ms: int = round(SPEAK_S * 1000),
                 listen_ms: int = round(LISTEN_S * 1000)) -> None:  # fmt: skip
        super().__init__(parent)
        self.button = TouchButton(self)
        self.button.setFont(theme.font(13, bold=True))
        self.button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.label = QLabel(self)
        self.label.setFont(theme.font(12, bold=True))
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, int(-FLOOR_DBFS))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(14)
        self.bar.setMinimumWidth(120)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.button)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.speak_ms, self.listen_ms = speak_ms, listen_ms
        self.step = Step.IDLE
        self.levels: list[float] = []
        self.result: CheckResult | None = None
        self.mic_on = True
        self.speaker: ClassSpeaker | None = None  # the class speaker, as last reported
        self.class_level: ClassLevel | None = None  # this laptop's speaker (set by the window)
        self.can_hear_class = True  # False: no speaker on this laptop
        self._step_ends = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.button.clicked.connect(self._pressed)
        self._fit_button()
        self.refresh()

    # -- from the window ------------------------------------------------------------

    def start(self) -> None:
        self.levels, self.result = [], None
        self._enter(Step.SPEAK, self.speak_ms)

    def stop(self) -> None:
        """Back to the button (the call ended, or the pupil pressed it again)."""
        self._timer.stop()
        self.step = Step.IDLE
        self.refresh()

    def show_level(self, dbfs: float) -> None:
        """A ``level`` from the class: counted while the pupil speaks."""
        if self.step is Step.SPEAK:
            if len(self.levels) < MAX_LEVELS:
                self.levels.append(dbfs)
            self._show_bar(dbfs)

    def show_mic(self, on: bool) -> None:
        self.mic_on = on

    def show_class_speaker(self, speaker: ClassSpeaker | None) -> None:
        self.speaker = speaker

    # -- the steps ----------------------------------------------------------------

    def _pressed(self) -> None:
        if self.step in (Step.SPEAK, Step.LISTEN):
            self.stop()
        else:
            self.start()

    def _enter(self, step: Step, ms: int) -> None:
        self.step = step
        self._step_ends = time.monotonic() + ms / 1000
        self._show_bar(None)
        self._timer.start()
        self.refresh()

    def _tick(self) -> None:
        if self.step is Step.LISTEN and self.class_level is not None:
            self._show_bar(self.class_level())
        if time.monotonic() < self._step_ends:
            self.refresh()  # the seconds left
            return
        if self.step is Step.SPEAK:
            self.result = judge(self.levels, mic_on=self.mic_on, speaker=self.speaker)
            self._enter(Step.LISTEN, self.listen_ms)
        elif self.step is Step.LISTEN:
            self._timer.stop()
            self.step = Step.DONE
            self._show_bar(self.result.received_dbfs if self.result else None)
            self.refresh()
            self.finished.emit(self.result)

    def _show_bar(self, dbfs: float | None) -> None:
        level = FLOOR_DBFS if dbfs is None else max(FLOOR_DBFS, min(0.0, dbfs))
        self.bar.setValue(round(level - FLOOR_DBFS))

    # -- words ----------------------------------------------------------------------

    def _seconds_left(self) -> int:
        return max(1, math.ceil(self._step_ends - time.monotonic()))

    def text(self) -> str:
        """The short line under the button (the answer in full goes to the banner)."""
        if self.step is Step.SPEAK:
            return self.tr("Say something… ({s} s)").format(s=self._seconds_left())
        if self.step is Step.LISTEN:
            if not self.can_hear_class:
                return self.tr("No speaker on this laptop")
            return self.tr("Listen: the class ({s} s)").format(s=self._seconds_left())
        if self.step is Step.DONE and self.result is not None:
            return {
                Heard.GOOD: self.tr("Heard well"),
                Heard.QUIET: self.tr("Too soft"),
                Heard.NOTHING: self.tr("Nothing heard"),
                Heard.MIC_OFF: self.tr("Microphone off"),
                Heard.SPEAKER_OFF: self.tr("Class speaker off"),
            }[self.result.heard]
        return ""

    def answer(self, result: CheckResult) -> str:
        """The answer in full, with what to do (the window shows it in its banner)."""
        sentence = {
            Heard.GOOD: self.tr("The class hears you well."),
            Heard.QUIET: self.tr(
                "The class hears you, but too softly: speak up or move closer to the microphone."
            ),
            Heard.NOTHING: self.tr(
                "The class heard nothing: check that the right microphone is chosen."
            ),
            Heard.MIC_OFF: self.tr("Your microphone is off: switch it on and try again."),
            Heard.SPEAKER_OFF: self.tr(
                "Your sound arrives, but the class speaker is off: ask the teacher to turn it up."
            ),
        }[result.heard]
        if not self.can_hear_class:
            sentence += " " + self.tr("You cannot hear the class: plug in headphones or a speaker.")
        return sentence

    def refresh(self) -> None:
        running = self.step in (Step.SPEAK, Step.LISTEN)
        start, stop = self.tr("Does my sound work?"), self.tr("Stop the check")
        self.button.setText(stop if running else start)
        self.button.setAccessibleName(self.tr("Does my sound work?"))
        text = self.text()
        self.label.setText(text)
        self.label.setVisible(bool(text))
        self.bar.setVisible(self.step is not Step.IDLE)
        self.bar.setAccessibleName(
            self.tr("The class's sound")
            if self.step is Step.LISTEN
            else self.tr("Your sound as the class receives it")
        )
        self.button.setAccessibleDescription(text)
        self.setAccessibleName(self.tr("Sound check"))
        self.setAccessibleDescription(text)

    def _fit_button(self) -> None:
        """As wide as the wider of its two texts: the bar must not move under the finger."""
        self.button.set_target(theme.MIN_TARGET, theme.MIN_TARGET)
        widths = []
        for words in (self.tr("Does my sound work?"), self.tr("Stop the check")):
            self.button.setText(words)
            widths.append(self.button.sizeHint().width())
        self.button.set_target(max(widths), theme.MIN_TARGET)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.StyleChange):
            self._fit_button()  # the words, or the style's padding, changed
            self.refresh()
        super().changeEvent(event)
