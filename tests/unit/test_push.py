"""Push tracks: any thread pushes, the engine loop pulls; newest video wins, audio is bounded."""

from __future__ import annotations

import array
import asyncio
import fractions
import math
import threading

import av
import pytest
from aiortc.codecs.opus import OpusEncoder
from aiortc.mediastreams import MediaStreamError

from media.push import VIDEO_TIME_BASE, PushAudioTrack, PushVideoTrack
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack, read_marker


class FakeClock:
    def __init__(self, start: float = 500.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _video(seq: int, size: tuple[int, int] = (320, 180)) -> av.VideoFrame:
    return SyntheticVideoTrack(*size).make_frame(seq, 0)


def _tone(
    samples: int, layout: str = "mono", rate: int = 48000, fmt: str = "s16", start: int = 0
) -> av.AudioFrame:
    """A ramp: sample n (per channel) is (start + n) % 1000, so order and loss are visible."""
    channels = 1 if layout == "mono" else 2
    values = [(start + n) % 1000 for n in range(samples) for _ in range(channels)]
    frame = av.AudioFrame(format="s16", layout=layout, samples=samples)
    frame.planes[0].update(array.array("h", values).tobytes())
    frame.sample_rate = rate
    frame.time_base = fractions.Fraction(1, rate)
    frame.pts = 0
    return frame if fmt == "s16" else av.AudioResampler(format=fmt).resample(frame)[0]


def _samples(frame: av.AudioFrame) -> array.array[int]:
    out = array.array("h")
    out.frombytes(bytes(frame.planes[0]))
    return out


# --- video ------------------------------------------------------------------------------


async def test_video_latest_frame_wins_and_is_stamped_from_push_time() -> None:
    clock = FakeClock()
    track = PushVideoTrack(clock=clock)
    for seq in range(5):
        track.push(_video(seq))
        clock.now += 0.010
    frame = await track.recv()
    marker = read_marker(frame)
    assert marker is not None and marker.seq == 4
    assert track.dropped == 4 and track.pushed == 5 and track.delivered == 1
    assert frame.time_base == VIDEO_TIME_BASE and frame.pts == 0

    clock.now += 1 / 30
    track.push(_video(5))
    second = await track.recv()
    assert second.pts == round((0.010 + 1 / 30) * 90000)


async def test_video_recv_waits_for_a_push_from_another_thread() -> None:
    track = PushVideoTrack()
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.05)
    assert not waiting.done()  # nothing pushed: recv waits, it does not spin or invent frames
    thread = threading.Thread(target=track.push, args=(_video(9),))
    thread.start()
    frame = await asyncio.wait_for(waiting, 2)
    thread.join()
    marker = read_marker(frame)
    assert marker is not None and marker.seq == 9


async def test_video_pts_strictly_increase_even_for_pushes_at_one_instant() -> None:
    clock = FakeClock()
    track = PushVideoTrack(clock=clock)
    stamps = []
    for seq in range(3):
        track.push(_video(seq))
        stamps.append((await track.recv()).pts)
    assert stamps == [0, 1, 2]


async def test_video_stale_frame_is_never_sent() -> None:
    clock = FakeClock()
    track = PushVideoTrack(clock=clock, max_age=0.5)
    track.push(_video(1))
    clock.now += 2  # e.g. captured before a pause; the engine pulls only now
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.02)
    assert not waiting.done()
    track.push(_video(2))
    marker = read_marker(await asyncio.wait_for(waiting, 2))
    assert marker is not None and marker.seq == 2
    assert track.dropped == 1


async def test_video_fallback_stands_in_and_timeline_continues() -> None:
    clock = FakeClock()
    track = PushVideoTrack(fallback=SyntheticVideoTrack(320, 180), clock=clock)
    track.push(_video(100))
    first = await track.recv()
    track.set_fallback_active(True)
    track.push(_video(101))  # ignored while the fallback stands in
    clock.now += 0.5
    substitute = await asyncio.wait_for(track.recv(), 2)
    marker = read_marker(substitute)
    assert marker is not None and marker.seq == 0  # the synthetic source's own numbering
    assert substitute.pts > first.pts
    track.set_fallback_active(False)
    clock.now += 0.1
    track.push(_video(102))
    back = await track.recv()
    assert read_marker(back).seq == 102  # type: ignore[union-attr]
    assert back.pts > substitute.pts


