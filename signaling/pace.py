"""The handshake budget follows the loop's spare time.

A TLS handshake costs the server 3-4 ms of CPU on the one thread that also relays
for every device. A fixed budget (150 per second) is too slow on a quiet machine
(1,000 devices moving from a stopped instance took 6.7 s at least) and too fast on
a busy one (relays waited behind handshakes for hundreds of milliseconds). So the
listener reports how late the loop woke it each time it waits for a token
(:meth:`HandshakePace.woke`): while the loop wakes on time the rate grows toward
the ceiling, a late wake halves it (at most once per ``COOLDOWN``), never below
the floor, so a storm always moves on. Additive increase, multiplicative
decrease: the same rule TCP uses to share a link it cannot see.

A late wake cuts only when the loop's own work made it late: the listener also
reports how much CPU the loop's thread used meanwhile. A loop that waited for a
core the machine gave to others (on a shared machine, or to the devices' side of a
benchmark) is not slowed by fewer handshakes of its own, and cutting then only
made a move of 1,000 devices last 7-9 s at the floor (issue 14); such a wake holds
the rate instead.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from signaling.ratelimit import TokenBucket

COOLDOWN = 0.25  # seconds after a cut before the next: one slow pass is one signal
RAMP = 2.0  # seconds from the floor to the ceiling while the loop keeps up (4 s: a move
# of 1,000 devices took 5.2-6.3 s, 2 s: 4.7-5.9 s; issue 14)
# The longest stretch one on-time wake counts for: the listener polls only while it
# waits for tokens, so a wake after an idle hour says nothing about that hour.
STRETCH = 0.1


class HandshakePace:
    """Tokens for handshakes at ``rate`` per second, ``floor <= rate <= ceiling``."""

    def __init__(
        self,
        start: float,
        *,
        floor: float,
        ceiling: float,
        burst: int,
        lag_target: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.floor = min(floor, start)
        self.ceiling = max(ceiling, start)
        self.rate = start
        self._target = lag_target
        self._clock = clock
        self._bucket = TokenBucket(start, burst, clock)
        self._cut_at = -COOLDOWN
        self._grown_at = clock()

    def take(self) -> bool:
        return self._bucket.take()

    @property
    def wait(self) -> float:
        """How long to sleep before asking again: one token's worth."""
        return 1.0 / self.rate

    def woke(self, late: float, busy: float | None = None) -> None:
        """The loop ran this waiter ``late`` seconds after it asked to be woken, its
        thread having used ``busy`` seconds of CPU since it asked (None: unknown)."""
        now = self._clock()
        if late > self._target and busy is not None and busy < late / 2:
            self._grown_at = now  # starved by others, not slowed by us: held
            return
        if late > self._target:
            if now - self._cut_at >= COOLDOWN:
                self._cut_at = now
                self._set(max(self.floor, self.rate / 2))
            self._grown_at = now
        elif late < self._target / 2:
            stretch = min(STRETCH, max(0.0, now - self._grown_at))
            step = (self.ceiling - self.floor) / RAMP * stretch
            self._set(min(self.ceiling, self.rate + step))
            self._grown_at = now

    def _set(self, rate: float) -> None:
        self.rate = rate
        self._bucket.rate = rate


class InFlight:
    """How many handshakes may be in their TLS work at once.

    Few at a time keeps a storm's handshakes from arriving, and being worked, in
    clumps that hold the loop (on loopback, 32 at once held it for 100-450 ms, 8 did
    not). But a handshake also waits a round trip for the device, so a fixed few
    would bound an instance to few/RTT handshakes per second: 8 at 100 ms is 80/s.
    So the bound is what the rate needs over the quickest recent handshake (twice
    that, for the spread), never below ``floor`` nor above ``ceiling``: a handshake
    slowed by a busy loop (or a busy device) does not raise it, a far device's round
    trip does.
    """

    # Seconds of handshakes the quickest is taken from: long, as TCP's BBR keeps its
    # minimum round trip for 10 s, so that a storm's own queueing does not raise the
    # bound (with 2 s it did, on loopback, and the clumps came back).
    WINDOW = 10.0

    def __init__(
        self, floor: int, ceiling: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.floor = max(1, min(floor, ceiling))
        self.ceiling = max(1, ceiling)
        self._clock = clock
        self._times: deque[tuple[float, float]] = deque()  # (when, seconds): rising

    def took(self, seconds: float) -> None:
        """A handshake took ``seconds`` from the device's first byte to its end."""
        now = self._clock()
        while self._times and self._times[-1][1] >= seconds:  # never the minimum again
            self._times.pop()
        self._times.append((now, seconds))

    def bound(self, rate: float) -> int:
        now = self._clock()
        while self._times and self._times[0][0] < now - self.WINDOW:
            self._times.popleft()
        quickest = self._times[0][1] if self._times else 0.0
        needed = math.ceil(2 * rate * quickest)
        return max(self.floor, min(self.ceiling, needed))
