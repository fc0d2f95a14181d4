"""Capped exponential backoff with jitter: the one schedule every reconnect uses.

The n-th wait after a failure (n = 0, 1, 2, …) is ``initial · 2ⁿ``, capped, and each
is drawn at random from its upper part (by default half to all of it). Jitter keeps
a fleet of devices from reconnecting in lockstep after a server restart. The cap
may be given per wait: the signaling client and the call session shorten it while
someone is known to be waiting (a call on the link, a peer online).

Used by the signaling client, the call session and the Redis backplane.
"""

from __future__ import annotations

import random
import secrets

# 2**64 × any sane initial is far above any cap: stops the float growing for ever.
_MAX_EXPONENT = 64
# Not for secrets, but a system source costs nothing here and needs no seed.
_SYSTEM = secrets.SystemRandom()


def capped_delay(initial: float, cap: float, failures: int) -> float:
    """The wait before try ``failures + 1`` without jitter: ``initial · 2^failures``,
    at most ``cap``."""
    if failures < 0:
        raise ValueError("failures must be ≥ 0")
    return min(cap, initial * 2.0 ** min(failures, _MAX_EXPONENT))


def jittered(delay: float, low: float = 0.5, rng: random.Random | None = None) -> float:
    """A wait drawn at random from [low · delay, delay]."""
    if not 0.0 <= low <= 1.0:
        raise ValueError("low is a fraction of the delay (0..1)")
    return (rng or _SYSTEM).uniform(low * delay, delay)


class Backoff:
    """Counts failures; :meth:`next` says how long to wait before the next try."""

    def __init__(
        self,
        initial: float,
        cap: float,
        *,
        low: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        if not (initial > 0 and cap > 0):
            raise ValueError("initial and cap must be > 0")
        if not 0.0 <= low <= 1.0:
            raise ValueError("low is a fraction of the delay (0..1)")
        self.initial = initial
        self.cap = cap
        self.low = low
        self.failures = 0
        self._rng = rng

    def delay(self, cap: float | None = None) -> float:
        """The upper bound of the next wait (no jitter, nothing counted)."""
        return capped_delay(self.initial, self.cap if cap is None else cap, self.failures)

    def next(self, cap: float | None = None, *, low: float | None = None) -> float:
        """Count one more failure and return the wait before the next try, drawn from
        [low · delay, delay]; ``cap`` and ``low`` override the defaults for this wait."""
        top = self.delay(cap)
        wait = jittered(top, self.low if low is None else low, self._rng)
        self.failures += 1
        return wait

    def reset(self) -> None:
        """A try succeeded: the next failure waits ``initial`` again."""
        self.failures = 0