async def test_video_switching_to_fallback_wakes_a_waiting_recv() -> None:
    track = PushVideoTrack(fallback=SyntheticVideoTrack(320, 180))
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.02)
    threading.Thread(target=track.set_fallback_active, args=(True,)).start()
    frame = await asyncio.wait_for(waiting, 2)
    assert frame.width == 320


async def test_video_stop_ends_a_waiting_recv() -> None:
    track = PushVideoTrack()
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.02)
    track.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(waiting, 2)


# --- audio ------------------------------------------------------------------------------


async def test_audio_rechunks_to_20ms_stereo_with_monotonic_pts() -> None:
    clock = FakeClock()
    track = PushAudioTrack(clock=clock)
    for index in range(5):  # 10 ms mono pieces, as a sound card might deliver them
        track.push(_tone(480, start=480 * index))
    frames = [await track.recv(), await track.recv()]
    for frame in frames:
        assert (frame.format.name, frame.layout.name, frame.sample_rate) == ("s16", "stereo", 48000)
        assert frame.samples == 960 and frame.time_base == fractions.Fraction(1, 48000)
    assert [f.pts for f in frames] == [0, 960]
    left_right = _samples(frames[0])
    assert list(left_right[0:8]) == [0, 0, 1, 1, 2, 2, 3, 3]  # mono duplicated, not -3 dB
    assert list(_samples(frames[0])[958:962]) == [479, 479, 480, 480]  # pieces joined
    assert list(_samples(frames[1])[0:2]) == [960 % 1000] * 2  # continues where the last ended
    assert track.buffered() == pytest.approx(0.010)


async def test_audio_buffer_is_bounded_and_drops_the_oldest() -> None:
    track = PushAudioTrack(max_buffer=0.100)
    for index in range(30):  # 300 ms, nobody pulling
        piece = _tone(480)
        array_ = _samples(piece)
        for n in range(len(array_)):
            array_[n] = index
        piece.planes[0].update(array_.tobytes())
        track.push(piece)
    assert track.buffered() == pytest.approx(0.100)
    assert track.dropped_samples == 200 * 48
    first = await track.recv()
    assert _samples(first)[0] == 20  # the newest 100 ms survived: pieces 20..29


async def test_audio_other_formats_are_resampled() -> None:
    track = PushAudioTrack()
    for _ in range(6):
        track.push(_tone(441, layout="stereo", rate=44100, fmt="flt"))  # 60 ms float 44.1k
    frame = await asyncio.wait_for(track.recv(), 2)
    assert (frame.format.name, frame.layout.name, frame.samples) == ("s16", "stereo", 960)


async def test_audio_pts_jump_ahead_after_a_gap_but_never_back() -> None:
    clock = FakeClock()
    track = PushAudioTrack(clock=clock)
    track.push(_tone(960))
    assert (await track.recv()).pts == 0
    clock.now += 1.0  # the microphone stalled for a second
    track.push(_tone(960))
    assert (await track.recv()).pts == 48000
    track.push(_tone(1920))
    assert [(await track.recv()).pts for _ in range(2)] == [48960, 49920]


async def test_audio_fallback_frames_are_restamped() -> None:
    clock = FakeClock()
    track = PushAudioTrack(fallback=SyntheticAudioTrack(), clock=clock)
    track.push(_tone(960))
    first = await track.recv()
    track.set_fallback_active(True)
    assert track.buffered() == 0
    second = await asyncio.wait_for(track.recv(), 2)
    assert second.pts == first.pts + 960
    samples = _samples(second)
    rms = math.sqrt(math.sumprod(samples, samples) / len(samples))
    assert rms > 1000  # the synthetic tone, not silence


async def test_audio_frames_feed_aiortcs_opus_encoder() -> None:
    track = PushAudioTrack()
    encoder = OpusEncoder()
    payloads = []
    for _ in range(5):
        track.push(_tone(960))
        packets, _timestamp = encoder.encode(await track.recv())
        payloads += packets
    assert payloads and all(len(p) > 0 for p in payloads)
