"""Automatic loudness towards a per-device target, after the other stages.

livekit's module offers WebRTC's gain control only as on/off, with WebRTC's own
target; a classroom unit across the room and a laptop at arm's length need
different ones (issue 11: "AGC target per device"). So this stage is ours: it
measures the talker's level only on chunks well above the room's floor
(media.audio.floor) and never while the far end plays (a leftover echo is not a
talker: lifting it is what made the module's gain control worse than none,
docs/performance.md), and moves the gain towards ``target − level`` slowly up
and faster down, within ``MIN_GAIN_DB``…``MAX_GAIN_DB``. A peak limiter keeps
every chunk under ``CEILING`` of full scale instead of clipping.

It runs on the engine loop's 10 ms mono s16 chunks; it keeps levels, never audio.
"""

from __future__ import annotations

import math

import numpy as np

from media.audio.floor import CHUNK_S, FloorTracker
from media.audio.level import FULL_SCALE
from media.audio.level import dbfs as level_dbfs

TARGET_MIN_DBFS = -30
TARGET_MAX_DBFS = -10
TARGET_DEFAULT_DBFS = -20
MIN_GAIN_DB = -10.0
MAX_GAIN_DB = 20.0
UP_DB_PER_S = 3.0  # slow: a pause must not bring the next word in too loud
DOWN_DB_PER_S = 20.0
SPEECH_ABOVE_FLOOR_DB = 12.0
SPEECH_MIN_DBFS = -65.0
LEVEL_SMOOTHING = 0.05  # per speech chunk: about 200 ms of speech
CEILING = 10 ** (-1 / 20)  # −1 dBFS


class AutomaticGain:
    """Call :meth:`process` with each 10 ms chunk in order."""

    def __init__(self, target_dbfs: int = TARGET_DEFAULT_DBFS) -> None:
        self.target_dbfs = target_dbfs
        self._floor = FloorTracker()
        self._speech_power: float | None = None  # a power average: loud syllables weigh
        self._gain_db = 0.0

    @property
    def gain_db(self) -> float:
        return self._gain_db

    @property
    def speech_dbfs(self) -> float | None:
        """The talker's level before this stage, as measured so far."""
        power = self._speech_power
        return None if power is None else 10.0 * math.log10(power)

    def process(self, chunk: bytes, *, far_active: bool = False) -> bytes:
        samples = np.frombuffer(chunk, dtype=np.int16)
        level = level_dbfs(samples)
        floor = self._floor.floor_dbfs
        self._floor.learn(level)
        previous = self._gain_db
        if not far_active and _is_speech(level, floor):
            self._follow(level)
        if previous == 0.0 and self._gain_db == 0.0:
            return chunk
        ramp = np.linspace(_amplitude(previous), _amplitude(self._gain_db), samples.size)
        out = samples.astype(np.float64) * ramp
        peak = float(np.max(np.abs(out))) if out.size else 0.0
        if peak > CEILING * FULL_SCALE:
            out *= CEILING * FULL_SCALE / peak  # this chunk only: no clipping
        return np.clip(np.rint(out), -32768, 32767).astype(np.int16).tobytes()

    def _follow(self, level: float) -> None:
        power, speech = 10.0 ** (level / 10.0), self._speech_power
        if speech is not None:
            power = speech + LEVEL_SMOOTHING * (power - speech)
        self._speech_power = power
        want = self.target_dbfs - 10.0 * math.log10(self._speech_power)
        want = min(MAX_GAIN_DB, max(MIN_GAIN_DB, want))
        step = (UP_DB_PER_S if want > self._gain_db else DOWN_DB_PER_S) * CHUNK_S
        self._gain_db += max(-step, min(step, want - self._gain_db))


def _is_speech(level: float, floor: float | None) -> bool:
    return (
        floor is not None
        and math.isfinite(level)
        and level >= SPEECH_MIN_DBFS
        and level >= floor + SPEECH_ABOVE_FLOOR_DB
    )


def _amplitude(gain_db: float) -> float:
    return 10.0 ** (gain_db / 20.0)
