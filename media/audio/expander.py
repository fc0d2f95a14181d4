"""A gentle downward expander after WebRTC's noise suppressor: the class's babble,
lowered further while nobody talks into the microphone.

WebRTC's suppressor is built to keep speech, and class babble is speech-like: on
the simulated classroom it takes 11-12 dB off the babble, where the issue asks for
15. What is left is a murmur close to the room's floor. This stage follows that
floor (media.audio.floor) and turns the output down by
up to ``MAX_CUT_DB`` while the level stays near it; anything well above the floor
(a voice, a chair) opens it at once, within the same 10 ms chunk, so no word loses
its start. After a short hold it closes at ``RELEASE_DB_PER_S``.

The trade: a talker less than ``OPEN_ABOVE_FLOOR_DB`` above what the suppressor
leaves of the room is lowered a little too (at most ``MAX_CUT_DB``, in proportion).
With the microphone a metre or two from the talker that does not happen in a
class; the figures are in docs/performance.md ("Audio processing").

It runs on the engine loop's 10 ms mono s16 chunks, after the module, as part of
the noise-suppression stage; it keeps no audio, only levels.
"""

from __future__ import annotations

import numpy as np

from media.audio.floor import CHUNK_S, SILENT_DBFS, FloorTracker
from media.audio.level import dbfs as level_dbfs

MAX_CUT_DB = 10.0  # at most this much lower than the suppressor left it
# From here up no cut: after the suppressor, 99 % of babble's 10 ms chunks lie
# below it, and speech lies 20-50 dB above the murmur (measured on CLASSROOM).
OPEN_ABOVE_FLOOR_DB = 16.0
SHUT_ABOVE_FLOOR_DB = 8.0  # from here down: the full cut
HOLD_S = 0.05  # stays open this long after the last loud chunk
RELEASE_DB_PER_S = 120.0
_OPEN_RAMP = 96  # samples: 2 ms at 48 kHz


class Expander:
    """Call :meth:`process` with each 10 ms chunk in order; it returns the chunk lowered."""

    def __init__(self) -> None:
        self._floor = FloorTracker()
        self._gain_db = 0.0
        self._held = 0.0  # seconds left open

    @property
    def floor_dbfs(self) -> float | None:
        """The room's floor as the expander sees it; None until it has learnt one."""
        return self._floor.floor_dbfs

    @property
    def gain_db(self) -> float:
        return self._gain_db

    def process(self, chunk: bytes) -> bytes:
        samples = np.frombuffer(chunk, dtype=np.int16)
        level = level_dbfs(samples)
        target = self._target(level)
        self._floor.learn(level)
        previous, self._gain_db = self._gain_db, self._follow(target)
        if previous == 0.0 and self._gain_db == 0.0:
            return chunk
        # A ramp from the last gain to the new one, so there is no click: over the
        # chunk's first 2 ms when opening (a word's start), over all of it when closing.
        ramp = np.full(samples.size, _amplitude(self._gain_db))
        span = samples.size if self._gain_db < previous else min(samples.size, _OPEN_RAMP)
        ramp[:span] = np.linspace(_amplitude(previous), _amplitude(self._gain_db), span)
        out = np.clip(np.rint(samples * ramp), -32768, 32767).astype(np.int16)
        return out.tobytes()

    def _target(self, level: float) -> float:
        floor = self.floor_dbfs
        if floor is None or level <= SILENT_DBFS:
            return 0.0
        above = level - floor
        if above >= OPEN_ABOVE_FLOOR_DB:
            self._held = HOLD_S
            return 0.0
        if self._held > 0:
            self._held -= CHUNK_S
            return 0.0
        share = (OPEN_ABOVE_FLOOR_DB - above) / (OPEN_ABOVE_FLOOR_DB - SHUT_ABOVE_FLOOR_DB)
        return -MAX_CUT_DB * min(1.0, max(0.0, share))

    def _follow(self, target: float) -> float:
        if target >= self._gain_db:
            return target  # opens at once: a word keeps its start
        return max(target, self._gain_db - RELEASE_DB_PER_S * CHUNK_S)


def _amplitude(gain_db: float) -> float:
    return 10.0 ** (gain_db / 20.0)
