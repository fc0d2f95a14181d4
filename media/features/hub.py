"""The engine's side of the classroom features: state, rules and the wire.

One :class:`FeatureHub` per engine, called on the engine loop. It checks every
incoming feature message against the feature switches and its direction (a pupil
cannot pause the class), keeps the little state the screens show (hand, pause,
…) and passes what the people should see to the listener's ``on_control``. On
the classroom, state changes made locally (the teacher lowers a hand, the pause
ends by itself, the school-hours notice) are reported the same way, as the
message the screen would show. Nothing is stored. The hub and its classroom half
reach the engine only through :class:`media.ports.FeatureHost`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from media.control import ControlMessage
from media.crop import SEND_SIZE, View
from media.features import messages
from media.features.classroom import ClassroomFeatures
from media.features.schedule import Schedule, parse_instant
from media.features.switches import FeatureSwitches
from media.refusals import RefusalSummary
from media.state import CallState, EndReason, StateChange
from pairing.roles import Role

if TYPE_CHECKING:
    from media.ports import FeatureHost

logger = logging.getLogger(__name__)

FROM_PUPIL = frozenset({"hand", "presence", "view", "view_preset", "whisper", "reaction"})
FROM_CLASS = frozenset(
    {"hand_ack", "pause", "level", "speaker", "schedule", "next_lesson", "features"}
)
REACTION_GAP_S = 1.0  # at most one reaction a second reaches the class screen
# A refused pupil joins again at the next start, but never sooner than this: with
# clocks that disagree, "now" on one side may still be "closed" on the other.
REJOIN_AFTER = dt.timedelta(seconds=30)
REJOIN_POLL_S = 30.0


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class FeatureConfig:
    """Settings of the features (technician mode); the defaults are the product's."""

    switches: FeatureSwitches | None = None  # None: defaults, schedule on if it has lessons
    schedule: Schedule | None = None
    presence: str = "video"  # the pupil's starting level (a setting on the pupil's device)
    pause_minutes: float = 10.0
    send_size: tuple[int, int] = SEND_SIZE
    notice_s: int = 300  # the school-hours notice before the call ends
    level_interval: float = 0.1
    clock: Callable[[], dt.datetime] = field(default=_utc_now)


