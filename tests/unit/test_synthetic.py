"""Synthetic sources and the meter: markers survive VP8, pacing holds, stats add up."""

from __future__ import annotations

import asyncio
import fractions
import random
import time

import av
import pytest
from aiortc.codecs.opus import OpusDecoder, OpusEncoder
from aiortc.codecs.vpx import MIN_BITRATE, Vp8Decoder, Vp8Encoder, vp8_depayload
from aiortc.jitterbuffer import JitterFrame
from hypothesis import given, settings
from hypothesis import strategies as st

from media import synthetic_video
from media.audio.level import SILENCE_DBFS
from media.measure import FrameMeter, consume_audio, consume_video
from media.synthetic import Pacer
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import Marker, SyntheticVideoTrack, read_marker

EPOCH_MS = 1_767_225_600_000  # 2026-01-01, a realistic 41-bit capture time


class FakeClock:
    """A clock the test moves; ``sleep`` moves it too, as real sleeping would."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _paint_cell(frame: av.VideoFrame, index: int, value: int) -> None:
    """Overwrite one whole marker block of ``frame`` with ``value``."""
    x0, x1, y0, y1 = synthetic_video._cells(frame.width, frame.height)[index]
    plane = frame.planes[0]
    luma = memoryview(plane)
    for y in range(y0, y1):
        luma[y * plane.line_size + x0 : y * plane.line_size + x1] = bytes([value]) * (x1 - x0)


def _cell_value(frame: av.VideoFrame, index: int) -> int:
    x0, x1, y0, y1 = synthetic_video._cells(frame.width, frame.height)[index]
    plane = frame.planes[0]
    return memoryview(plane)[((y0 + y1) // 2) * plane.line_size + (x0 + x1) // 2]


# --- marker ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1280, 720), (640, 480), (320, 240), (642, 362)])
@pytest.mark.parametrize(
    "marker", [Marker(0, 0), Marker(1, EPOCH_MS), Marker(2**32 - 1, 2**48 - 1)]
)
def test_marker_round_trip(size: tuple[int, int], marker: Marker) -> None:
    frame = SyntheticVideoTrack(*size).make_frame(marker.seq, marker.capture_ms)
    assert (frame.width, frame.height, frame.format.name) == (*size, "yuv420p")
    assert read_marker(frame) == marker


@settings(max_examples=40, deadline=None)
@given(seq=st.integers(0, 2**32 - 1), capture_ms=st.integers(0, 2**48 - 1))
def test_marker_round_trip_any_value(seq: int, capture_ms: int) -> None:
    frame = SyntheticVideoTrack(640, 360).make_frame(seq, capture_ms)
    assert read_marker(frame) == Marker(seq, capture_ms)


def test_marker_survives_scaling_and_other_formats() -> None:
    frame = SyntheticVideoTrack(1280, 720).make_frame(77, EPOCH_MS)
    assert read_marker(frame.reformat(width=960, height=540)) == Marker(77, EPOCH_MS)
    assert read_marker(frame.reformat(format="rgb24")) == Marker(77, EPOCH_MS)
    assert read_marker(frame.reformat(format="nv12")) == Marker(77, EPOCH_MS)


@pytest.mark.parametrize("size", [(1280, 720), (640, 480)])
def test_marker_survives_vp8_at_its_lowest_bitrate(size: tuple[int, int]) -> None:
    track = SyntheticVideoTrack(*size)
    encoder, decoder = Vp8Encoder(), Vp8Decoder()
    encoder.target_bitrate = MIN_BITRATE
    sent_bytes, read = 0, []
    for seq in range(60):
        frame = track.make_frame(seq, EPOCH_MS + 33 * seq, pts=3000 * seq)
        payloads, timestamp = encoder.encode(frame)
        sent_bytes += sum(len(p) for p in payloads)
        data = b"".join(vp8_depayload(p) for p in payloads)
        read += [read_marker(f) for f in decoder.decode(JitterFrame(data, timestamp))]
    assert sent_bytes * 8 / 2 < 600_000  # 60 frames = 2 s: really a low bitrate
    assert read == [Marker(seq, EPOCH_MS + 33 * seq) for seq in range(60)]


def test_a_damaged_marker_reads_as_none_never_as_a_wrong_number() -> None:
    track = SyntheticVideoTrack(640, 480)
    for index in range(synthetic_video.COLUMNS * synthetic_video.ROWS):  # every single bit
        frame = track.make_frame(12345, EPOCH_MS)
        flipped = 16 if _cell_value(frame, index) > 128 else 235
        _paint_cell(frame, index, flipped)
        assert read_marker(frame) is None, index
    rng = random.Random(7)
    for _ in range(100):  # odd numbers of flipped bits: the check catches all of them
        frame = track.make_frame(rng.getrandbits(32), rng.getrandbits(48))
        for index in rng.sample(range(96), 3):
            _paint_cell(frame, index, 16 if _cell_value(frame, index) > 128 else 235)
        assert read_marker(frame) is None


def test_no_marker_and_grey_blocks_read_as_none() -> None:
    frame = SyntheticVideoTrack(640, 480).make_frame(5, EPOCH_MS)
    _paint_cell(frame, 40, 128)  # neither black nor white
    assert read_marker(frame) is None
    blank = av.VideoFrame(640, 480, "yuv420p")
    for value in (0, 16, 235, 255):
        for plane in blank.planes:
            plane.update(bytes([value]) * plane.buffer_size)
        assert read_marker(blank) is None
    noisy = av.VideoFrame(640, 480, "yuv420p")
    rng = random.Random(3)
    for _ in range(20):
        noisy.planes[0].update(rng.randbytes(noisy.planes[0].buffer_size))
        assert read_marker(noisy) is None
    assert read_marker(av.VideoFrame(32, 18, "yuv420p")) is None  # too small to carry one


def test_the_pattern_moves() -> None:
    track = SyntheticVideoTrack(640, 480)
    first, second = track.make_frame(1, 0), track.make_frame(2, 0)
    band = synthetic_video.ROWS * 480 // 18 * 640
    assert bytes(first.planes[0])[band:] != bytes(second.planes[0])[band:]
    assert bytes(first.planes[1]) != bytes(second.planes[1])


def test_odd_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        SyntheticVideoTrack(641, 480)


# --- pacing ---------------------------------------------------------------------------


async def test_pacer_due_times_do_not_drift_with_slow_frames() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(300):
        await pacer.next()
        clock.now += 0.013  # the frame's own work: summed sleeps would drift by 3.9 s
    assert clock.now == pytest.approx(start + 299 / 30 + 0.013, abs=1e-6)


async def test_pacer_skips_ahead_after_a_stall_instead_of_bursting() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock, sleep=clock.sleep)
    assert [await pacer.next() for _ in range(3)] == [0, 1, 2]
    clock.now += 1.01  # the consumer stalled for a second
    assert await pacer.next() == 32
    before = len(clock.slept)
    assert await pacer.next() == 33
    assert len(clock.slept) == before + 1  # paced again, not a burst


async def test_video_track_runs_at_its_frame_rate_on_the_wall_clock() -> None:
    track = SyntheticVideoTrack(320, 240, fps=30)
    frames = [await track.recv()]
    start = time.monotonic()
    while time.monotonic() - start < 1.2:
        frames.append(await track.recv())
    elapsed = time.monotonic() - start
    rate = (len(frames) - 1) / elapsed
    assert 27 <= rate <= 33, rate
    assert track.sent == len(frames)
    assert [f.pts for f in frames[:3]] == [0, 3000, 6000]
    assert frames[0].time_base == fractions.Fraction(1, 90000)
    assert [read_marker(f).seq for f in frames[:3]] == [0, 1, 2]  # type: ignore[union-attr]


async def test_audio_track_runs_at_50_frames_a_second() -> None:
    track = SyntheticAudioTrack()
    frames = [await track.recv()]
    start = time.monotonic()
    while time.monotonic() - start < 1.0:
        frames.append(await track.recv())
    rate = (len(frames) - 1) / (time.monotonic() - start)
    assert 45 <= rate <= 55, rate
    first = frames[0]
    assert (first.samples, first.sample_rate, first.format.name) == (960, 48000, "s16")
    assert first.layout.name == "stereo"
    assert frames[1].pts - frames[0].pts == 960


# --- meter ----------------------------------------------------------------------------


def _meter(clock: FakeClock, wall: FakeClock | None = None, **kwargs: float) -> FrameMeter:
    return FrameMeter(clock=clock, wall_clock=wall or clock, **kwargs)  # type: ignore[arg-type]


def test_meter_counts_distinct_frames_once() -> None:
    clock = FakeClock()
    meter = _meter(clock)
    for seq in [0, 1, 1, 2, 2, 2, 3, 1, 0]:
        clock.now += 0.033
        meter.record_video(Marker(seq, 0), 640, 480)
    meter.record_video(None, 320, 240)
    stats = meter.snapshot()
    assert (stats.frames_received, stats.video_frames_total, stats.markers_unreadable) == (4, 10, 1)
    assert (stats.width, stats.height) == (320, 240)


def test_meter_takes_late_frames_within_its_window() -> None:
    meter = FrameMeter(seq_window=64)
    for seq in [10, 8, 9, 8, 100, 99, 36, 37, 36]:
        meter.record_video(Marker(seq, 0), 1, 1)
    # 37 is within 64 of 100 and counts once; 36 is just outside the window
    assert meter.snapshot().frames_received == 6
    meter.record_video(Marker(30, 0), 1, 1)  # older than the window: not counted
    assert meter.snapshot().frames_received == 6


def test_meter_finds_freezes_and_rate() -> None:
    clock = FakeClock()
    meter = _meter(clock, window_s=5.0)
    assert meter.snapshot().fps == 0.0
    for seq in range(90):  # 3 s at 30 fps
        clock.now += 1 / 30
        meter.record_video(Marker(seq, 0), 1, 1)
    assert meter.snapshot().fps == pytest.approx(30, rel=0.02)
    clock.now += 0.6  # a freeze
    meter.record_video(Marker(90, 0), 1, 1)
    clock.now += 0.4  # a long gap, but not a freeze
    meter.record_video(Marker(91, 0), 1, 1)
    clock.now += 0.7  # only a repeat of an old frame arrives, then a new one
    meter.record_video(Marker(91, 0), 1, 1)
    clock.now += 0.1
    meter.record_video(Marker(92, 0), 1, 1)
    stats = meter.snapshot()
    assert stats.freezes == 2 and stats.longest_gap_ms == pytest.approx(800)
    clock.now += 10  # nothing for 10 s: no rate
    assert meter.snapshot().fps == 0.0


def test_meter_latency_percentiles() -> None:
    clock, wall = FakeClock(), FakeClock(EPOCH_MS / 1000)
    meter = _meter(clock, wall, latency_window=100)
    assert meter.snapshot().latency_ms_p50 is None
    for seq in range(200):  # the first 100 are pushed out of the window
        latency = 1000 if seq < 100 else 1 + seq % 100
        meter.record_video(Marker(seq, EPOCH_MS - latency), 1, 1)
    stats = meter.snapshot()
    assert stats.latency_samples == 100
    assert stats.latency_ms_p50 == pytest.approx(50) and stats.latency_ms_p95 == pytest.approx(95)


def test_meter_memory_is_bounded_over_a_long_call() -> None:
    clock = FakeClock()
    meter = _meter(clock)
    for seq in range(10 * 60 * 30):  # 10 minutes at 30 fps
        clock.now += 1 / 30
        meter.record_video(Marker(seq, 0), 1280, 720)
    assert meter.snapshot().frames_received == 18000
    assert len(meter._latency) <= 900 and len(meter._arrivals) <= 5 * 240
    assert meter._seen._mask.bit_length() <= 4096


def _level_through(track: SyntheticAudioTrack, meter: FrameMeter, frames: int) -> None:
    """Encode and decode with aiortc's Opus codec, as a real call does."""
    encoder, decoder = OpusEncoder(), OpusDecoder()
    for index in range(frames):
        payloads, timestamp = encoder.encode(track.make_frame(index))
        for payload in payloads:
            for frame in decoder.decode(JitterFrame(payload, timestamp)):
                meter.on_audio(frame)


