"""Media flows both ways and is measured: distinct frames, sizes, latency, audio."""

from __future__ import annotations

import pytest

from media.measure import FrameMeter
from media.peer import LocalMedia
from media.state import CallState
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack
from tests.support.calls import Recorder, make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


class MeteredRecorder(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.meter = FrameMeter()

    def on_video_frame(self, frame: object) -> None:
        super().on_video_frame(frame)
        self.meter.on_video(frame)  # type: ignore[arg-type]

    def on_audio_frame(self, frame: object) -> None:
        super().on_audio_frame(frame)
        self.meter.on_audio(frame)  # type: ignore[arg-type]


async def test_media_flows_both_ways_and_95_percent_arrives(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    class_video = SyntheticVideoTrack(1280, 720, 30)
    pupil_video = SyntheticVideoTrack(640, 480, 30)
    rs, rc = MeteredRecorder(), MeteredRecorder()
    es, _ = make_engine(
        student, relay.port, recorder=rs, media=LocalMedia(SyntheticAudioTrack(), pupil_video)
    )
    ec, _ = make_engine(
        classroom, relay.port, recorder=rc, media=LocalMedia(SyntheticAudioTrack(), class_video)
    )
    async with running(ec, es):
        await wait_until(
            lambda: (
                rs.meter.snapshot().frames_received >= 90
                and rc.meter.snapshot().frames_received >= 90
            ),
            20,
            "3 s of frames",
        )
        # Stop sending at the source (the send gate), so "sent" is final, then give
        # frames still being encoded or in flight a moment to arrive.
        await ec.gate.close()
        await es.gate.close()
        class_sent, pupil_sent = class_video.sent, pupil_video.sent
        await wait_until(
            lambda: (
                rs.meter.snapshot().frames_received >= 0.95 * class_sent
                and rc.meter.snapshot().frames_received >= 0.95 * pupil_sent
            ),
            3,
            "95 % of what was sent",
        )
        await es.hangup()
        await wait_until(lambda: rc.state is CallState.ENDED, 2, "ended")
    to_student, to_class = rs.meter.snapshot(), rc.meter.snapshot()
    assert (to_student.width, to_student.height) == (1280, 720)
    assert (to_class.width, to_class.height) == (640, 480)
    assert to_student.frames_received >= 0.95 * class_sent
    assert to_class.frames_received >= 0.95 * pupil_sent
    for snap in (to_student, to_class):
        assert snap.latency_samples >= 0.95 * snap.frames_received
        assert snap.latency_ms_p50 is not None and 0 <= snap.latency_ms_p50 < 1000
        assert snap.audio_frames_received > 100
        assert snap.audio_level_dbfs is not None and snap.audio_level_dbfs > -30
