"""The program's own text log: a rotating file in the state folder, addresses redacted.

The handler sits on the root logger with :class:`privacy.logfilter.AddressRedactor`
on the *handler*, so every record that reaches the file is redacted, whichever
library logged it (aioice, aiortc, aiohttp, asyncio) and however it propagated.
aioice's and aiortc's DEBUG output (candidate addresses, every STUN check) is off
unless asked for; aiohttp's access log (one client address per line) is off.

The file rolls over daily and at ``max_bytes``, keeps at most ``backup_count`` old
files, and old files are purged with the connection log's retention, so disk use
is bounded and no line outlives the retention by more than a day.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

from common.paths import ensure_private_dir
from privacy import logfilter
from privacy.files import LOG_NAME, logs_dir, program_log_files
from privacy.retention import DAY_S, Retention, purge_program_logs

logger = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 100  # with daily rollover: at most ~100 MiB, usually a few KiB a day
FORMAT = "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
QUIET_LIBRARIES = {
    "aioice": logging.WARNING,  # INFO names every candidate pair, with addresses
    "aiortc": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    # DEBUG names the Redis host and port of every failed command; the backplane
    # logs why a session failed itself, in a fixed phrase (signaling.backplane.redisfail)
    "redis": logging.WARNING,
}


def _day(seconds: float) -> int:
    return int(seconds // DAY_S)


class DailyRotatingFileHandler(RotatingFileHandler):
    """Rolls over at ``max_bytes`` and when the UTC day changes; files are 0600."""

    def __init__(
        self, path: Path, *, max_bytes: int, backup_count: int, clock: Callable[[], float]
    ) -> None:
        self._clock = clock
        try:
            self._file_day = _day(path.stat().st_mtime)
        except OSError:
            self._file_day = _day(clock())
        super().__init__(path, maxBytes=max_bytes, backupCount=backup_count,
                         encoding="utf-8", delay=True)  # fmt: skip

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)

    # Flush after every line; LogThread turns it off and flushes once per batch.
    flush_each = True

    def emit(self, record: logging.LogRecord) -> None:
        """Format the line once. The standard library's rotating handler formats it
        twice (once to measure it, the redactor's pattern each time), and checks with
        two ``stat`` calls that the log is still a regular file, which ours always is
        (we create it, in a folder of our own): ~40 % of a line's cost (issue 14)."""
        try:
            text = self.format(record) + self.terminator
            if self._rollover_due(len(text)):
                self.doRollover()
            if self.stream is None:
                self.stream = self._open()
            self.stream.write(text)
            if self.flush_each:
                self.stream.flush()
        except Exception:
            self.handleError(record)

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        return self._rollover_due(len(self.format(record) + self.terminator))

    def _rollover_due(self, length: int) -> bool:
        if _day(self._clock()) != self._file_day:
            path = Path(self.baseFilename)
            if path.exists() and path.stat().st_size > 0:
                return True
            self._file_day = _day(self._clock())
        if self.maxBytes <= 0:
            return False
        if self.stream is None:
            self.stream = self._open()
        # To the end first: the purge (signaling.logpurge) shortens files in place.
        self.stream.seek(0, os.SEEK_END)
        return self.stream.tell() + length >= self.maxBytes

    def doRollover(self) -> None:
        super().doRollover()
        self._file_day = _day(self._clock())


class LogThread(logging.Handler):
    """Hands each record to a thread that writes it through ``handlers``.

    For the signaling server: a line through :class:`RotatingFileHandler` costs ~48 us
    on the caller's thread (two ``stat`` calls and a flush), and 10,000 devices
    leaving at once held the server's event loop for seconds (issue 14). Here the
    caller only merges the message and appends the record to a deque; the thread
    wakes every ``WRITE_EVERY`` seconds, writes what came and flushes once. Not a
    :class:`queue.Queue` with a listener woken per line: there the loop thread and
    the writer took turns at the queue's lock for every line, and during a move of
    1,000 devices 7 % of the loop's time went to waiting for it. Whoever rewrites
    the files in place (:mod:`signaling.logpurge`) first calls :meth:`drain`, then
    holds the file handlers in ``handlers``; :meth:`close` writes every queued line
    first.
    """

    WRITE_EVERY = 0.1  # seconds: what a crash may lose, and how late a line may be

    def __init__(self, handlers: list[logging.Handler]) -> None:
        super().__init__()
        self.handlers = handlers
        self._records: deque[logging.LogRecord] = deque()  # append/popleft: thread-safe
        self._queued = 0  # under the handler's lock (Handler.handle holds it for emit)
        self._written = 0
        self._done = threading.Condition()
        self._wake = threading.Event()
        self._stopping = False
        for handler in handlers:  # a flush per batch, not per line
            if isinstance(handler, DailyRotatingFileHandler):
                handler.flush_each = False
        self._thread: threading.Thread | None = threading.Thread(
            target=self._run, name="log-writer", daemon=True
        )
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._records.append(_prepared(record))
            self._queued += 1
        except Exception:
            self.handleError(record)

    def drain(self) -> None:
        """Return once every record queued so far has been written."""
        target = self._queued
        if self._thread is None:  # stopped: close() wrote them all
            return
        self._wake.set()
        with self._done:
            self._done.wait_for(lambda: self._written >= target or self._thread is None)

    def close(self) -> None:
        thread = self._thread
        if thread is not None:  # closed twice: at exit, logging closes all
            self._stopping = True
            self._wake.set()
            thread.join()  # the queued records first, then the thread ends
        for handler in self.handlers:
            handler.close()
        super().close()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.WRITE_EVERY)
            self._wake.clear()
            stopping = self._stopping  # read before the last batch: none is left behind
            written = self._write_queued()
            with self._done:
                self._written += written
                if stopping:
                    self._thread = None
                self._done.notify_all()
            if stopping:
                return

    def _write_queued(self) -> int:
        written = 0
        while self._records:
            record = self._records.popleft()
            written += 1
            for handler in self.handlers:
                if record.levelno >= handler.level:
                    handler.handle(record)
        if written:
            for handler in self.handlers:
                handler.flush()  # before drain() returns: the purge reads the files
        return written


