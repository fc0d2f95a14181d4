"""The connection log: what the call engine tells about each call, kept technical.

Safe to call from the engine's asyncio thread: every method only validates and
enqueues (privacy/writer.py writes on its own thread), and none raises. A value
outside the fixed sets (privacy/codes.py) is refused and counted, never stored;
a database fault is counted and shown in :attr:`ConnectionLog.health`.

Per-second stats are folded in memory (privacy/summary.py) and written as
summaries: once a minute while the call lasts (so a crash loses at most a minute)
and at the end.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Concatenate

from privacy import rows
from privacy.codes import (
    CandidateType,
    EndReason,
    EventKind,
    LocalRole,
    RelayProtocol,
    coded,
    event_code_allowed,
    valid_peer_short,
)
from privacy.files import database_path
from privacy.health import LogFault, LogHealth
from privacy.purge import purge_all
from privacy.recovery import SetAside, set_aside_if_damaged
from privacy.retention import DAY_S, PurgeReport, Retention
from privacy.summary import StatsSummary
from privacy.writer import Job, RowIds, Writer

__all__ = ["ConnectionLog", "LogFault", "LogHealth"]

logger = logging.getLogger(__name__)

SUMMARY_EVERY_S = 60.0
MAX_OPEN_SESSIONS = 16  # bounds memory if an engine never ends its sessions
PURGE_WAIT_S = 10.0
_MAX_SETUP_MS = 3_600_000


def _guarded[**P, R](
    fallback: Callable[[ConnectionLog], R],
) -> Callable[
    [Callable[Concatenate[ConnectionLog, P], R]], Callable[Concatenate[ConnectionLog, P], R]
]:
    """The last line of "never raises": a bug here must not end a pupil's call."""

    def wrap(
        method: Callable[Concatenate[ConnectionLog, P], R],
    ) -> Callable[Concatenate[ConnectionLog, P], R]:
        @functools.wraps(method)
        def guarded(self: ConnectionLog, *args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                logger.warning(
                    "connection log: %s failed (%s)", method.__name__, type(exc).__name__
                )
                self._writer.fault(LogFault.REJECTED, 1)
                return fallback(self)

        return guarded

    return wrap


def _nothing(log: ConnectionLog) -> None:
    return None


def _new_handle(log: ConnectionLog) -> int:
    return next(log._handles)


class _Open:
    """A session the engine has started and not yet ended."""

    def __init__(self, now: float) -> None:
        self.summary = StatsSummary()
        self.flushed_at = now


class ConnectionLog:
    def __init__(
        self,
        state: Path,
        *,
        secret: bytes | None,
        clock: Callable[[], float],
        retention: Retention,
        owner: bool = False,
    ) -> None:
        self._state, self._secret, self._clock = state, secret, clock
        self._retention = retention
        # Only the owner may move a damaged database aside (a reader never writes).
        recover = self._set_aside_if_damaged if owner else None
        self._writer = Writer(database_path(state), clock, recover)
        self._handles = itertools.count(1)
        self._open: dict[int, _Open] = {}
        self._lock = threading.Lock()
        self._last_purge = -float("inf")

    @classmethod
    def open(
        cls,
        state_dir: Path,
        *,
        secret: bytes | None = None,
        clock: Callable[[], float] = time.time,
        retention: Retention | None = None,
        owner: bool = False,
    ) -> ConnectionLog:
        """Start the log of ``state_dir`` (``<config>/state``) and purge what is due.

        ``secret`` is the audit secret: with it, audit records older than 13 months
        are purged behind a signed anchor; without it the audit trail is left alone.
        ``owner``: only the process that holds the device folder's lock
        (common.instance) may close sessions a previous run left open; any other
        reader (``klasgenoot logs …`` during a call) would end a live call's record.
        Never raises: an unusable database shows in :attr:`health`.
        """
        log = cls(state_dir, secret=secret, clock=clock, retention=retention or Retention(),
                  owner=owner)  # fmt: skip
        if owner:
            log.close_interrupted()
        log.purge_if_due()
        return log

    def close_interrupted(self) -> bool:
        """Close what a previous run left open. Only for the folder's owner (see
        :meth:`open`): one engine per device folder runs at a time."""

        def run(conn: sqlite3.Connection | None, ids: RowIds) -> None:
            assert conn is not None  # batched: in a transaction, before any new session
            if closed := rows.close_interrupted(conn):
                logger.info("connection log: %d interrupted session(s) closed", closed)

        return self._writer.submit(Job(run, records=0))

    @property
    def health(self) -> LogHealth:
        return self._writer.health

    @property
    def retention(self) -> Retention:
        return self._retention

    # -- what the engine reports ---------------------------------------------------

    @_guarded(_new_handle)
    def session_started(self, *, role: str, peer_short: str) -> int:
        handle = next(self._handles)
        local = coded(LocalRole, role)
        if local is None or not valid_peer_short(peer_short):
            self._reject("session")
            return handle
        now = self._clock()
        with self._lock:
            if len(self._open) >= MAX_OPEN_SESSIONS:
                self._open.pop(next(iter(self._open)))
            self._open[handle] = _Open(now)

        def run(conn: sqlite3.Connection | None, ids: RowIds) -> None:
            assert conn is not None
            row = rows.insert_session(conn, local.value, peer_short, now)
            if row is not None:
                ids[handle] = row

        self._writer.submit(Job(run))
        return handle

    @_guarded(_nothing)
    def session_connected(
        self,
        session_id: int,
        *,
        setup_ms: int,
        candidate_type: str | None,
        relay_protocol: str | None = None,
    ) -> None:
        """Connected (again): the first setup time stays, the path (candidate type
        and relay transport) follows the newest link; a ``connected`` event is logged
        each time."""
        ms = rows.count(setup_ms)
        candidate = None if candidate_type is None else coded(CandidateType, candidate_type)
        relay = None if relay_protocol is None else coded(RelayProtocol, relay_protocol)
        if (
            ms is None
            or (candidate_type is not None and candidate is None)
            or (relay_protocol is not None and relay is None)
        ):
            self._reject("connected")
            return
        now = self._clock()
        setup = min(ms, _MAX_SETUP_MS)

        def run(conn: sqlite3.Connection | None, ids: RowIds) -> None:
            assert conn is not None
            row = ids.get(session_id)
            rows.mark_connected(
                conn, row, now, setup,
                candidate.value if candidate else None, relay=relay.value if relay else None,
            )  # fmt: skip
            rows.insert_event(conn, now, row, EventKind.CONNECTED, None)

        self._writer.submit(Job(run))

    @_guarded(_nothing)
    def event(self, session_id: int | None, kind: EventKind, code: str | None = None) -> None:
        what = coded(EventKind, kind)
        text = None if code is None else str(getattr(code, "value", code))
        if what is None or not event_code_allowed(what, text):
            self._reject("event")
            return
        now = self._clock()

        def run(conn: sqlite3.Connection | None, ids: RowIds) -> None:
            assert conn is not None
            row = None if session_id is None else ids.get(session_id)
            rows.insert_event(conn, now, row, what, text)

        self._writer.submit(Job(run))

    @_guarded(_nothing)
    def session_stats(self, session_id: int, stats: Mapping[str, float | int | None]) -> None:
        """Fold one second's stats in; a ``CallStats`` dataclass is accepted as it is."""
        values: Any = stats
        if dataclasses.is_dataclass(values) and not isinstance(values, type):
            values = dataclasses.asdict(values)
        now = self._clock()
        with self._lock:
            session = self._open.get(session_id)
            if session is None:
                return
            session.summary.add(values)
            if now - session.flushed_at < SUMMARY_EVERY_S:
                return
            session.flushed_at = now
            columns = session.summary.columns()
        self._write_summary(session_id, columns, {})

    @_guarded(_nothing)
    def session_ended(
        self,
        session_id: int,
        *,
        reason: str,
        reconnects: int,
        freezes: int,
        bytes_out: int,
        bytes_in: int,
    ) -> None:
        with self._lock:
            session = self._open.pop(session_id, None)
        end = coded(EndReason, reason)
        counts = {"reconnects": reconnects, "freezes": freezes,
                  "bytes_out": bytes_out, "bytes_in": bytes_in}  # fmt: skip
        checked = {name: rows.count(value) for name, value in counts.items()}
        if end is None or None in checked.values():
            self._reject("ended")
            return
        columns = session.summary.columns() if session is not None else {}
        now = self._clock()
        self._write_summary(session_id, columns, {"ended_at": rows.ms(now),
                                                  "end_reason": end.value, **checked})  # fmt: skip

        def run(conn: sqlite3.Connection | None, ids: RowIds) -> None:
            assert conn is not None
            rows.insert_event(conn, now, ids.get(session_id), EventKind.ENDED, end.value)

        self._writer.submit(Job(run))
        self.purge_if_due()

    # -- retention -------------------------------------------------------------------

    def purge(self, now: float | None = None) -> PurgeReport:
        """Purge what is past retention, waiting for it (up to 10 s; at start, in tests
        and the CLI). Never raises: a failure gives ``PurgeReport(ok=False)``."""
        when = self._clock() if now is None else now
        self._last_purge = when
        result: list[PurgeReport] = []
        done = threading.Event()
        job = Job(lambda conn, ids: result.append(self._purge(conn, when)),
                  records=0, batched=False, done=done)  # fmt: skip
        if not self._writer.submit(job) or not done.wait(PURGE_WAIT_S) or not result:
            return PurgeReport(ok=False)
        return result[0]

    def purge_if_due(self) -> bool:
        """Schedule a purge if the last one is a day old; returns at once."""
        now = self._clock()
        if now - self._last_purge < DAY_S:
            return False
        self._last_purge = now

        def run(conn: sqlite3.Connection | None, ids: RowIds) -> None:
            self._purge(conn, now)

        return self._writer.submit(Job(run, records=0, batched=False))

    def _purge(self, conn: sqlite3.Connection | None, now: float) -> PurgeReport:
        return purge_all(conn, self._state, now=now, retention=self._retention,
                         secret=self._secret)  # fmt: skip

    # -- lifecycle -------------------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything reported so far is on disk (tests, shutdown)."""
        return self._writer.wait(timeout)

    def close(self) -> None:
        """Write the summaries of sessions still open, then stop the writer."""
        with self._lock:
            pending = [(handle, s.summary.columns()) for handle, s in self._open.items()]
            self._open.clear()
        for handle, columns in pending:
            self._write_summary(handle, columns, {})
        self._writer.close()

    # -- internals -------------------------------------------------------------------

    def _set_aside_if_damaged(self) -> SetAside | None:
        return set_aside_if_damaged(self._state, secret=self._secret, now=self._clock())

    def _reject(self, what: str) -> None:
        # The value itself is not logged: it is exactly what must not be kept.
        logger.debug("connection log: refused a %s record", what)
        self._writer.fault(LogFault.REJECTED, 1)

    def _write_summary(
        self, session_id: int, columns: Mapping[str, float | None], extra: Mapping[str, object]
    ) -> None:
        values = {**columns, **extra}
        if not values:
            return

        def run(conn: sqlite3.Connection | None, ids: RowIds) -> None:
            assert conn is not None
            rows.update_session(conn, ids.get(session_id), values)

        self._writer.submit(Job(run))
