"""How long logs are kept, and the purge that enforces it.

Connection logs and the program log: 90 days by default, at most 183 (the longest
term in the source statements: 001 keeps internet traffic data 6 months). The audit
trail: 13 months (002 "Hoe lang bewaren wij uw gegevens?"). Purging runs at start
and then daily: :meth:`privacy.store.ConnectionLog.purge_if_due` is cheap to call
often, and :func:`purge_daily` is a ready-made asyncio task for it.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from privacy.errors import RetentionInvalid, RetentionTooLong
from privacy.files import program_log_files

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 90
MAX_DAYS = 183
AUDIT_MONTHS = 13
DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class Retention:
    """The device's retention setting; validated here, so a bad value never applies."""

    connection_days: int = DEFAULT_DAYS

    def __post_init__(self) -> None:
        days = self.connection_days
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise RetentionInvalid(repr(days))
        if days > MAX_DAYS:
            raise RetentionTooLong(f"{days} dagen")

    @classmethod
    def from_setting(cls, value: object) -> Retention:
        """From a settings file: a whole number of days (``"120"`` is accepted too)."""
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool):
            raise RetentionInvalid(type(value).__name__)
        return cls(value)

    def connection_cutoff(self, now: float) -> float:
        """Connection records and program log files older than this are purged."""
        return now - self.connection_days * DAY_S


def audit_cutoff(now: float, months: int = AUDIT_MONTHS) -> float:
    """``now`` minus whole calendar months (UTC), the day clamped to the month's end."""
    t = dt.datetime.fromtimestamp(now, dt.UTC)
    index = t.year * 12 + t.month - 1 - months
    year, month = divmod(index, 12)
    day = min(t.day, calendar.monthrange(year, month + 1)[1])
    return t.replace(year=year, month=month + 1, day=day).timestamp()


@dataclass(frozen=True, slots=True)
class PurgeReport:
    ok: bool = True
    sessions: int = 0
    events: int = 0
    audit: int = 0
    log_files: int = 0


def purge_connection_logs(conn: sqlite3.Connection, cutoff: float) -> tuple[int, int]:
    """Delete sessions started and events logged before ``cutoff`` (in a transaction)."""
    ms = int(cutoff * 1000)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Events of an old session go with it (ON DELETE CASCADE); count them first.
        events = conn.execute(
            "SELECT count(*) FROM events WHERE at < ? OR session_id IN "
            "(SELECT id FROM sessions WHERE started_at < ?)",
            (ms, ms),
        ).fetchone()[0]
        sessions = conn.execute("DELETE FROM sessions WHERE started_at < ?", (ms,)).rowcount
        conn.execute("DELETE FROM events WHERE at < ?", (ms,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return sessions, events


def purge_program_logs(state: Path, cutoff: float) -> int:
    """Remove rotated program log files last written before ``cutoff``.

    The log rolls over at least daily (privacy/applog.py), so a file's last write is
    at most a day after its first line: nothing stays more than a day too long.
    """
    removed = 0
    for path in program_log_files(state):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            logger.warning("could not remove an old program log file")
    return removed


class Purging(Protocol):
    def purge_if_due(self) -> bool: ...


class ProgramLogPurge:
    """The daily purge of a program log that has no connection log beside it: the
    signaling server, which may run for months without a restart (the devices'
    connection log purges their program log with its own)."""

    def __init__(
        self, state: Path, retention: Retention | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self._state, self._retention, self._clock = state, retention or Retention(), clock
        self._last = -float("inf")

    def purge_if_due(self) -> bool:
        now = self._clock()
        if now - self._last < DAY_S:
            return False
        self._last = now
        removed = purge_program_logs(self._state, self._retention.connection_cutoff(now))
        if removed:
            logger.info("program log: %d old file(s) purged", removed)
        return True


async def purge_daily(log: Purging, check_every: float = 3600.0) -> None:
    """Run forever (cancel to stop): purge whenever a day has passed since the last.

    Checking hourly rather than sleeping a day keeps a suspended laptop honest: the
    purge happens within the hour after it wakes up, not a day later.
    """
    while True:
        log.purge_if_due()
        await asyncio.sleep(check_every)
