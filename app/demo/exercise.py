"""``klasgenoot demo --headless --exercise``: every classroom feature once, end to end.

Each step acts on one engine and waits until the *other* side observed the effect
(the classroom saw the hand, the pupil's decoded frames became the pause picture,
the zoomed frame resolved the grating, the level followed the pupil's tone, the
pupil read the class speaker drop to a whisper and come back, ...);
a message that was merely sent is not "ok". The classroom captures a still 4K
synthetic picture with a fine grating (media.features.grating) behind the crop
stage, at 30 fps like a real camera: the picture is drawn once into a ring of
reused frames, and the crop and scale (~5 ms at 4K) run off the engine loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from media.control import ControlMessage
from media.crop import View
from media.features.grating import (
    BLURRED,
    GRATING_CENTRE,
    RESOLVED,
    Box,
    GratingVideoTrack,
    column_contrast,
    grating_box,
)
from media.features.pause import is_pause_picture
from media.features.schedule import Schedule
from media.features.speaker import ClassSpeaker
from media.peer import LocalMedia
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack, read_marker
from pairing.roles import Role

if TYPE_CHECKING:
    from app.demo.headless import Party
    from media.engine import Engine

CLASS_SIZE = (3840, 2160)  # the classroom camera's full resolution
CLASS_FPS = 30
PUPIL_SIZE, PUPIL_FPS = (640, 480), 30
WAIT_S = 5.0
CLASS_VOLUME = 0.8  # the classroom window's default; the headless classroom has no screen
SENT = (1280, 720)
# At 4× on the grating's centre it fills the middle of the sent frame.
ZOOMED = Box(SENT[0] // 2 - 150, SENT[1] // 2 - 80, 300, 160)


class Failed(Exception):
    """A step whose effect the other side did not observe (the text is the reason)."""


@dataclass
class Exercise:
    pupil_voice: SyntheticAudioTrack = field(default_factory=SyntheticAudioTrack)
    interactions: dict[str, str] = field(default_factory=dict)

    def media(self, role: Role) -> LocalMedia:
        if role is Role.CLASSROOM:
            return LocalMedia(SyntheticAudioTrack(), GratingVideoTrack(*CLASS_SIZE, CLASS_FPS))
        return LocalMedia(self.pupil_voice, SyntheticVideoTrack(*PUPIL_SIZE, PUPIL_FPS))

    async def run(self, student: Party, classroom: Party) -> dict[str, str]:
        """Drive every feature once; ``{name: "ok" | "failed: reason"}``."""
        steps: list[tuple[str, Callable[[Party, Party], Awaitable[None]]]] = [
            ("features", self._features),
            ("hand", self._hand),
            ("presence", self._presence),
            ("whisper", self._whisper),
            ("reaction", self._reaction),
            ("level", self._level),
            ("view", self._view),
            ("pause", self._pause),
            ("schedule", self._schedule),
        ]
        for name, step in steps:
            try:
                await step(student, classroom)
            except Failed as exc:
                self.interactions[name] = f"failed: {exc}"
            except Exception as exc:  # a broken step must not hide the others' results
                self.interactions[name] = f"failed: {type(exc).__name__}"
            else:
                self.interactions[name] = "ok"
        return self.interactions

    # -- steps ------------------------------------------------------------------

    async def _features(self, student: Party, classroom: Party) -> None:
        pupil, room = _engine(student), _engine(classroom)
        await _until(lambda: pupil.features.peer_switches_known, "no announcement arrived")
        if pupil.features.switches != room.features.switches:
            raise Failed("the pupil's switches differ from the classroom's")

    async def _hand(self, student: Party, classroom: Party) -> None:
        pupil, room = _engine(student), _engine(classroom)
        mark = classroom.control_count
        pupil.features.raise_hand(True)
        await _until(
            lambda: _seen(classroom, mark, "hand", raised=True), "the classroom saw no hand"
        )
        assert room.features.classroom is not None
        mark = student.control_count
        room.features.classroom.acknowledge_hand()
        await _until(lambda: _seen(student, mark, "hand_ack"), "the pupil saw no lowering")
        if pupil.features.hand_raised or room.features.hand_raised:
            raise Failed("the hand is still up on one side")

    async def _presence(self, student: Party, classroom: Party) -> None:
        pupil = _engine(student)
        for level in ("voice", "video"):
            mark = classroom.control_count
            pupil.set_presence(level)
            await _expect(
                classroom, mark, f"the classroom did not see {level}", "presence", level=level
            )

    async def _whisper(self, student: Party, classroom: Party) -> None:
        room = _engine(classroom).features.classroom
        assert room is not None
        room.set_speaker(CLASS_VOLUME, available=True)  # what the class screen reports
        for on in (True, False):
            mark, seen = classroom.control_count, student.control_count
            _engine(student).features.whisper(on)
            await _expect(classroom, mark, "the classroom did not see it", "whisper", on=on)
            heard = ClassSpeaker.of(CLASS_VOLUME, whispering=on, available=True)
            await _expect(student, seen, "the pupil did not see the class speaker follow",
                          "speaker", **heard.to_body())  # fmt: skip

    async def _reaction(self, student: Party, classroom: Party) -> None:
        mark = classroom.control_count
        _engine(student).features.react("thumbs_up")
        await _until(
            lambda: _seen(classroom, mark, "reaction", kind="thumbs_up"),
            "the classroom did not see it",
        )

    async def _level(self, student: Party, classroom: Party) -> None:
        self.pupil_voice.set_level(None)
        await _until(lambda: _level(student, below=-60), "the meter stayed up in silence")
        self.pupil_voice.set_level(-20)
        await _until(lambda: _level(student, above=-30), "the meter did not follow the tone")

    async def _view(self, student: Party, classroom: Party) -> None:
        pupil, room = _engine(student), _engine(classroom)
        whole = grating_box(*SENT, 0.6)
        await _until(lambda: _contrast(student, whole) < BLURRED, "unzoomed grating not grey")
        pupil.features.set_view(*GRATING_CENTRE, 4.0)
        await _until(lambda: _contrast(student, ZOOMED) > RESOLVED, "the grating stayed blurred")
        board = room.save_board_view()
        pupil.features.view_preset("reset")
        await _until(lambda: _view(room) == View(), "reset did not reach the classroom")
        pupil.features.view_preset("board")
        await _until(lambda: _view(room) == board, "the board view did not return")
        pupil.features.view_preset("reset")
        await _until(lambda: read_marker(student.last_video) is not None, "no whole view again")

    async def _pause(self, student: Party, classroom: Party) -> None:
        room = _engine(classroom)
        mark = student.control_count
        room.pause(minutes=1)
        await _until(lambda: _seen(student, mark, "pause", paused=True), "the pupil was not told")
        await _until(lambda: _paused_picture(student), "the pupil still sees the class")
        if room.gate.passing or classroom.sending:
            raise Failed("LIVE stayed on")
        room.resume()
        await _until(lambda: read_marker(student.last_video) is not None, "no class after resume")
        if not classroom.sending:
            raise Failed("LIVE did not come back")

    async def _schedule(self, student: Party, classroom: Party) -> None:
        room = _engine(classroom).features.classroom
        assert room is not None
        mark = student.control_count
        switches = _engine(classroom).features.switches
        room.configure(switches=replace(switches, schedule=True), schedule=_closing_soon())
        try:
            await _until(
                lambda: any(
                    m.kind == "schedule" and m.body["closes_in_s"] <= 300
                    for m in _since(student, mark)
                ),
                "no notice reached the pupil",
            )
        finally:
            room.configure(switches=switches, schedule=None)  # the demo call goes on


def _engine(party: Party) -> Engine:
    assert party.engine is not None
    return party.engine


async def _expect(party: Party, mark: int, reason: str, kind: str, /, **body: Any) -> None:
    await _until(lambda: _seen(party, mark, kind, **body), reason)


def _seen(party: Party, mark: int, kind: str, /, **body: Any) -> bool:
    return any(
        m.kind == kind and all(m.body.get(k) == v for k, v in body.items())
        for m in _since(party, mark)
    )


def _since(party: Party, mark: int) -> list[ControlMessage]:
    """The control messages received after the ``mark``-th (as far as still kept)."""
    kept = list(party.controls)
    first_kept = party.control_count - len(kept)
    return kept[max(0, mark - first_kept) :]


def _level(party: Party, *, below: float = 1.0, above: float = -121.0) -> bool:
    levels = [m.body["dbfs"] for m in party.controls if m.kind == "level"]
    return bool(levels) and above < levels[-1] < below


def _contrast(party: Party, box: Box) -> float:
    frame = party.last_video
    if frame is None or (frame.width, frame.height) != SENT:
        return -1.0 if box is ZOOMED else 1e9
    return column_contrast(frame, box)


def _view(engine: Engine) -> View | None:
    return engine.view.view if engine.view is not None else None


def _paused_picture(party: Party) -> bool:
    frame = party.last_video
    return frame is not None and is_pause_picture(frame) and read_marker(frame) is None


def _closing_soon(now: dt.datetime | None = None) -> Schedule:
    """Lesson hours that end in 4 minutes, in a time zone where it is about noon.

    In the device's own zone the 5-minute window may cross local midnight, which
    a lesson cannot (ranges end by 23:59): near midnight the step would fail. A
    fixed-offset zone (``Etc/GMT-2`` is UTC+2) puts "now" near noon at any hour.
    """
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    offset = 12 - now.hour  # -11 .. +12 hours: all exist as Etc/GMT zones
    schedule = Schedule(timezone=f"Etc/GMT{-offset:+d}")
    local = now.astimezone(schedule.zone)
    start = (local - dt.timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    end = (local + dt.timedelta(minutes=4)).time().replace(second=0, microsecond=0)
    week = tuple(((start, end),) if day == local.weekday() else () for day in range(7))
    return replace(schedule, week=week)


async def _until(condition: Callable[[], bool], reason: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise Failed(reason)
        await asyncio.sleep(0.05)
