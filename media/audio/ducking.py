"""Play the far end quieter while the near end talks over it (issue 11: ducking).

With the Klasgenoot's loud speaker the pupil's echo reaches the microphone about
16 dB above the teacher. When both talk, WebRTC's echo canceller protects the
pupil from their own voice by lowering everything, the teacher too (about 20
dB). Turning the pupil down in the room while the teacher talks over them lowers
the echo by as much, and the canceller then keeps the teacher.

:class:`Ducker` is shared by two threads: the engine loop says whether to duck
(:meth:`duck`, from media.audio.doubletalk's verdict per 10 ms), and the
speaker's thread scales what it plays (:meth:`apply`), gliding in dB at
``ATTACK_MS`` down and ``RELEASE_MS`` back up so nothing clicks or pumps. What
:meth:`apply` returns is what the speaker plays, so it is also the echo
canceller's reference: the reference stays exactly what was played.
"""

from __future__ import annotations

import numpy as np

DEPTH_DB = 16.0  # the room's echo over the teacher (docs/performance.md: 16 dB kept −4.7 dB)
ATTACK_MS = 20.0  # full depth within this long once the teacher talks over the pupil
RELEASE_MS = 300.0  # back to full level this long after
RATE = 48000


class Ducker:
    def __init__(self, depth_db: float = DEPTH_DB) -> None:
        self.depth_db = depth_db
        self._target_db = 0.0  # written on the engine loop, read on the speaker's thread
        self._gain_db = 0.0  # the speaker's thread only
        self.enabled = True

    @property
    def gain_db(self) -> float:
        """The gain the speaker plays at now (0: full level)."""
        return self._gain_db

    @property
    def ducking(self) -> bool:
        return self._target_db < 0.0

    def duck(self, on: bool) -> None:
        """Engine loop: the near end talks over the far end (or no longer)."""
        self._target_db = -self.depth_db if on and self.enabled else 0.0

    def apply(self, samples: np.ndarray) -> np.ndarray:
        """Speaker's thread: ``samples`` (48 kHz mono, any dtype on the ±32768 scale) as
        played, float64; unchanged (the same values) while there is nothing to do."""
        target, start = self._target_db, self._gain_db
        if target == start == 0.0:
            return samples.astype(np.float64)
        rate_ms = self.depth_db / (ATTACK_MS if target < start else RELEASE_MS)
        step = rate_ms * 1000.0 / RATE  # dB per sample
        n = len(samples)
        if target < start:
            curve = np.maximum(target, start - step * np.arange(1, n + 1))
        else:
            curve = np.minimum(target, start + step * np.arange(1, n + 1))
        self._gain_db = float(curve[-1]) if n else start
        return samples.astype(np.float64) * 10.0 ** (curve / 20.0)