@pytest.mark.parametrize("layout", ["stereo", "mono"])
def test_tone_level_is_measured(layout: str) -> None:
    track, meter = SyntheticAudioTrack(layout=layout), FrameMeter()
    assert meter.snapshot().audio_level_dbfs is None
    for index in range(25):
        meter.on_audio(track.make_frame(index))
    stats = meter.snapshot()
    assert stats.audio_frames_received == 25
    assert stats.audio_level_dbfs == pytest.approx(-20, abs=1.5)


def test_tone_level_survives_opus() -> None:
    track, meter = SyntheticAudioTrack(), FrameMeter()
    _level_through(track, meter, 50)
    assert meter.snapshot().audio_level_dbfs == pytest.approx(-20, abs=1.5)
    track.set_level(-40)
    _level_through(track, meter, 50)
    assert meter.snapshot().audio_level_dbfs == pytest.approx(-40, abs=1.5)
    track.set_level(None)
    _level_through(track, meter, 50)
    level = meter.snapshot().audio_level_dbfs
    assert level is not None and level < -60


def test_silence_and_limits() -> None:
    track, meter = SyntheticAudioTrack(level_dbfs=None), FrameMeter()
    meter.on_audio(track.make_frame(0))
    assert meter.snapshot().audio_level_dbfs == SILENCE_DBFS
    with pytest.raises(ValueError):
        track.set_level(0.0)  # a sine at 0 dBFS RMS would clip
    assert track.level_dbfs is None
    meter.on_audio(av.AudioFrame(format="flt", layout="mono", samples=960))  # counted only
    assert meter.snapshot().audio_frames_received == 2


async def test_consumers_pull_every_frame_until_the_track_ends() -> None:
    video, audio = SyntheticVideoTrack(320, 240), SyntheticAudioTrack()
    meter = FrameMeter()
    tasks = [
        asyncio.create_task(consume_video(video, meter)),
        asyncio.create_task(consume_audio(audio, meter)),
    ]
    while meter.snapshot().frames_received < 10:
        await asyncio.sleep(0.02)
    video.stop()
    audio.stop()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=2)
    stats = meter.snapshot()
    assert stats.frames_received == video.sent and stats.audio_frames_received == audio.sent
    assert stats.latency_ms_p95 is not None and 0 <= stats.latency_ms_p95 < 100
    assert stats.audio_level_dbfs == pytest.approx(-20, abs=1.5)
    assert (stats.width, stats.height, stats.freezes) == (320, 240, 0)
