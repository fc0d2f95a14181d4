"""Work that comes in bursts, done a few items per pass of the event loop.

In one pass asyncio runs every callback that was ready when the pass began. When
hundreds of devices reconnect together (a school's uplink comes back, an instance
restarts), many connections' steps are ready at once: an OpenSSL step back from its
thread (``signaling.handshakes``: the certificate's check, the application's
connection), the WebSocket's upgrade and the hub's hello (``signaling.server``).
Each costs the loop 1-3 ms, and a pass that took a dozen of them held every relay
10-25 ms, several times over a relay's round trip (docs/performance.md, "Starts
taken in turn"). Taken ``per_pass`` at a time, the rest wait for the next passes,
and what is read meanwhile (a relay) is served between them. The work is the same;
only when it runs differs, and a pass costs nothing when the loop is otherwise idle
(asyncio does not sleep while callbacks are ready).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Turns:
    """The loop's queue of work waiting its turn; ``per_pass`` items run per pass, in
    the order they came. ``what`` names the work in the log if an item fails."""

    def __init__(self, loop: asyncio.AbstractEventLoop, per_pass: int, what: str) -> None:
        if per_pass < 1:
            raise ValueError("per_pass must be at least 1")
        self._loop = loop
        self._per_pass = per_pass
        self._what = what
        self._waiting: collections.deque[Callable[[], object]] = collections.deque()
        self._scheduled = False
        self.longest = 0  # the most ever waiting at once (tests, diagnosis)

    def __len__(self) -> int:
        return len(self._waiting)

    def call(self, work: Callable[[], object]) -> None:
        """Run ``work`` on the loop in its turn. Only from the loop's thread."""
        self._waiting.append(work)
        self.longest = max(self.longest, len(self._waiting))
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._run)

    async def turn(self) -> None:
        """Return in this coroutine's turn: what it does next runs in that pass."""
        ready: asyncio.Future[None] = self._loop.create_future()

        def go() -> None:
            if not ready.done():  # cancelled meanwhile: its turn passes to the next
                ready.set_result(None)

        self.call(go)
        await ready

    def _run(self) -> None:
        self._scheduled = False
        for _ in range(min(self._per_pass, len(self._waiting))):
            work = self._waiting.popleft()
            try:
                work()
            except Exception:  # one connection's failure must not strand the others
                logger.exception("%s failed", self._what)
        if self._waiting:
            self._scheduled = True
            self._loop.call_soon(self._run)
