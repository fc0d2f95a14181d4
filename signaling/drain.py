"""Draining: an instance that stops tells its devices to move before it goes.

Each device is closed with 1001 ("going away"); its client then connects to the
next signaling URL of its bundle (signaling.client), after a jitter of its own.

How fast to close them depends on where they can go:

- **Other instances are alive** (the backplane hears them): the drain is paced by
  arrivals. A device closed here is *on its way* until another instance announces
  it online (its Up reaches our hub through the backplane), or for at most
  ``ON_WAY_FOR`` seconds. Devices are told at most ``rate`` a second (the others'
  handshake ceiling), and at most a second's worth of arrivals (those of the last
  second; in the first second, ``rate``) is on its way at once. So the drain goes
  as fast as the others take devices, and none waits long in their queue: each is
  without signaling for about a second. Closing by the clock alone (devices / the
  others' ceiling, at most half the bound) handed a receiving instance 5,000
  devices in 5 s that it took at ~250 a second: the last waited 23 s in its queue
  and backoff, the median 11 s (docs/performance.md, issue 14). The devices not
  yet told stay connected, and served here, meanwhile.
- **No other instance** (one server restarting): the devices can only come back to
  this one once it is up again, so there is nothing to pace by. They are closed
  spread over ``spread`` seconds (longer for many: devices / ``rate``, at most half
  the bound), so that their return is spread too.

If no device shows up elsewhere within ``NOWHERE`` seconds of the first being told
(the others are stopping too), the rest are spread as with no other instance. Either
way the instance waits until its devices have gone, or for the bound, and the server
closes whatever is left then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable

from signaling.hub import Hub, Link
from signaling.protocol import CloseCode

logger = logging.getLogger(__name__)

STEP = 0.05  # seconds between batches, and between looks at who arrived
FLOOR = 32  # devices on their way at once, however few arrived yet
WINDOW = 1.0  # seconds of arrivals (those of the last second) on their way at once
ON_WAY_FOR = 5.0  # a device not seen elsewhere by then no longer holds a place
# No device seen elsewhere this long after the first were told: the others are
# stopping too (or cut off); the rest are spread as if there were none.
NOWHERE = 3.0
# What is left of the bound when the pacing stops and the rest is closed at once:
# they need a moment to answer the close before the instance ends.
LAST = 2.0
REASON = "moving: connect to another server"


class MoveWindow:
    """How many more devices may be told to move now (see the module text): at most
    ``rate`` a second, and at most a window of them on their way at once."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._clock = clock
        self._on_way: dict[int, tuple[Link, float]] = {}  # id(link) -> it, when closed
        self._arrivals: deque[float] = deque()
        self._started = self._last = clock()
        self._credit = rate * STEP  # the first step's worth at once
        self.arrived_any = False

    def closed(self, link: Link) -> None:
        self._on_way[id(link)] = (link, self._clock())
        self._credit -= 1

    def room(self, arrived: Callable[[Link], bool]) -> int:
        """How many more may go now; ``arrived`` says whether a device told to move
        is online elsewhere yet."""
        now = self._clock()
        for key, (link, closed) in list(self._on_way.items()):
            if arrived(link):
                del self._on_way[key]
                self._arrivals.append(now)
                self.arrived_any = True
            elif now - closed > ON_WAY_FOR:  # gone elsewhere unseen, or offline
                del self._on_way[key]
        while self._arrivals and self._arrivals[0] < now - 1.0:
            self._arrivals.popleft()
        cap = self._rate * 2 * STEP  # a late wake-up does not become a burst
        self._credit = min(cap, self._credit + self._rate * (now - self._last))
        self._last = now
        # In the first second nothing can have arrived yet: assume the others' ceiling.
        per_second = self._rate if now - self._started < 1.0 else len(self._arrivals)
        window = max(FLOOR, math.ceil(WINDOW * per_second))
        return max(0, min(int(self._credit), window - len(self._on_way)))


async def drain_hub(hub: Hub, spread: float, bound: float, rate: float) -> None:
    """Close every link of ``hub``: paced by arrivals elsewhere when other instances
    are alive, else spread over at least ``spread`` seconds (longer if they could not
    be taken at ``rate`` handshakes per second, at most half of ``bound``); then wait
    until they have gone or ``bound`` has passed."""
    deadline = time.monotonic() + bound
    left = hub.links()
    if hub.backplane.others_alive():
        logger.info("draining %d devices, as fast as the other instances take them", len(left))
        left = await _paced(hub, left, rate, deadline - min(LAST, bound / 4))
    if left:
        half = (deadline - time.monotonic()) / 2
        await _spread(left, max(0.0, min(max(spread, len(left) / rate), half)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(hub.empty.wait(), max(0.0, deadline - time.monotonic()))
    logger.info("drained: %d devices left", len(hub))


async def _paced(hub: Hub, links: list[Link], rate: float, until: float) -> list[Link]:
    """Tell ``links`` to move at the pace they arrive elsewhere; what is left when
    none arrived within ``NOWHERE`` (the others are stopping too), or at ``until``."""
    window = MoveWindow(rate)
    left = deque(links)
    started = time.monotonic()
    while left:
        now = time.monotonic()
        if now >= until:
            logger.info("drain bound near: telling the last %d devices at once", len(left))
            for link in left:
                link.close(CloseCode.GOING_AWAY, REASON)
            return []
        room = window.room(hub.moved_elsewhere)
        if not window.arrived_any and now - started > NOWHERE:
            logger.info("no device arrived elsewhere: the other instances are not taking any")
            return list(left)
        for _ in range(min(room, len(left))):
            link = left.popleft()
            link.close(CloseCode.GOING_AWAY, REASON)
            window.closed(link)
        await asyncio.sleep(STEP)
    return []


async def _spread(links: list[Link], spread: float) -> None:
    logger.info("draining %d devices over %.1f s", len(links), spread)
    batches = max(1, min(len(links), int(spread / STEP)))
    size = math.ceil(len(links) / batches)
    for start in range(0, len(links), size):
        for link in links[start : start + size]:
            link.close(CloseCode.GOING_AWAY, REASON)
        await asyncio.sleep(spread / batches)
