"""Say the first of a flood at once, then count the rest and summarise per interval.

What a peer or a stranger can repeat thousands of times a second (refused
connections at the server, refused messages from a paired peer) must cost a counter,
not a log line each: one line would stall the loop that also carries media. Both
signaling.refusals and media.refusals word their lines; the window is this one.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Hashable


class IntervalSummary[K: Hashable]:
    """``first(key)`` for the first of a window; the rest counted and handed to
    ``summary(counts)`` once per ``interval`` while they keep coming."""

    def __init__(
        self,
        interval: float,
        first: Callable[[K], None],
        summary: Callable[[Counter[K]], None],
    ) -> None:
        self._interval = interval
        self._first = first
        self._summary = summary
        self.counts: Counter[K] = Counter()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def open(self) -> bool:
        """A window is running: the next key will be counted, not said."""
        return self._timer is not None

    def note(self, key: K) -> None:
        if self._timer is None:
            self._first(key)
            self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)
            return
        self.counts[key] += 1

    def flush(self) -> None:
        """Summarise now; the window stays open while keys keep coming."""
        if self._timer is not None:  # called early (not by the timer): one timer only
            self._timer.cancel()
        self._timer = None
        if self._summarise():
            self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)

    def close(self) -> None:
        """At the end: summarise what is still counted, start nothing."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._summarise()

    def _summarise(self) -> bool:
        if not self.counts:
            return False
        counts = Counter(self.counts)
        self.counts.clear()
        self._summary(counts)
        return True
