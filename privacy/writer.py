"""The connection log's own thread: all disk writes happen here, never on the caller's.

The engine calls the log from its asyncio loop; a locked database waits up to a
second (SQLite's busy timeout) and a slow disk may stall longer, which must not
freeze a live call. So callers only enqueue (bounded: when the queue is full the
record is dropped and counted) and this thread writes, batching what has queued
up into one transaction so a burst of events costs one commit.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from privacy.health import LogFault, LogHealth, classify
from privacy.recovery import SetAside
from privacy.schema import SchemaTooNew, connect

logger = logging.getLogger(__name__)

MAX_BACKLOG = 4096
MAX_BATCH = 256
REOPEN_AFTER_S = 5.0

# handle (what session_started returned) -> row id in the database
RowIds = dict[int, int]


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of work. ``batched`` jobs share a transaction; others run alone and
    get ``None`` for the connection when the database cannot be opened."""

    run: Callable[[sqlite3.Connection | None, RowIds], None]
    records: int = 1
    batched: bool = True
    done: threading.Event | None = field(default=None, compare=False)


_STOP = Job(run=lambda conn, ids: None, records=0)


class Writer:
    def __init__(
        self,
        db: Path,
        clock: Callable[[], float],
        recover: Callable[[], SetAside | None] | None = None,
    ) -> None:
        """``recover``: the owner's way out of a damaged database (privacy/recovery.py),
        tried before the first connection and whenever SQLite reports damage."""
        self._db, self._clock = db, clock
        self._recover = recover
        self._checked = recover is None
        self._queue: queue.Queue[Job] = queue.Queue(MAX_BACKLOG)
        self._lock = threading.Lock()
        self._health = LogHealth()
        self._conn: sqlite3.Connection | None = None
        self._opened_at = -REOPEN_AFTER_S
        self._ids: RowIds = {}
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="connection-log", daemon=True)
        self._thread.start()

    @property
    def health(self) -> LogHealth:
        return self._health

    def fault(self, fault: LogFault, dropped: int = 0) -> None:
        """Record a fault (any thread); ``dropped`` records were lost with it."""
        with self._lock:
            h = self._health
            self._health = LogHealth(fault, self._clock(), h.dropped + dropped, h.working)
        if dropped:
            logger.warning("connection log: %s, %d record(s) dropped", fault.value, dropped)

    def _set_working(self, working: bool) -> None:
        with self._lock:
            if self._health.working != working:
                self._health = replace(self._health, working=working)

    def submit(self, job: Job) -> bool:
        if self._closed:
            self.fault(LogFault.CLOSED, job.records)
            return False
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            self.fault(LogFault.BACKLOG, job.records)
            if job.done is not None:
                job.done.set()
            return False
        return True

    def wait(self, timeout: float) -> bool:
        """Block until everything submitted so far is done (or ``timeout`` passes)."""
        done = threading.Event()
        if not self.submit(Job(run=lambda conn, ids: None, records=0, batched=False, done=done)):
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            logger.warning("connection log: could not stop the writer in time")
            return
        self._thread.join(timeout)

    # -- the writer thread -------------------------------------------------------

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while batch[-1] is not _STOP and len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = batch[-1] is _STOP
            self._process([job for job in batch if job is not _STOP])
            if stop:
                break
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is None and time.monotonic() - self._opened_at >= REOPEN_AFTER_S:
            self._opened_at = time.monotonic()
            if not self._checked:  # once at start: damage deep in the file too
                self._checked = True
                self._set_aside()
            self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection | None:
        try:
            return connect(self._db)
        except (sqlite3.Error, OSError, SchemaTooNew) as exc:
            fault = classify(exc)
            self.fault(fault)
            if fault is not LogFault.DAMAGED or not self._set_aside():
                return None
        try:
            return connect(self._db)
        except (sqlite3.Error, OSError, SchemaTooNew) as exc:
            self.fault(classify(exc))
            return None

    def _set_aside(self) -> bool:
        """Let the owner move a damaged database aside; True if a new one was begun."""
        if self._recover is None:
            return False
        try:
            done = self._recover()
        except (OSError, sqlite3.Error) as exc:
            logger.warning("connection log: damaged database not set aside (%s)",
                           type(exc).__name__)  # fmt: skip
            return False
        if done is None:
            return False
        with self._lock:
            self._health = replace(self._health, fault=LogFault.DAMAGED, at=done.at,
                                   set_aside_at=done.at, audit_kept=done.audit_kept)  # fmt: skip
        return True

    def _process(self, jobs: list[Job]) -> None:
        conn = self._connection()
        group: list[Job] = []
        for job in jobs:
            if job.batched:
                group.append(job)
                continue
            self._run_group(conn, group)
            group = []
            self._run_alone(conn, job)
        self._run_group(conn, group)

    def _run_alone(self, conn: sqlite3.Connection | None, job: Job) -> None:
        try:
            job.run(conn, self._ids)
        except Exception as exc:  # a fault of the log must never end the thread
            self._failed(exc, job.records)
        finally:
            if job.done is not None:
                job.done.set()

    def _run_group(self, conn: sqlite3.Connection | None, group: list[Job]) -> None:
        if not group:
            return
        if conn is None:
            self.fault(self._health.fault if not self._health.ok else LogFault.UNAVAILABLE,
                       sum(j.records for j in group))  # fmt: skip
            self._set_working(False)
            return
        saved = dict(self._ids)
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in group:
                job.run(conn, self._ids)
            conn.execute("COMMIT")
            self._set_working(True)
        except sqlite3.IntegrityError:
            self._rollback(conn, saved)
            for job in group:  # find the bad one; keep the others
                self._run_single(conn, job)
        except Exception as exc:
            self._rollback(conn, saved)
            self._failed(exc, sum(j.records for j in group))

    def _run_single(self, conn: sqlite3.Connection, job: Job) -> None:
        saved = dict(self._ids)
        try:
            conn.execute("BEGIN IMMEDIATE")
            job.run(conn, self._ids)
            conn.execute("COMMIT")
        except sqlite3.IntegrityError:
            self._rollback(conn, saved)
            self.fault(LogFault.REJECTED, job.records)
        except Exception as exc:
            self._rollback(conn, saved)
            self._failed(exc, job.records)

    def _rollback(self, conn: sqlite3.Connection, saved: RowIds) -> None:
        self._ids.clear()
        self._ids.update(saved)
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                logger.debug("rollback failed", exc_info=True)

    def _failed(self, exc: BaseException, records: int) -> None:
        fault = classify(exc)
        self.fault(fault, records)
        self._set_working(False)
        if fault in (LogFault.DAMAGED, LogFault.UNAVAILABLE) and self._conn is not None:
            self._conn.close()  # reopen later: the file may have been replaced or erased
            self._conn = None
            if fault is LogFault.DAMAGED and self._set_aside():
                self._opened_at = -REOPEN_AFTER_S  # a fresh database: use it at once
