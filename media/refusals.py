"""Refused input from the peer, logged so that a flood of it costs nothing.

A paired but hostile (or broken) peer can send thousands of invalid control
messages a second. One log line each wrote megabytes and, with the log's file
handler on the engine loop, stalled media both ways (issue 15). :class:`RefusalSummary`
writes the first refusal at once and then at most one line per interval with a
count per kind; a refusal itself only increments a counter. The kinds are our own
short reasons ("not JSON", "field hand"), never the peer's bytes.
"""

from __future__ import annotations

import logging
from collections import Counter

from common.summary import IntervalSummary

logger = logging.getLogger(__name__)

SUMMARY_INTERVAL = 10.0
MAX_KINDS = 16  # distinct kinds counted per interval; more are counted as "other"


class RefusalSummary:
    """Counts per kind; one line for the first, then one summary per ``interval``."""

    def __init__(
        self,
        what: str,
        interval: float = SUMMARY_INTERVAL,
        *,
        verb: str = "refused",
        level: int = logging.WARNING,
    ) -> None:
        self._what = what  # e.g. "control message": the lines read "<what> refused: ..."
        self._verb, self._level = verb, level  # stale set-up messages: "dropped", INFO
        self._window: IntervalSummary[str] = IntervalSummary(interval, self._say, self._tell)
        self.total = 0  # every refusal since the start, for tests and stats

    def note(self, kind: str) -> None:
        self.total += 1
        counts = self._window.counts
        if self._window.open and kind not in counts and len(counts) >= MAX_KINDS:
            kind = "other"
        self._window.note(kind)

    def close(self) -> None:
        """At the end of the link: write what is still counted."""
        self._window.close()

    def _say(self, kind: str) -> None:
        logger.log(self._level, "%s %s: %s", self._what, self._verb, kind)

    def _tell(self, counts: Counter[str]) -> None:
        total = sum(counts.values())
        parts = "; ".join(f"{count} {kind}" for kind, count in counts.most_common())
        logger.log(self._level, "%d more %ss %s: %s", total, self._what, self._verb, parts)
