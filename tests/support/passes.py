"""Counting the event loop's passes, for tests of work spread over them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Passes:
    """Counts the loop's passes: one step of a ``call_soon`` chain runs per pass."""

    def __init__(self) -> None:
        self.count = 0
        self._loop = asyncio.get_running_loop()
        self._handle = self._loop.call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        self._handle = self._loop.call_soon(self._tick)

    def stop(self) -> None:
        self._handle.cancel()


def most_in_one_pass(passes: list[int]) -> int:
    """The most entries of ``passes`` (each the pass something happened in) that
    share one pass."""
    return max(passes.count(n) for n in set(passes))


async def until(done: Callable[[], bool], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not done():
            await asyncio.sleep(0.005)
