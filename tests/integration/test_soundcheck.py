"""Issue 11.5 end to end with two real engines on loopback: the pupil's sound check reads
the level the class received, and the classroom's stats say whether its echo
canceller converged (both rooms simulated, as in ``demo --room classroom``)."""

from __future__ import annotations

import asyncio
from typing import Any

from media.audio.echo import EchoStatus
from media.audio.room import CLASSROOM, HOME, SimulatedRoom
from media.audio.settings import AudioSettings
from media.features.soundcheck import SPEAK_S, Heard, judge
from media.features.speaker import ClassSpeaker
from media.peer import LocalMedia
from media.state import CallState
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack
from tests.integration.test_call_media import MeteredRecorder
from tests.integration.test_features import call, kinds
from tests.support.calls import make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay


def _last(recorder: MeteredRecorder) -> float:
    return float(kinds(recorder, "level")[-1]["dbfs"])


async def _levels_for(recorder: MeteredRecorder, seconds: float) -> list[float]:
    """The ``level`` values that arrive during ``seconds`` (a check's "say something")."""
    before = len(kinds(recorder, "level"))
    await asyncio.sleep(seconds)
    return [float(body["dbfs"]) for body in kinds(recorder, "level")[before:]]


async def test_the_pupils_check_judges_the_level_the_class_sends_back(fleet: TestFleet) -> None:
    voice = SyntheticAudioTrack(level_dbfs=-20.0)
    async with call(fleet, pupil_audio=voice) as (_es, rs, ec, _rc):
        assert ec.features.classroom is not None
        ec.features.classroom.set_speaker(0.8, available=True)  # as the class screen does
        await wait_until(lambda: kinds(rs, "speaker"), 5, "class speaker reported")
        await wait_until(lambda: kinds(rs, "level"), 5, "levels flowing")
        speaker = ClassSpeaker.from_body(kinds(rs, "speaker")[-1])
        loud = judge(await _levels_for(rs, SPEAK_S), mic_on=True, speaker=speaker)
        assert loud.heard is Heard.GOOD
        assert loud.received_dbfs is not None and -26 < loud.received_dbfs < -14

        voice.set_level(-46.0)  # a pupil far from the microphone
        await wait_until(lambda: _last(rs) < -40, 5, "the softer voice arrived")
        soft = judge(await _levels_for(rs, SPEAK_S), mic_on=True, speaker=speaker)
        assert soft.heard is Heard.QUIET

        voice.set_level(None)  # silence: levels still come, at the floor
        await wait_until(lambda: _last(rs) < -60, 5, "the silence arrived")
        silent = judge(await _levels_for(rs, SPEAK_S), mic_on=True, speaker=speaker)
        assert silent.heard is Heard.NOTHING


class RoomRecorder(MeteredRecorder):
    """Plays what arrives into the device's simulated room (its speaker)."""

    def __init__(self, room: SimulatedRoom) -> None:
        super().__init__()
        self.room = room

    def on_audio_frame(self, frame: Any) -> None:
        super().on_audio_frame(frame)
        self.room.play(frame)


async def test_the_classroom_reports_its_echo_canceller_converging_then_converged(
    fleet: TestFleet,
) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    class_room, home = SimulatedRoom(CLASSROOM), SimulatedRoom(HOME)
    rc, rs = RoomRecorder(class_room), RoomRecorder(home)
    class_media = LocalMedia(class_room, SyntheticVideoTrack(640, 360, 15))
    ec, _ = make_engine(classroom, relay.port, recorder=rc, media=class_media)
    es, _ = make_engine(student, relay.port, recorder=rs,
                        media=LocalMedia(home, SyntheticVideoTrack(320, 240, 15)))  # fmt: skip
    class_room.reference_sink = ec.play_reference
    home.reference_sink = es.play_reference
    async with running(ec, es):
        await wait_until(lambda: rc.state is CallState.LIVE, 10, "live")
        await wait_until(lambda: any(s.echo for s in rc.stats), 5, "echo status in the stats")
        assert rc.stats[0].echo in (EchoStatus.CONVERGING, EchoStatus.CONVERGED)
        await wait_until(
            lambda: rc.stats[-1].echo == EchoStatus.CONVERGED, 10, "converged on the pupil's voice"
        )
        assert ec.echo_status is EchoStatus.CONVERGED
        ec.set_audio_processing(AudioSettings(echo_cancellation=False))
        await wait_until(lambda: rc.stats[-1].echo == EchoStatus.OFF, 5, "switched off")
