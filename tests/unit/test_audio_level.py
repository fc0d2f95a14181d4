"""media.audio.level: one dBFS for meters, tones and test signals."""

from __future__ import annotations

import array
import math

import numpy as np
import pytest

from media.audio.level import (
    FULL_SCALE,
    SILENCE_DBFS,
    dbfs,
    energy,
    energy_dbfs,
    rms_of,
    sine_peak,
    window_dbfs,
)
from media.synthetic_audio import tone_table


def _s16(values: list[int]) -> bytes:
    return array.array("h", values).tobytes()


def test_full_scale_square_is_zero_and_half_is_minus_six() -> None:
    assert dbfs(_s16([-FULL_SCALE, FULL_SCALE - 1] * 100)) == pytest.approx(0.0, abs=1e-3)
    assert dbfs(np.array([16384.0, -16384.0] * 100)) == pytest.approx(-6.02, abs=0.01)


@pytest.mark.parametrize("level", [-3.02, -20.0, -45.5])
def test_a_tone_made_at_a_level_reads_that_level(level: float) -> None:
    table = tone_table(48000, 440, level, extra=0, channels=2)
    assert dbfs(table) == pytest.approx(level, abs=0.05)
    assert dbfs(np.frombuffer(table, dtype=np.int16)) == pytest.approx(level, abs=0.05)


def test_silence_and_nothing_read_the_floor() -> None:
    assert dbfs(bytes(960)) == SILENCE_DBFS
    assert dbfs(b"") == SILENCE_DBFS
    assert dbfs(np.zeros(0)) == SILENCE_DBFS
    assert dbfs(_s16([1] + [0] * 10**7)) == SILENCE_DBFS  # far below the floor: the floor


def test_energy_counts_interleaved_samples_and_ignores_a_torn_byte() -> None:
    assert energy(_s16([3, -4]) + b"\x01") == (25, 2)
    assert energy(np.array([[3, -4], [0, 0]], dtype=np.int16)) == (25.0, 4)


def test_a_window_is_the_level_of_all_its_samples_together() -> None:
    loud, quiet = _s16([10000] * 480), _s16([100] * 480)
    together = dbfs(loud + quiet)
    assert window_dbfs([energy(loud), energy(quiet)]) == pytest.approx(together)
    assert window_dbfs([]) == SILENCE_DBFS
    assert energy_dbfs(0, 10) == energy_dbfs(10, 0) == SILENCE_DBFS


def test_amplitudes_for_a_level() -> None:
    assert rms_of(0.0) == FULL_SCALE
    assert sine_peak(-20.0) == pytest.approx(FULL_SCALE * 0.1 * math.sqrt(2))