def _prepared(record: logging.LogRecord) -> logging.LogRecord:
    """A copy with the message merged now (its arguments may change before the thread
    writes it; other handlers keep the original), as QueueHandler does. Copied by
    its attributes, not ``copy.copy`` (half the cost: 10,000 devices ending at once
    are 10,000 lines on the loop's thread)."""
    prepared = logging.LogRecord.__new__(type(record))
    prepared.__dict__.update(record.__dict__)
    prepared.msg = record.getMessage()
    prepared.args = None
    return prepared


@dataclass
class ProgramLog:
    path: Path
    handlers: list[logging.Handler]

    def close(self) -> None:
        """Detach from the root logger (tests; the app keeps it for its lifetime)."""
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()


def formatter() -> logging.Formatter:
    fmt = logfilter.RedactingFormatter(FORMAT, DATE_FORMAT)
    fmt.converter = time.gmtime
    return fmt


def setup_program_log(
    state: Path,
    *,
    level: int = logging.INFO,
    debug_libraries: bool = False,
    retention: Retention | None = None,
    console: bool = False,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
    clock: Callable[[], float] = time.time,
    threaded: bool = False,
) -> ProgramLog:
    """Log to ``<state>/logs/klasgenoot.log`` (and, with ``console``, to stderr).

    Old files past ``retention`` are purged first. Call once at program start.
    ``threaded``: the lines are written by a thread (:class:`LogThread`).
    """
    folder = ensure_private_dir(logs_dir(state))
    purge_program_logs(state, (retention or Retention()).connection_cutoff(clock()))
    path = folder / LOG_NAME
    handlers: list[logging.Handler] = [
        DailyRotatingFileHandler(path, max_bytes=max_bytes, backup_count=backup_count, clock=clock)
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter())
        logfilter.attach(handler)
    if threaded:  # each inner handler redacts, in the thread: no regex on the loop
        handlers = [LogThread(handlers)]
    for handler in handlers:
        root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    quiet_libraries(debug=debug_libraries)
    logfilter.install()
    return ProgramLog(path, handlers)


def lean_records() -> None:
    """Records carry only what FORMAT prints: no caller's file and line (a walk up the
    stack), thread, process or asyncio task. For the whole process: the server, whose
    every device writes a line or two as it comes and goes (4 of 10 µs a line)."""
    logging._srcfile = None  # the logging HOWTO's "Optimization" names this switch
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logAsyncioTasks = False  # type: ignore[attr-defined]  # Python 3.12


def quiet_libraries(*, debug: bool = False) -> None:
    """Library debug output off (or on, for a technician chasing a fault: still redacted)."""
    for name, level in QUIET_LIBRARIES.items():
        logging.getLogger(name).setLevel(logging.DEBUG if debug else level)


def purge_lines(state: Path, needles: Iterable[str]) -> int:
    """Remove every program-log line that mentions one of ``needles`` (short DeviceIds,
    a pairing id); return how many went. For the operator: revoking a pairing also
    removes what the server logged about it.

    Files are rewritten in place: a running server appends with O_APPEND, so its
    next line still lands at the end of the shortened file.
    """
    wanted = [n for n in needles if n]
    if not wanted:
        return 0
    removed = 0
    for path in program_log_files(state):
        try:
            with path.open("r+", encoding="utf-8", errors="replace") as fh:
                lines = fh.readlines()
                kept = [line for line in lines if not any(n in line for n in wanted)]
                if len(kept) == len(lines):
                    continue
                fh.seek(0)
                fh.writelines(kept)
                fh.truncate()
                removed += len(lines) - len(kept)
        except OSError:
            logger.warning("could not purge a program log file")
    return removed
