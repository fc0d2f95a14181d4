"""Video latency below bare aiortc (issue 11, item 4): two loopback calls side by side.

aiortc's video jitter buffer releases a complete frame only when the next frame's
first packet arrives; media.framebuffer releases it on its last packet. Both calls
run at once in this process (bench.video_latency), so load from anything else on
the machine hits both alike: the test compares them, never absolute figures.
"""

from __future__ import annotations

import pytest
from aiortc.jitterbuffer import JitterBuffer

from bench.video_latency import side_by_side
from media import ice
from media.framebuffer import FrameBuffer
from media.peer import LinkEvents, LocalMedia, PeerLink

pytestmark = pytest.mark.asyncio

SECONDS = 8.0


async def test_frames_reach_the_app_sooner_than_with_aiortcs_buffer() -> None:
    result = await side_by_side(SECONDS, width=640, height=480)
    ours, theirs = result["ours"], result["aiortc"]
    # The private attribute we replace is still the one aiortc's receiver uses.
    assert ours["buffer"] == ["FrameBuffer"] and theirs["buffer"] == ["JitterBuffer"]
    assert ours["frames"] >= SECONDS * 30 * 0.8, ours
    assert theirs["frames"] >= SECONDS * 30 * 0.8, theirs
    # One frame interval (33 ms) less in the middle, and a shorter tail.
    assert ours["latency_ms_p50"] < theirs["latency_ms_p50"] - 10, result
    assert ours["latency_ms_p95"] < theirs["latency_ms_p95"], result


async def test_every_call_receives_video_through_the_frame_buffer() -> None:
    ice.set_loopback_only(True)
    events = LinkEvents(
        on_control=lambda _m: None,
        on_life=lambda: None,
        on_connected=lambda: None,
        on_failed=lambda _r: None,
    )
    offerer = PeerLink(ice_servers=[], media=LocalMedia(), events=events)
    answerer = PeerLink(ice_servers=[], media=LocalMedia(), events=events)
    try:
        answer = await answerer.accept_offer(await offerer.create_offer())
        await offerer.accept_answer(answer)
        for link in (offerer, answerer):
            kinds = {
                t.kind: type(t.receiver._RTCRtpReceiver__jitter_buffer)
                for t in link.pc.getTransceivers()
            }
            assert kinds["video"] is FrameBuffer
            assert kinds["audio"] is not JitterBuffer  # media.audio.playout's
    finally:
        await offerer.close()
        await answerer.close()
