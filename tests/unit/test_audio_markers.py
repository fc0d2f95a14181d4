"""Time markers in the sound survive Opus and give the delay to the millisecond."""

from __future__ import annotations

import fractions

import av
import numpy as np
from aiortc.codecs.opus import OpusDecoder, OpusEncoder
from aiortc.jitterbuffer import JitterFrame

from media.audio.markers import MarkerReader, MarkerWriter, stamp
from media.measure import FrameMeter

RATE = 48000


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _tone_frame(index: int) -> av.AudioFrame:
    n = np.arange(index * 960, (index + 1) * 960)
    mono = (3000 * np.sin(2 * np.pi * 440 * n / RATE)).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(np.repeat(mono, 2).reshape(1, -1), format="s16",
                                       layout="stereo")  # fmt: skip
    frame.sample_rate, frame.pts = RATE, index * 960
    frame.time_base = fractions.Fraction(1, RATE)
    return frame


def test_markers_through_opus_give_the_delay() -> None:
    """Sender and receiver share a clock; the network 'takes' 87 ms (a fixed queue)."""
    clock = Clock()
    writer, meter = MarkerWriter(clock), FrameMeter(wall_clock=clock)
    encoder, decoder = OpusEncoder(), OpusDecoder()
    in_flight: list[tuple[float, av.AudioFrame]] = []
    for index in range(150):  # 3 s
        clock.now += 0.020
        packets, timestamp = encoder.encode(stamp(_tone_frame(index), writer))
        for packet in packets:
            for frame in decoder.decode(JitterFrame(data=packet, timestamp=timestamp)):
                in_flight.append((clock.now + 0.087, frame))
        while in_flight and in_flight[0][0] <= clock.now + 1e-9:
            meter.on_audio(in_flight.pop(0)[1])
    snap = meter.snapshot()
    assert snap.audio_latency_samples >= 5  # one marker each 0.5 s
    assert snap.audio_latency_ms_p50 is not None and snap.audio_latency_ms_p95 is not None
    # 87 ms queue + Opus's own 6.5 ms look-ahead + up to one 20 ms frame of framing.
    assert 87 <= snap.audio_latency_ms_p50 <= 87 + 6.5 + 20 + 2
    assert snap.audio_latency_ms_p95 - snap.audio_latency_ms_p50 <= 3


def test_plain_sound_reads_no_marker() -> None:
    reader = MarkerReader(Clock())
    for index in range(100):
        assert reader.feed(_tone_frame(index).to_ndarray().reshape(-1, 2)[:, 0]) == []
