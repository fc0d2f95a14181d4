"""What the demo's report says about why a run's echo figure is what it is.

The live ERLE spread (docs/performance.md) was traced with these: the room's
speaker running dry, a clipped microphone, the delay hints the module got, and
how much of a run's residual echo lies in its worst 100 ms.
"""

from __future__ import annotations

import dataclasses

import av
import numpy as np

from media.audio.meter import EchoMeter
from media.audio.processor import Processor
from media.audio.room import CLASSROOM, FRAME, SimulatedRoom
from media.audio.settings import OFF, AudioSettings

RATE = 48000


def _frame(level: float) -> av.AudioFrame:
    samples = np.full(FRAME, level, np.int16)
    frame = av.AudioFrame.from_ndarray(np.repeat(samples, 2).reshape(1, -1), format="s16",
                                       layout="stereo")  # fmt: skip
    frame.sample_rate = RATE
    return frame


def test_the_room_counts_a_speaker_that_runs_dry() -> None:
    room = SimulatedRoom(dataclasses.replace(CLASSROOM, noise_dbfs=None, markers=False))
    for _ in range(3):
        room.play(_frame(1000))
    for index in range(5):  # two frames of buffer fill it; the fourth runs out
        room.make_frame(index)
    assert room.underruns == 1
    assert room.clipped_samples == 0


def test_the_room_counts_clipped_microphone_samples() -> None:
    room = SimulatedRoom(dataclasses.replace(CLASSROOM, noise_dbfs=None, markers=False))
    for _ in range(10):
        room.play(_frame(30000))  # +6 dB speaker path: the echo passes full scale
    for index in range(10):
        room.make_frame(index)
    assert room.clipped_samples > 0
    assert room.underruns == 0


def test_each_new_delay_hint_is_kept_once_in_order() -> None:
    for settings in (AudioSettings(), OFF):
        processor = Processor(settings)
        for hint in (60, 60, 369, 62, 62, 369):
            processor.set_delay(hint)
        assert list(processor.delay_hints) == [60, 369, 62, 369]


def _meter_with(out_levels: np.ndarray) -> EchoMeter:
    """Far end only (echo, no talker) for len(out_levels) 10 ms chunks."""
    room = SimulatedRoom(dataclasses.replace(CLASSROOM, noise_dbfs=None, markers=False))
    meter = EchoMeter(room)
    for start in range(0, len(out_levels), 2):
        echo = np.full(FRAME, 3000.0, np.float32)
        room.parts.append((echo, np.zeros(FRAME, np.float32)))
        out = np.repeat(out_levels[start : start + 2], FRAME // 2).astype(np.int16)
        meter(echo.astype(np.int16), out)
    return meter


def test_one_short_leak_shows_as_the_worst_100_ms_share() -> None:
    steady = np.full(1000, 3.0)  # 10 s of an even residual
    report = _meter_with(steady).report()
    assert report.worst_100ms_share is not None
    assert abs(report.worst_100ms_share - 10 / 800) < 0.002  # 10 of the 800 counted chunks
    leak = steady.copy()
    leak[500:506] = 3000.0  # 60 ms of echo let through
    leaky = _meter_with(leak).report()
    assert leaky.worst_100ms_share is not None and leaky.worst_100ms_share > 0.99
    assert leaky.echo_return_loss_enhancement_db is not None
    assert report.echo_return_loss_enhancement_db is not None
    assert leaky.echo_return_loss_enhancement_db < report.echo_return_loss_enhancement_db - 30