class FeatureHub:
    def __init__(self, host: FeatureHost, config: FeatureConfig, role: Role) -> None:
        self._host = host
        self.config = config
        self.role = role
        self.hand_raised = False
        self.presence = config.presence
        self.next_lesson: dt.datetime | None = None  # pupil: when the class opens again
        self.rejoin_at: dt.datetime | None = None  # pupil: the automatic rejoin
        self._last_reaction = -REACTION_GAP_S
        self.refusals = RefusalSummary("peer message")  # summarised: a peer may flood them
        self.classroom = ClassroomFeatures(host, self) if self.role is Role.CLASSROOM else None
        if self.role is Role.CLASSROOM:
            self.switches = config.switches or FeatureSwitches.defaults(
                has_lessons=config.schedule is not None and config.schedule.has_lessons
            )
        else:
            # Until the classroom announces its switches, accept what it sends: a
            # refusal for school hours comes before any call (and any announcement).
            self.switches = FeatureSwitches(schedule=True)
        self.peer_switches_known = False

    # -- engine hooks -----------------------------------------------------------

    def start(self) -> None:
        if self.classroom is not None:
            self.classroom.start()
        elif self.presence != "video":
            # The technician's starting level; "video" is the engine's own start, so
            # a set_media() the app made before start() is left alone then.
            self._apply_presence(self.presence)

    def on_channels_open(self) -> None:
        """A new link is up: tell the other side what it needs to show."""
        if self.classroom is not None:
            self.classroom.announce()
            return
        self._send("presence", level=self.presence)
        if self.hand_raised:
            self._send("hand", raised=True)

    def on_state(self, change: StateChange) -> None:
        if change.state is CallState.ENDED:
            self.hand_raised = False
            self.refusals.close()  # what the call's last interval counted, written now
        if self.classroom is not None:
            self.classroom.on_state(change)
        elif change.reason is EndReason.OUTSIDE_SCHEDULE and self.next_lesson is not None:
            self.rejoin_at = max(self.next_lesson, self.config.clock() + REJOIN_AFTER)
            self._host.spawn(self._rejoin_when_open(self.rejoin_at))

    def on_audio(self, frame: Any) -> None:
        if self.classroom is not None:
            self.classroom.on_audio(frame)

    @property
    def paused(self) -> bool:
        """The teacher's pause is on (classroom)."""
        return self.classroom is not None and self.classroom.paused

    def admit(self) -> str | None:
        """Classroom, at a pupil's hello: None admits, else the next start (school hours)."""
        return self.classroom.admit() if self.classroom is not None else None

    def on_control(self, message: ControlMessage) -> None:
        """Every incoming control message passes here on its way to the listener."""
        kind = message.kind
        wrong_way = FROM_CLASS if self.role is Role.CLASSROOM else FROM_PUPIL
        if kind in wrong_way or not self.switches.allows(kind):
            logger.debug("control %s ignored (direction or switched off)", kind)
            return
        if self.classroom is not None:
            if not self.classroom.on_control(message):
                return
        elif not self._pupil_receives(message):
            return
        self._host.report_control(message)

    # -- the pupil --------------------------------------------------------------

    def raise_hand(self, raised: bool = True) -> bool:
        if self.classroom is not None or not self.switches.hand:
            return False
        self.hand_raised = raised
        return self._send("hand", raised=raised)

    def set_presence(self, level: str) -> bool:
        """listening: mic and camera off; voice: mic on; video: both (the GUI releases devices)."""
        if level not in messages.PRESENCE_LEVELS:
            raise ValueError(level)
        if self.classroom is not None or not self.switches.presence:
            return False
        self._apply_presence(level)
        return self._send("presence", level=level)

    def set_view(self, x: float, y: float, zoom: float) -> bool:
        if self.classroom is not None or not self.switches.view:
            return False
        view = View(x, y, zoom).clamped()
        return self._send("view", x=view.x, y=view.y, zoom=view.zoom)

    def view_preset(self, name: str) -> bool:
        if self.classroom is not None or not self.switches.view:
            return False
        return self._send("view_preset", name=name)

    def whisper(self, on: bool) -> bool:
        if self.classroom is not None or not self.switches.whisper:
            return False
        return self._send("whisper", on=on)

    def react(self, kind: str) -> bool:
        """False also when it comes within a second of the previous one."""
        if self.classroom is not None or not self.switches.reactions:
            return False
        if not self.reaction_due():
            return False
        return self._send("reaction", kind=kind)

    async def _rejoin_when_open(self, at: dt.datetime) -> None:
        """Join again when the lessons start (wall clock: a laptop may sleep till then)."""
        # Polls on purpose: asyncio's sleep runs on the monotonic clock, which stops
        # while the laptop is suspended.
        while (left := (at - self.config.clock()).total_seconds()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(left, REJOIN_POLL_S))
        if self.rejoin_at is at:
            self.rejoin_at = None
            await self._host.rejoin()  # does nothing unless the call is still ended

    def _apply_presence(self, level: str) -> None:
        self.presence = level
        self._host.set_media(mic=level != "listening", camera=level == "video")

    def _pupil_receives(self, message: ControlMessage) -> bool:
        kind, body = message.kind, message.body
        if kind == "features":
            self.switches = FeatureSwitches.from_body(body)
            self.peer_switches_known = True
        elif kind == "hand_ack":
            self.hand_raised = False
        elif kind == "next_lesson":
            at = body["at"]
            if at and parse_instant(at) is None:
                self.refusals.note("next_lesson not an instant")
                return False
            self.next_lesson = parse_instant(at) if at else None
        return True

    # -- shared -----------------------------------------------------------------

    def reaction_due(self) -> bool:
        now = time.monotonic()
        if now - self._last_reaction < REACTION_GAP_S:
            return False
        self._last_reaction = now
        return True

    def _send(self, kind: str, /, **body: object) -> bool:
        return self._host.send_control(ControlMessage(kind, body))
