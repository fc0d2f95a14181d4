"""Audio level in dBFS: the one definition every meter, tone and test signal uses.

RMS over the samples against full scale, so a full-scale square wave reads 0 dBFS
and a full-scale sine about -3 dBFS. 16-bit samples (PCM ``s16``) or float
samples on the same scale (±32768). Digital silence reads :data:`SILENCE_DBFS`:
the logarithm of zero has no value, and a floor keeps averages and screens sane.

Meters that average over a window keep each frame's :func:`energy` (sum of squares,
sample count) and turn the sums into a level with :func:`energy_dbfs`.
"""

from __future__ import annotations

import array
import math
from collections.abc import Iterable

import numpy as np

FULL_SCALE = 32768
SILENCE_DBFS = -120.0

Samples = bytes | bytearray | memoryview | np.ndarray
Energy = tuple[float, int]  # (sum of squares, number of samples)


def energy(samples: Samples) -> Energy:
    """(sum of squares, number of samples): packed s16 bytes (interleaved channels
    count as samples) or a numpy array of samples on the ±32768 scale."""
    if isinstance(samples, np.ndarray):
        flat = samples.reshape(-1).astype(np.float64)
        return float(np.dot(flat, flat)), int(flat.size)
    packed = array.array("h")
    packed.frombytes(samples[: len(samples) // 2 * 2])
    return math.sumprod(packed, packed), len(packed)


def energy_dbfs(squares: float, count: int) -> float:
    """The level of ``count`` samples whose squares sum to ``squares``."""
    if squares <= 0 or count <= 0:
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 10 * math.log10(squares / count / FULL_SCALE**2))


def window_dbfs(energies: Iterable[Energy]) -> float:
    """The level over several frames' :func:`energy` (a meter's window)."""
    squares = count = 0.0
    for s, n in energies:
        squares += s
        count += n
    return energy_dbfs(squares, int(count))


def dbfs(samples: Samples) -> float:
    """The RMS level of ``samples`` in dBFS."""
    return energy_dbfs(*energy(samples))


def rms_of(level: float) -> float:
    """The RMS sample value of a signal at ``level`` dBFS."""
    return 10 ** (level / 20) * FULL_SCALE


def sine_peak(level: float) -> float:
    """The peak of a sine whose RMS is ``level`` dBFS."""
    return rms_of(level) * math.sqrt(2)
