"""Per-connection message rate limit: a token bucket, and a second one for abuse.

Each message takes a token from the main bucket (``rate``/s, up to ``burst``).
A message refused for lack of tokens takes one from the abuse bucket; once that
is empty as well, the sender kept hammering and the connection should go.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class Verdict(enum.Enum):
    ALLOW = "allow"
    REFUSE = "refuse"
    CLOSE = "close"


class TokenBucket:
    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        """A new rate from now on; the tokens already earned stay."""
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self._earn()
        self._rate = rate

    def _earn(self) -> None:
        """Count the tokens earned so far at the current rate."""
        now = self._clock()
        # max(): a clock that steps back must not drain the bucket
        self._tokens = min(self._burst, self._tokens + max(0.0, now - self._stamp) * self._rate)
        self._stamp = now

    def take(self) -> bool:
        self._earn()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class RateLimiter:
    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        abuse_limit: int,
        abuse_window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._messages = TokenBucket(rate, burst, clock)
        self._abuse = TokenBucket(abuse_limit / abuse_window, abuse_limit, clock)

    def check(self) -> Verdict:
        if self._messages.take():
            return Verdict.ALLOW
        if self._abuse.take():
            return Verdict.REFUSE
        return Verdict.CLOSE
