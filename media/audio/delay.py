"""How long the speaker's sound takes to come back into the microphone.

Both sides are reduced to an envelope (mean absolute value per 1 ms) and, once a
second, the microphone's last second is correlated with the reference over lags
of 0..MAX_LAG_MS. A clear peak (normalised correlation ≥ MIN_CORRELATION) is the
delay: sound card buffers plus the air between speaker and microphone. The APM's
echo canceller tracks the fine delay itself; this gives it the right start.
"""

from __future__ import annotations

from collections import deque

import numpy as np

BLOCK = 48  # samples per envelope value: 1 ms at 48 kHz
MAX_LAG_MS = 400
WINDOW_MS = 1000
MIN_CORRELATION = 0.3


class DelayEstimator:
    def __init__(self) -> None:
        keep = WINDOW_MS + MAX_LAG_MS
        self._far: deque[float] = deque(maxlen=keep)
        self._near: deque[float] = deque(maxlen=WINDOW_MS)
        self._since = 0
        self.delay_ms: int | None = None
        self.correlation = 0.0

    def far(self, chunk: np.ndarray) -> None:
        self._far.extend(_envelope(chunk))

    def near(self, chunk: np.ndarray) -> int | None:
        """Add a microphone chunk; returns a new estimate about once a second, else None."""
        self._near.extend(_envelope(chunk))
        self._since += len(chunk) // BLOCK
        if self._since < WINDOW_MS or len(self._far) < self._far.maxlen:  # type: ignore[operator]
            return None
        self._since = 0
        return self._estimate()

    def _estimate(self) -> int | None:
        near = np.asarray(self._near) - np.mean(self._near)
        far = np.asarray(self._far)
        # far[k : k + WINDOW] lines up with near when the delay is MAX_LAG - k.
        windows = np.lib.stride_tricks.sliding_window_view(far, WINDOW_MS)
        centred = windows - windows.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(centred, axis=1) * np.linalg.norm(near)
        if not np.all(norms > 0):
            return None
        scores = centred @ near / norms
        best = int(np.argmax(scores))
        self.correlation = float(scores[best])
        if self.correlation < MIN_CORRELATION:
            return None
        self.delay_ms = len(scores) - 1 - best
        return self.delay_ms


def _envelope(chunk: np.ndarray) -> np.ndarray:
    usable = len(chunk) - len(chunk) % BLOCK
    return np.abs(chunk[:usable].astype(np.float32)).reshape(-1, BLOCK).mean(axis=1)
