"""The loudness stage: a talker brought to this device's target, noise and echo left alone."""

from __future__ import annotations

import numpy as np
import pytest

from media.audio import voices
from media.audio.gain import CEILING, FULL_SCALE, AutomaticGain
from media.audio.level import dbfs
from media.audio.processor import CHUNK


def _chunks(signal: np.ndarray) -> list[bytes]:
    s16 = np.clip(np.rint(signal), -32768, 32767).astype(np.int16)
    return [s16[i : i + CHUNK].tobytes() for i in range(0, len(s16) - CHUNK + 1, CHUNK)]


def _talker(seconds: float, level_dbfs: float) -> np.ndarray:
    n = round(seconds * voices.SAMPLE_RATE)
    talk = voices.voice(seconds, f0=200.0, seed=5, level_dbfs=level_dbfs)
    talk = talk * voices.turns(n, on_s=3.0, off_s=1.0)
    return talk + voices.babble(seconds, seed=6, level_dbfs=-70.0)


def _speech_level(chunks: list[bytes], floor_dbfs: float = -55.0) -> float:
    loud = [c for c in chunks if dbfs(np.frombuffer(c, np.int16)) > floor_dbfs]
    return dbfs(np.frombuffer(b"".join(loud), np.int16))


@pytest.mark.parametrize(("talker", "target"), [(-36.0, -20), (-36.0, -26), (-12.0, -22)])
def test_a_talker_is_brought_to_this_devices_target(talker: float, target: int) -> None:
    gain = AutomaticGain(target)
    out = [gain.process(c) for c in _chunks(_talker(16.0, talker))]
    settled = _speech_level(out[-500:])
    assert abs(settled - target) <= 3.0, (settled, gain.gain_db)
    assert abs(_speech_level(_chunks(_talker(8.0, talker))) - talker) < 3.0  # the input was not


def test_murmur_alone_is_not_lifted() -> None:
    gain = AutomaticGain(-20)
    for chunk in _chunks(voices.babble(10.0, seed=3, level_dbfs=-55.0)):
        gain.process(chunk)
    assert gain.gain_db == 0.0


def test_the_gain_holds_while_the_far_end_plays() -> None:
    gain = AutomaticGain(-20)
    for chunk in _chunks(_talker(10.0, -40.0)):
        gain.process(chunk, far_active=True)  # all of it could be echo
    assert gain.gain_db == 0.0
    for chunk in _chunks(_talker(10.0, -40.0)):
        gain.process(chunk)
    assert gain.gain_db > 10.0


def test_peaks_are_limited_not_clipped() -> None:
    gain = AutomaticGain(-10)
    for chunk in _chunks(_talker(20.0, -30.0)):
        gain.process(chunk)
    assert gain.gain_db > 10.0
    burst = np.full(CHUNK, 20000.0)  # a door slams: +gain would pass full scale
    out = np.frombuffer(gain.process(_chunks(burst)[0]), np.int16)
    assert np.max(np.abs(out)) <= CEILING * FULL_SCALE + 1
    assert np.max(np.abs(out)) > 0.8 * FULL_SCALE
