"""The classroom's half of the features: hand, view, pause, level, speaker, school hours.

Part of :class:`media.features.hub.FeatureHub` (kept apart so each file stays
small); it reaches the engine only through :class:`media.ports.FeatureHost`. One
tick loop on the engine loop sends the "am I heard?" level ~10 times a second and
the class speaker's volume when it changed (at most as often; the screen reports
it with :meth:`ClassroomFeatures.set_speaker`, the engine knows the whisper), ends
the teacher's pause when its time is up and watches school hours (a notice
``notice_s`` before the end, then a polite end with bye "schedule").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from media.control import ControlMessage
from media.crop import View
from media.features.speaker import ClassSpeaker
from media.measure import FrameMeter
from media.state import CallState, StateChange

if TYPE_CHECKING:
    from media.features.hub import FeatureHub
    from media.features.schedule import Schedule
    from media.features.switches import FeatureSwitches
    from media.ports import FeatureHost

logger = logging.getLogger(__name__)

LEVEL_FRAMES = 5  # 5 × 20 ms: the level is the RMS over the last ~100 ms
SCHEDULE_EVERY_S = 1.0


class ClassroomFeatures:
    def __init__(self, host: FeatureHost, hub: FeatureHub) -> None:
        self._host, self._hub = host, hub
        self.schedule: Schedule | None = hub.config.schedule
        self.paused = False
        self._paused_until = 0.0
        self.board: View | None = None
        self._meter = FrameMeter(level_frames=LEVEL_FRAMES)
        self._audio_seen = 0
        self._noticed: dt.datetime | None = None  # the closing time already announced
        self._next_schedule_check = 0.0
        self.whispering = False
        self._speaker: tuple[float, bool] | None = None  # class volume, available; None: unknown
        self._speaker_sent: ClassSpeaker | None = None

    def start(self) -> None:
        self._host.spawn(self._tick_forever())

    # -- from the engine --------------------------------------------------------

    def announce(self) -> None:
        self._send("features", **self._hub.switches.to_body())
        if self.paused:
            self._send("pause", paused=True)
        self._speaker_sent = None  # a new link: the pupil's screen knows nothing yet
        self._send_speaker()

    def on_state(self, change: StateChange) -> None:
        if change.state is CallState.ENDED:
            self._hub.hand_raised = False
            self._noticed = None
        if change.state is not CallState.LIVE:
            self.whispering = False  # as the class screen does: the next call starts loud

    def on_audio(self, frame: Any) -> None:
        if self._hub.switches.level:
            self._meter.on_audio(frame)
            self._audio_seen += 1

    def on_control(self, message: ControlMessage) -> bool:
        """Apply a pupil's message; False drops it (not for the class screen)."""
        kind, body = message.kind, message.body
        if kind == "hand":
            self._hub.hand_raised = bool(body["raised"])
        elif kind == "view":
            self._set_view(View(body["x"], body["y"], body["zoom"]))
        elif kind == "view_preset":
            self._set_view((self.board or View()) if body["name"] == "board" else View())
        elif kind == "reaction":
            return self._hub.reaction_due()
        elif kind == "whisper":
            self.whispering = bool(body["on"])  # the tick tells the pupil the new volume
        return True

    # -- the teacher and the technician -----------------------------------------

    def acknowledge_hand(self) -> None:
        """The teacher tapped the hand: lowered on both sides."""
        if not self._hub.hand_raised:
            return
        self._hub.hand_raised = False
        self._send("hand_ack")
        self._host.report_control(ControlMessage("hand", {"raised": False}))

    def save_board_view(self) -> View | None:
        """Remember the current view as the one-touch "board" view."""
        track = self._host.view
        self.board = track.view if track is not None else None
        return self.board

    def pause(self, minutes: float | None = None) -> bool:
        if not self._hub.switches.pause:
            return False
        minutes = self._hub.config.pause_minutes if minutes is None else minutes
        self._paused_until = time.monotonic() + max(0.0, minutes) * 60
        if not self.paused:
            self.paused = True
            self._host.spawn(self._host.substitute())
            self._send("pause", paused=True)
            self._host.report_control(ControlMessage("pause", {"paused": True}))
        return True

    def resume(self) -> None:
        if not self.paused:
            return
        self.paused = False
        self._send("pause", paused=False)
        # With confirm_sending the screen shows LIVE on this report and then calls
        # allow_sending(); without, the engine lets class media out at once.
        self._host.report_control(ControlMessage("pause", {"paused": False}))
        if not self._host.confirm_sending:
            self._host.allow_sending()

    def set_speaker(self, volume: float, *, available: bool) -> None:
        """The screen's class volume (0..1) and whether a speaker plays; sent when it changed."""
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"volume {volume} is not within 0..1")
        self._speaker = (volume, available)

    @property
    def speaker(self) -> ClassSpeaker | None:
        """What the pupil is told about the class speaker (None until the screen said)."""
        if self._speaker is None:
            return None
        volume, available = self._speaker
        return ClassSpeaker.of(volume, whispering=self.whispering, available=available)

    def configure(
        self, *, switches: FeatureSwitches | None = None, schedule: Schedule | None = None
    ) -> None:
        """New settings from technician mode; the pupil is told at once."""
        self.schedule = schedule
        self._noticed = None
        self._speaker_sent = None  # "level" may have come on: the tick sends it again
        if switches is not None:
            self._hub.switches = switches
        if self.schedule is None or not self.schedule.has_lessons:
            self._hub.switches = replace(self._hub.switches, schedule=False)
        self._send("features", **self._hub.switches.to_body())

    def open_rest_of_today(self) -> None:
        if self.schedule is not None:
            self.configure(schedule=self.schedule.open_rest_of_today(self._hub.config.clock()))

    def admit(self) -> str | None:
        """May the pupil call now? None: yes; else the next start (ISO, "" if none)."""
        schedule = self.schedule
        if not self._hub.switches.schedule or schedule is None:
            return None
        now = self._hub.config.clock()
        if schedule.is_open(now):
            return None
        start = schedule.next_start(now)
        return start.isoformat() if start is not None else ""

    # -- the tick ----------------------------------------------------------------

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self._hub.config.level_interval)
            try:
                await self._tick(time.monotonic())
            except Exception:  # a feature must never end the call by accident
                logger.exception("feature tick failed")

    async def _tick(self, now: float) -> None:
        if self.paused and now >= self._paused_until:
            self.resume()
        if self._host.call_state is not CallState.LIVE:
            return
        if self._audio_seen and self._hub.switches.level:
            self._audio_seen = 0
            level = self._meter.snapshot().audio_level_dbfs
            if level is not None:
                self._send("level", dbfs=round(min(0.0, level), 1))
        if self.speaker != self._speaker_sent:
            self._send_speaker()
        if now >= self._next_schedule_check:
            self._next_schedule_check = now + SCHEDULE_EVERY_S
            await self._check_schedule()

    async def _check_schedule(self) -> None:
        schedule = self.schedule
        if schedule is None or not self._hub.switches.schedule:
            return
        now = self._hub.config.clock()
        closes = schedule.closes_at(now)
        left = (closes - now).total_seconds() if closes is not None else 0.0
        if left <= 0:
            start = schedule.next_start(now)
            self._send("next_lesson", at=start.isoformat() if start else "")
            await self._host.end_for_schedule()
            return
        if left <= self._hub.config.notice_s and closes != self._noticed:
            notice = ControlMessage("schedule", {"closes_in_s": int(left)})
            if self._host.send_control(notice):  # not before the channel is open
                self._noticed = closes
                self._host.report_control(notice)

    def _send_speaker(self) -> None:
        speaker = self.speaker
        if speaker is None or not self._hub.switches.level:
            return
        if self._send("speaker", **speaker.to_body()):  # not before the channel is open
            self._speaker_sent = speaker

    def _set_view(self, view: View) -> None:
        if self._host.view is not None:
            self._host.view.set_view(view)

    def _send(self, kind: str, /, **body: object) -> bool:
        return self._host.send_control(ControlMessage(kind, body))
