"""A new CRL reaches every connected device a bounded amount per pass of the loop.

Pushed to all devices in one go, a CRL of 3,000 entries (160 kB) held the loop for
about half a second at 2,000 devices (every relay waited; bench.signaling_load
``--revoke``, docs/performance.md), and it would be seconds at 10,000. The push is
not urgent: the server closes revoked devices itself, at once (``Hub.sweep``); a
device needs the CRL only to refuse a revoked peer, which can no longer reach it.
So at most PASS_BYTES of CRL frames are written per pass, and the loop relays in
between. A device that connects meanwhile gets the CRL on connecting; a newer CRL
that comes meanwhile starts the push again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from signaling.link import Link

# Frames written per pass: with the 160 kB CRL about 12 devices, a few milliseconds
# of encryption and socket writes; with a small CRL hundreds.
PASS_BYTES = 2 * 1024 * 1024


class CrlFanout:
    def __init__(self, push: Callable[[Link], int]) -> None:
        self._push = push  # sends the current CRL to one link if it needs it: bytes sent
        self._task: asyncio.Task[None] | None = None

    def start(self, links: list[Link]) -> None:
        """Push to ``links`` from the next pass on (a running push is replaced)."""
        self.cancel()
        self._task = asyncio.get_running_loop().create_task(self._run(links))

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def wait(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self, links: list[Link]) -> None:
        written = 0
        for link in links:
            written += self._push(link)
            if written >= PASS_BYTES:
                written = 0
                await asyncio.sleep(0)
