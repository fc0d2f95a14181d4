"""Refused input from the peer, logged so that a flood of it costs nothing.

A paired but hostile (or broken) peer can send thousands of invalid control
messages a second. One log line each wrote megabytes and, with the log's file
handler on the engine loop, stalled media both ways (issue 15). :class:`RefusalSummary`
writes the first refusal at once and then at most one line per interval with a
count per kind; a refusal itself only increments a counter. The kinds are our own
short reasons ("not JSON", "field hand"), never the peer's bytes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

logger = logging.getLogger(__name__)

SUMMARY_INTERVAL = 10.0
MAX_KINDS = 16  # distinct kinds counted per interval; more are counted as "other"


class RefusalSummary:
    """Counts per kind; one line for the first, then one summary per ``interval``."""

    def __init__(self, what: str, interval: float = SUMMARY_INTERVAL) -> None:
        self._what = what  # e.g. "control message": the lines read "<what> refused: ..."
        self._interval = interval
        self._counts: Counter[str] = Counter()
        self._timer: asyncio.TimerHandle | None = None
        self.total = 0  # every refusal since the start, for tests and stats

    def note(self, kind: str) -> None:
        self.total += 1
        if self._timer is None:
            logger.warning("%s refused: %s", self._what, kind)
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._flush)
            return
        if kind not in self._counts and len(self._counts) >= MAX_KINDS:
            kind = "other"
        self._counts[kind] += 1

    def _flush(self) -> None:
        self._timer = None
        if self._summarise():  # still coming: keep one line per interval
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._flush)

    def close(self) -> None:
        """At the end of the link: write what is still counted."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._summarise()

    def _summarise(self) -> bool:
        if not self._counts:
            return False
        total = sum(self._counts.values())
        parts = "; ".join(f"{count} {kind}" for kind, count in self._counts.most_common())
        self._counts.clear()
        logger.warning("%d more %ss refused: %s", total, self._what, parts)
        return True
