"""Remove a short echo leak that WebRTC's canceller lets through, never the teacher.

On a child's voice (about 260 Hz) AEC3 now and then lets the far end through for
40-170 ms only 8-22 dB down, and one such blip decides a run's ERLE
(docs/performance.md, "Why ERLE toward the pupil is under 30 dB in some runs").
A guard that only looked at the output could not tell the leak from the teacher
talking; media.audio.doubletalk can. While it says the far end plays and nobody
near talks, the microphone holds only echo and room noise, so every output chunk
louder than ``ERLE_DB`` under the microphone is a leak: it is lowered to that
level, by at most ``MAX_CUT_DB``. While it hears a near end over the far end, the output may
still be as loud as what in the microphone is not echo (the detector's estimate,
``NEAR_MARGIN_DB`` more: it is band-limited and 40 ms long), so a teacher is never
lowered and a leak louder than the teacher is. The cut comes within the chunk (a
2 ms ramp: a leak is short) and eases off at ``RELEASE_DB_PER_S``. Without a
converged verdict, or while the far end is silent, nothing is touched.
"""

from __future__ import annotations

import numpy as np

from media.audio.level import FULL_SCALE, dbfs

ERLE_DB = 35.0  # a far-end-only chunk's output is let through up to this far under the mic
NEAR_MARGIN_DB = 6.0  # with a near end: up to this far over what is not echo in the mic
MAX_CUT_DB = 30.0
RELEASE_DB_PER_S = 200.0
CHUNK_S = 0.01
_RAMP = 96  # samples: 2 ms at 48 kHz


class LeakGuard:
    def __init__(self) -> None:
        self._gain_db = 0.0
        self.cut_chunks = 0  # chunks lowered by more than 1 dB (bench, tests)

    @property
    def gain_db(self) -> float:
        return self._gain_db

    def process(self, mic: np.ndarray, out: bytes, far_only: bool,
                near_power: float | None = None) -> bytes:  # fmt: skip
        """``out`` (s16 bytes after the APM) for the microphone chunk ``mic``;
        ``near_power``: with a near end, the mean square of what is not echo (None:
        no verdict on this chunk's near end, nothing is touched unless ``far_only``)."""
        target = 0.0
        if far_only or near_power is not None:
            allowed = dbfs(mic) - ERLE_DB
            if not far_only and near_power is not None:
                near_dbfs = 10 * np.log10(max(near_power, 1e-3) / FULL_SCALE**2)
                allowed = max(allowed, float(near_dbfs) + NEAR_MARGIN_DB)
            excess = dbfs(np.frombuffer(out, np.int16)) - allowed
            target = -min(MAX_CUT_DB, max(0.0, excess))
        previous = self._gain_db
        self._gain_db = min(target, previous + RELEASE_DB_PER_S * CHUNK_S)
        if previous == 0.0 and self._gain_db == 0.0:
            return out
        if self._gain_db < -1.0:
            self.cut_chunks += 1
        samples = np.frombuffer(out, np.int16).astype(np.float64)
        ramp = np.full(samples.size, _amplitude(self._gain_db))
        span = min(samples.size, _RAMP) if self._gain_db < previous else samples.size
        ramp[:span] = np.linspace(_amplitude(previous), _amplitude(self._gain_db), span)
        return np.clip(np.rint(samples * ramp), -32768, 32767).astype(np.int16).tobytes()


def _amplitude(gain_db: float) -> float:
    return 10.0 ** (gain_db / 20.0)
