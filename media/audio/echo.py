"""Is the echo canceller working in a real call? What the teacher's screen shows (issue 11.5).

WebRTC's APM as ``livekit`` wraps it reports no statistics, and a real room has no
known echo to compare with (the simulated room's :mod:`media.audio.meter` does).
So :class:`EchoWatch` judges from what it sees on both sides of the APM: while the
far end (the other device's voice, as the speaker plays it) is heard, the
microphone holds its echo; once the canceller has converged the processed output
is quiet then, or at least ``CLEAN_DB`` below the microphone. When ``CONVERGED_SHARE``
of the last ``WINDOW`` such chunks are clean, the canceller counts as converged,
and stays so until the APM is built anew (a setting changed). Double talk (the
teacher speaks over the pupil) makes chunks unclean; that only delays the verdict.
Nothing here is stored or sent.
"""

from __future__ import annotations

import collections
import enum
import math

import numpy as np

ACTIVE = (32768.0 * 10 ** (-50 / 20)) ** 2  # -50 dBFS mean power: sound is present
CLEAN_DB = 10.0  # output this far below the microphone while the far end plays: cancelled
HANG_CHUNKS = 30  # 300 ms: the echo (delay + room tail) lasts this long after the far end
WINDOW = 100  # 1 s of far-end chunks
CONVERGED_SHARE = 0.8


class EchoStatus(enum.StrEnum):
    """What the teacher's screen shows about the echo canceller."""

    CONVERGED = "converged"  # running and the pupil's voice no longer comes back
    CONVERGING = "converging"  # running, still adapting (or no pupil voice heard yet)
    OFF = "off"  # switched off by the technician (or a test signal bypasses it)
    UNAVAILABLE = "unavailable"  # the module did not load: nothing is cancelled


def _power(chunk: np.ndarray) -> float:
    samples = chunk.astype(np.float64)
    return float(samples @ samples) / max(1, len(samples))


class EchoWatch:
    """Fed on the engine loop by :class:`media.audio.track.ProcessedAudioTrack`."""

    def __init__(self) -> None:
        self._hang = 0
        self._clean: collections.deque[bool] = collections.deque(maxlen=WINDOW)
        self._mic: collections.deque[float] = collections.deque(maxlen=WINDOW)
        self._out: collections.deque[float] = collections.deque(maxlen=WINDOW)
        self.converged = False

    def reset(self) -> None:
        """A new APM adapts from scratch."""
        self._hang = 0
        self._clean.clear()
        self._mic.clear()
        self._out.clear()
        self.converged = False

    def far(self, chunk: np.ndarray) -> None:
        """One 10 ms chunk of what the speaker plays."""
        if _power(chunk) >= ACTIVE:
            self._hang = HANG_CHUNKS

    def near(self, mic: np.ndarray, out: np.ndarray) -> None:
        """One 10 ms chunk of the microphone and the same chunk after the APM."""
        if self._hang <= 0:
            return
        self._hang -= 1
        m, o = _power(mic), _power(out)
        self._clean.append(o < ACTIVE or m >= o * 10 ** (CLEAN_DB / 10))
        self._mic.append(m)
        self._out.append(o)
        if len(self._clean) == WINDOW and sum(self._clean) >= CONVERGED_SHARE * WINDOW:
            self.converged = True

    @property
    def reduction_db(self) -> float | None:
        """Microphone over output power across the last window of far-end chunks."""
        out = sum(self._out)
        if len(self._out) < WINDOW or out <= 0:
            return None
        return round(10 * math.log10(max(sum(self._mic), 1e-9) / out), 1)
