"""What the teacher sees of the pupil's features (issue 5), and the few touches they have.

Over the picture: a big hand badge (tap to answer), the pupil's reaction and,
during the teacher's pause, "Paused" with the time left. Below it, a calm bar:
the pupil's presence, "Whispering", the school-hours notice, "Pause"/"Resume"
and "Save as board view". Widgets: :mod:`app.classroom.overlays`.
A feature switched off on this device is hidden. The views only render what the
engine reported and pass on what the teacher asked for (``bridge.run``). The
class volume and whether a speaker plays are told to the engine on every change
and at each call start: the pupil sees them next to "am I heard?".
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, QObject, QRect, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget

from app.av.speaker import SpeakerSink
from app.bridge import EngineBridge
from app.classroom.chime import REACTION_NOTES_HZ, ChimePlayer
from app.classroom.looking import BoardState
from app.classroom.overlays import PAUSED_STYLE, FeatureBarView, HandView, ReactionView
from app.widgets import feature_icons, theme
from media.control import ControlMessage
from media.engine import Engine
from media.features.speaker import played_volume
from media.features.switches import FeatureSwitches
from media.state import CallState

REMINDER_MS = 30_000  # a gentle reminder while the hand stays up
REACTION_MS = 12_000  # long enough for a teacher mid-sentence to look (5 s was missed)
OVERLAY_MARGIN = 24
PAUSE_TICK_MS = 1000


class ClassroomFeaturesView(QObject):
    """Renders the feature messages and passes the teacher's touches to the engine."""

    switches_read = Signal(object, float)  # FeatureSwitches, pause minutes (engine thread)

    def __init__(self, bridge: EngineBridge, stage: QStackedWidget, speaker: SpeakerSink | None,
                 *, reminder_ms: int = REMINDER_MS, reaction_ms: int = REACTION_MS,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.bridge, self.stage, self.speaker = bridge, stage, speaker
        self.switches = FeatureSwitches()
        self.pause_minutes = 10.0
        self.live = self.is_paused = self.whispering = self.hand_raised = False
        self.volume = speaker.volume if speaker is not None else 1.0
        self._paused_until = 0.0
        self._presence = ""
        self._pupil_mic = True  # the pupil's microphone, as their last "media" message said
        self._closes_in_s: int | None = None
        self.looking = BoardState()
        self._keep_clear: QRect | None = None
        self.hand = HandView(stage)
        self.reaction = ReactionView(stage)
        self.paused = QLabel(stage)  # over the picture: the teacher must not miss it
        self.paused.setFont(theme.font(18, bold=True))
        self.paused.setStyleSheet(PAUSED_STYLE)
        self.paused.hide()
        self.bar = FeatureBarView()
        self.chime = ChimePlayer(speaker, bridge, self)
        self.reminder = QTimer(self)
        self.reminder.setInterval(reminder_ms)
        self.reminder.timeout.connect(self.chime.play)
        self.reaction_timer = QTimer(self)
        self.reaction_timer.setSingleShot(True)
        self.reaction_timer.setInterval(reaction_ms)
        self.reaction_timer.timeout.connect(self.reaction.hide)
        self.pause_timer = QTimer(self)
        self.pause_timer.setInterval(PAUSE_TICK_MS)
        self.pause_timer.timeout.connect(self._render_pause)
        self.hand.clicked.connect(self._acknowledge)
        self.bar.pause.clicked.connect(self._toggle_pause)
        self.bar.board.clicked.connect(self._save_board)
        self.switches_read.connect(self._switches_known)
        if speaker is not None:
            speaker.state_changed.connect(self._report_speaker)  # found, lost, back
        stage.installEventFilter(self)
        stage.currentChanged.connect(self._place)  # a page switch raises the page
        self.retranslate()

    # -- from the window ---------------------------------------------------------

    def on_state(self, state: CallState) -> None:
        live = state is CallState.LIVE
        if live and not self.live:
            # The switches live on the engine (technician mode): read them per call.
            self.bridge.run(
                lambda e: self.switches_read.emit(
                    e.features.switches, e.features.config.pause_minutes
                )
            )
            self._report_speaker()  # the engine may have started after the last change
        self.live = live
        if not live:
            self._hand(False)
            self.reaction_timer.stop()
            self.reaction.hide()
            self._whisper(False)
            self._presence, self._closes_in_s = "", None
            self._pupil_mic = True  # the next call announces its own
            self.looking.reset()
        self._render()

    def on_control(self, message: ControlMessage) -> None:
        kind, body = message.kind, message.body
        if kind == "hand":
            self._hand(bool(body["raised"]) and self.switches.hand)
        elif kind == "reaction" and self.switches.reactions:
            self.reaction.show_kind(str(body["kind"]))
            self._place()
            self.reaction_timer.start()
            self.chime.play(REACTION_NOTES_HZ)  # heard by a teacher looking elsewhere
        elif kind == "whisper":
            self._whisper(bool(body["on"]))
        elif kind == "presence":
            self._presence = str(body["level"])
        elif kind == "media":
            self._pupil_mic = bool(body["mic"])
        elif kind in ("view", "view_preset"):
            self.looking.on_control(message)
        elif kind == "schedule":
            self._closes_in_s = int(body["closes_in_s"])
        elif kind == "pause":
            self.is_paused = bool(body["paused"])
            self._paused_until = time.monotonic() + self.pause_minutes * 60
            if self.is_paused:
                self.pause_timer.start()
            else:
                self.pause_timer.stop()
        self._render()

    def set_volume(self, volume: float) -> None:
        """The class's volume; while the pupil whispers the speaker plays a fraction of it."""
        self.volume = volume
        if self.speaker is not None:
            self.speaker.set_volume(played_volume(volume, self.whispering))
        self._report_speaker()

    def _report_speaker(self, *_state: object) -> None:
        """Tell the engine the class volume and whether a speaker plays (it knows the whisper)."""
        volume = min(1.0, max(0.0, self.volume))
        available = self.speaker is not None and self.speaker.available
        self.bridge.run(lambda e: _set_speaker(e, volume, available))

    # -- the teacher's touches ---------------------------------------------------

    def _acknowledge(self) -> None:
        self._hand(False)
        self.bridge.run(_acknowledge_hand)

    def _toggle_pause(self) -> None:
        if self.is_paused:
            self.bridge.run(lambda e: e.resume())
        else:
            self.bridge.run(lambda e: e.pause())

    def _save_board(self) -> None:
        self.bridge.run(lambda e: e.save_board_view())
        self.looking.save()
        self.bar.board.setAccessibleDescription(self.tr("Board view saved"))
        self._render()

    # -- state ---------------------------------------------------------------------

    def _switches_known(self, switches: FeatureSwitches, pause_minutes: float) -> None:
        self.switches, self.pause_minutes = switches, pause_minutes
        self._render()

    def _hand(self, raised: bool) -> None:
        if raised and not self.hand_raised:
            self.hand_raised = True
            self.hand.show()
            self._place()
            self.chime.play()
            self.reminder.start()
        elif not raised:
            self.hand_raised = False
            self.hand.hide()
            self.reminder.stop()

    def _whisper(self, on: bool) -> None:
        self.whispering = on
        self.set_volume(self.volume)

    def _render(self) -> None:
        s, bar = self.switches, self.bar
        bar.presence.setVisible(s.presence and self.live and bool(self._presence))
        levels = {
            "listening": self.tr("Pupil: Listening"),
            "voice": self.tr("Pupil: Voice only"),
            # On camera with the microphone off: the class must not wait for an answer.
            "video": self.tr("Pupil: On camera")
            if self._pupil_mic
            else self.tr("Pupil: On camera, microphone off"),
        }
        bar.presence.setText(levels.get(self._presence, ""))
        bar.whisper.setVisible(s.whisper and self.whispering)
        bar.notice.setVisible(s.schedule and self.live and self._closes_in_s is not None)
        if self._closes_in_s is not None:
            minutes = max(1, math.ceil(self._closes_in_s / 60))
            bar.notice.setText(
                self.tr("The lesson with the pupil ends in {minutes} minutes").format(
                    minutes=minutes
                )
            )
        bar.board.setVisible(s.view and self.live)
        self._render_looking()
        bar.pause.setVisible(s.pause and (self.live or self.is_paused))
        if self.is_paused:
            _show_action(bar.pause, "play", self.tr("Resume"), "join")
        else:
            _show_action(bar.pause, "pause", self.tr("Pause"), "leave")
        self._render_pause()
        if not s.hand:
            self._hand(False)

    def _render_looking(self) -> None:
        """Where the pupil looks, and whether the board view exists (it says so)."""
        shown = self.switches.view and self.live
        bar, looking = self.bar, self.looking
        bar.overview.setVisible(shown)
        bar.overview.show_view(looking.view)
        bar.board_state.setVisible(shown)
        if looking.asked_unset:
            text = self.tr("The pupil asked for the board: no board view saved yet")
        elif looking.board is None:
            text = self.tr("Board view: not set yet")
        else:
            text = self.tr("Board view: saved")
        bar.board_state.setText(text)
        warn = looking.asked_unset
        bar.board_state.setStyleSheet(f"color: {theme.ALERT if warn else theme.INK};")

    def _render_pause(self) -> None:
        label = self.paused
        label.setVisible(self.is_paused)
        if not self.is_paused:
            return
        left = max(0, math.ceil(self._paused_until - time.monotonic()))
        label.setText(
            self.tr(
                "Paused — the pupil sees a pause picture ({minutes}:{seconds:02d} left)"
            ).format(minutes=left // 60, seconds=left % 60)
        )
        label.setAccessibleName(label.text())
        self._place()

    def retranslate(self) -> None:
        self.hand.retranslate()
        self.bar.whisper.setText(self.tr("Whispering"))
        self.bar.whisper.setAccessibleDescription(self.tr("The pupil turned the speaker down"))
        _show_action(self.bar.board, "board", self.tr("Save as board view"), "volume")
        if self.reaction.isVisible():
            self.reaction.show_kind(self.reaction.kind)
        self._render()

    def _place(self, *_: object) -> None:
        w, h = self.stage.width(), self.stage.height()
        self.hand.adjustSize()
        top = OVERLAY_MARGIN
        badge = QRect(OVERLAY_MARGIN, top, self.hand.width() + OVERLAY_MARGIN, self.hand.height())
        if self._keep_clear is not None and badge.intersects(self._keep_clear):
            top = self._keep_clear.bottom() + 1 + OVERLAY_MARGIN // 2  # below LIVE, not under it
        self.hand.move(OVERLAY_MARGIN, top)
        self.hand.raise_()
        self.reaction.adjustSize()
        self.reaction.move((w - self.reaction.width()) // 2,
                           h - self.reaction.height() - OVERLAY_MARGIN)  # fmt: skip
        self.reaction.raise_()
        self.paused.adjustSize()
        # Top right, where LIVE is while the class is sent (LIVE is off in a pause).
        self.paused.move(w - self.paused.width() - OVERLAY_MARGIN, OVERLAY_MARGIN)
        self.paused.raise_()

    def keep_clear(self, rect: QRect | None) -> None:
        """Where LIVE covers the stage (None: not shown). On a narrow screen the two
        would meet at the top: the hand badge then goes below LIVE."""
        self._keep_clear = rect
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.stage and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._place()
        return super().eventFilter(watched, event)


def _show_action(button: QPushButton, kind: str, text: str, role: str) -> None:
    """Like ActionButton.show_action, with this module's icons."""
    button.setIcon(feature_icons.icon(kind, "white" if role == "join" else theme.INK))
    button.setText(text)
    button.setAccessibleName(text)
    button.setProperty("role", role)
    theme.restyle(button)


def _set_speaker(engine: Engine, volume: float, available: bool) -> None:
    if engine.features.classroom is not None:
        engine.features.classroom.set_speaker(volume, available=available)


def _acknowledge_hand(engine: Engine) -> None:
    if engine.features.classroom is not None:
        engine.features.classroom.acknowledge_hand()
