"""Remove a short echo leak that WebRTC's canceller lets through, never the teacher.

On a child's voice (about 260 Hz) AEC3 now and then lets the far end through for
40-170 ms only 8-22 dB down, and one such blip decides a run's ERLE
(docs/performance.md, "Why ERLE toward the pupil is under 30 dB in some runs").
A guard that only looked at the output could not tell the leak from the teacher
talking; media.audio.doubletalk can. While it says the far end plays, every
output chunk louder than ``ERLE_DB`` under the microphone, and louder than what in
the microphone is not echo (the detector's estimate, ``NEAR_MARGIN_DB`` more: it
is band-limited and 40 ms long), is a leak: it is lowered to that level, by at
most ``MAX_CUT_DB``. The estimate counts also where the detector has no near-end
verdict (a quiet syllable under the echo, a word's first 20 ms): a guard that
took every far-end-only verdict for pure echo cost the teacher about 2 dB in the
demo. The first chunk of a cut is cut by at most ``FIRST_CUT_DB`` (the detector's
40 ms frame sees a new sound 20-30 ms late). The cut comes within the chunk (a 2
ms ramp: a leak is short) and eases off
at ``RELEASE_DB_PER_S`` (30 dB in 30 ms, so a teacher starting right after a leak
is not held down). Without a converged verdict, or while the far end is silent,
nothing is touched.
"""

from __future__ import annotations

import numpy as np

from media.audio.level import FULL_SCALE, dbfs

ERLE_DB = 35.0  # the output is let through up to this far under the microphone
NEAR_MARGIN_DB = 6.0  # ...and up to this far over what is not echo in it
MAX_CUT_DB = 30.0
FIRST_CUT_DB = 10.0  # the first chunk of a cut: it may be a teacher's first 10 ms
RELEASE_DB_PER_S = 1000.0
CHUNK_S = 0.01
_RAMP = 96  # samples: 2 ms at 48 kHz


class LeakGuard:
    def __init__(self) -> None:
        self._gain_db = 0.0
        self._wanted = 0.0  # the cut the last chunk asked for
        self.cut_chunks = 0  # chunks lowered by more than 1 dB (bench, tests)

    @property
    def gain_db(self) -> float:
        return self._gain_db

    def process(self, mic: np.ndarray, out: bytes, near_power: float | None) -> bytes:
        """``out`` (s16 bytes after the APM) for the microphone chunk ``mic``, while
        the detector says the far end plays; ``near_power``: the mean square of what
        in the microphone is not echo (None: no verdict, nothing is touched)."""
        target, previous_wanted = 0.0, self._wanted
        if near_power is not None:
            near_dbfs = 10 * np.log10(max(near_power, 1e-3) / FULL_SCALE**2)
            allowed = max(dbfs(mic) - ERLE_DB, float(near_dbfs) + NEAR_MARGIN_DB)
            excess = dbfs(np.frombuffer(out, np.int16)) - allowed
            target = -min(MAX_CUT_DB, max(0.0, excess))
        # The first chunk of a cut is cut by at most FIRST_CUT_DB: the detector's
        # 40 ms frame hardly sees the newest 10 ms, so a teacher's first syllable
        # (or marker) reads as echo for one chunk. A leak lasts 40-170 ms.
        wanted, self._wanted = target, target
        if wanted < 0.0 and previous_wanted >= 0.0:
            target = max(target, -FIRST_CUT_DB)
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
