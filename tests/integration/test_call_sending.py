"""What leaves a device: the send gate (LIVE) and the microphone/camera switches."""

from __future__ import annotations

import pytest

from media.measure import FrameMeter
from media.peer import LocalMedia
from media.state import CallState
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack
from tests.integration.test_call_media import MeteredRecorder
from tests.support.calls import make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


def _media(width: int, height: int) -> LocalMedia:
    return LocalMedia(SyntheticAudioTrack(), SyntheticVideoTrack(width, height, 30))


async def test_nothing_leaves_before_live_is_confirmed_or_after_it_ends(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    rs, rc = MeteredRecorder(), MeteredRecorder()
    es, _ = make_engine(student, relay.port, recorder=rs, media=_media(640, 480))
    ec, _ = make_engine(
        classroom, relay.port, recorder=rc, media=_media(1280, 720), confirm_sending=True
    )
    async with running(ec, es):
        await wait_until(lambda: rc.state is CallState.LIVE and rc.video_times, 10, "pupil media")
        # The classroom is live but has not confirmed LIVE on screen: no class frame out.
        await wait_until(lambda: len(rc.video_times) > 30, 5, "a second of pupil frames")
        assert rs.video_times == [] and rs.audio_frames == 0 and rc.sending == []
        ec.allow_sending()
        assert rc.sending[-1][1] is True
        await wait_until(lambda: len(rs.video_times) > 10, 5, "class frames after LIVE")

        await es.hangup()
        await wait_until(lambda: rc.sending[-1][1] is False, 2, "sending stopped")
        stopped_at = rc.sending[-1][0]
        sent_then = ec.sent.total
        await wait_until(lambda: rc.state is CallState.ENDED, 2, "ended")
        assert ec.sent.total == sent_then  # nothing passed the gate after it reported off
        assert all(t <= stopped_at + 0.2 for t in rs.video_times)  # in-flight at most


async def test_microphone_and_camera_switches_change_what_the_peer_receives(
    fleet: TestFleet,
) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    rs, rc = MeteredRecorder(), MeteredRecorder()
    es, _ = make_engine(student, relay.port, recorder=rs, media=_media(640, 480))
    ec, _ = make_engine(classroom, relay.port, recorder=rc, media=_media(1280, 720))
    async with running(ec, es):
        await wait_until(lambda: len(rc.video_times) > 15 and rc.audio_frames > 25, 10, "media")
        level = rc.meter.snapshot().audio_level_dbfs
        assert level is not None and level > -30

        es.set_media(mic=False, camera=False)
        await wait_until(
            lambda: any(m.kind == "media" and m.body["camera"] is False for m in rc.controls),
            2,
            "classroom told",
        )
        rc.meter = FrameMeter()  # measure only what arrives from now on
        frames_before = len(rc.video_times)
        await wait_until(lambda: rc.meter.snapshot().audio_frames_received > 40, 5, "audio")
        silent = rc.meter.snapshot().audio_level_dbfs
        assert silent is not None and silent < -60  # the class hears silence
        assert len(rc.video_times) - frames_before <= 3  # in flight when switched off

        es.set_media(mic=True, camera=True)
        await wait_until(lambda: len(rc.video_times) > frames_before + 15, 5, "video back")
        assert any(m.kind == "media" and m.body["mic"] is True for m in rc.controls)
