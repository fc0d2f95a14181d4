"""What the synthetic sources share: frame pacing and the capture clock.

The sources themselves are :mod:`media.synthetic_video` and
:mod:`media.synthetic_audio`; what a receiver measures is :mod:`media.measure`.
They stand in for camera and microphone in tests, the demo and benchmarks, so
a whole call runs headless and its latency, frame rate and freezes can be read
off the received pixels.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def wall_clock_ms(clock: Clock = time.time) -> int:
    """Capture time in ms since the epoch.

    Wall-clock, not monotonic, because sender and receiver are different processes:
    two devices on one machine share this clock, so ``now - capture`` is the real
    glass-to-glass latency. Across machines it is only as good as their NTP sync.
    """
    return int(clock() * 1000)


class Pacer:
    """Ticks at ``rate`` per second, each due time counted from one monotonic start.

    Sleeping a fixed interval after each frame would add the frame's own work to
    every interval and drift; computing ``start + n / rate`` does not. A consumer
    that stalls for more than ``max_lag`` seconds gets the current tick next, not a
    burst of stale ones: a camera does not queue frames either.
    """

    def __init__(
        self,
        rate: float,
        *,
        max_lag: float = 0.1,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._rate = rate
        self._max_lag = max_lag
        self._clock, self._sleep = clock, sleep
        self._start: float | None = None
        self._tick = 0

    async def next(self) -> int:
        """Wait until the next tick is due and return its number (0 at the first call)."""
        now = self._clock()
        if self._start is None:
            self._start = now
            return 0
        self._tick += 1
        due = self._start + self._tick / self._rate
        if now - due > self._max_lag:
            self._tick = int((now - self._start) * self._rate)
            due = self._start + self._tick / self._rate
        if due > now:
            await self._sleep(due - now)
        return self._tick
