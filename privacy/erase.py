"""Erase the connection log and the program log (the right to erasure, 001/004).

Erased means gone from the bytes on disk, not just unlinked from an index:
``secure_delete`` zeroes the freed space, VACUUM rebuilds the file and a TRUNCATE
checkpoint empties the WAL, where older copies of pages would otherwise linger.
Program log files are overwritten with zeros before they go. (Flash storage may
still keep remapped blocks; full-disk encryption covers that, see docs/privacy.md.)

The audit trail is not erased here: it is the record of who did what, including
this erase (app/cli_logs.py appends ``logs_erased``). Wiping the device removes it.
The exception is a damaged database: nothing in it can be read or trusted, so it is
removed whole, audit trail included, and the report says so (``database_replaced``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from privacy.errors import EraseIncomplete
from privacy.files import (
    LOG_NAME,
    damaged_files,
    database_files,
    database_path,
    program_log_files,
)
from privacy.health import LogFault, classify
from privacy.schema import SchemaTooNew, connect

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EraseReport:
    sessions: int = 0
    events: int = 0
    log_files: int = 0
    database_replaced: bool = False  # it was damaged, so the whole file went (with the audit)


def overwrite_and_remove(path: Path, *, keep: bool = False) -> bool:
    """Zero-fill ``path`` and remove it (or empty it, with ``keep``); False if it stays."""
    try:
        if path.is_symlink():  # never follow: the target is not ours to zero
            path.unlink()
            return True
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.write(bytes(size))
            fh.flush()
            os.fsync(fh.fileno())
            if keep:
                fh.truncate(0)
        if not keep:
            path.unlink()
    except FileNotFoundError:
        return True
    except OSError:
        logger.warning("could not erase %s", path.name)
        return False
    return True


def _remove_whole(state: Path) -> EraseReport:
    """Zero-fill and remove the database and every companion file."""
    present = [p for p in database_files(state) if p.exists() or p.is_symlink()]
    if not all(overwrite_and_remove(p) for p in present):
        raise EraseIncomplete("database files")
    return EraseReport(database_replaced=bool(present))


def _delete_rows(conn: sqlite3.Connection) -> EraseReport | None:
    """Delete every session and event and rewrite the file; None if it is damaged.

    A damaged b-tree may keep records where DELETE does not look, so the file is
    checked first; damage found on the way counts the same.
    """
    try:
        if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            return None
        conn.execute("BEGIN IMMEDIATE")
        events = conn.execute("DELETE FROM events").rowcount
        sessions = conn.execute("DELETE FROM sessions").rowcount
        conn.execute("COMMIT")
        conn.execute("VACUUM")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if classify(exc) is LogFault.DAMAGED:
            return None
        raise EraseIncomplete(type(exc).__name__) from exc
    if busy:  # another program is reading: old pages may still be in the WAL
        raise EraseIncomplete("database in use")
    return EraseReport(sessions, events)


def _erase_database(state: Path) -> EraseReport:
    if not database_path(state).exists():
        _remove_whole(state)  # a stray WAL or journal may still hold pages
        return EraseReport()
    try:
        conn = connect(database_path(state))
    except (sqlite3.Error, OSError, SchemaTooNew) as exc:
        if classify(exc) is not LogFault.DAMAGED:
            raise EraseIncomplete(type(exc).__name__) from exc
        report = None
    else:
        try:
            report = _delete_rows(conn)
        finally:
            conn.close()
    # Nothing in a damaged file can be read or kept: it goes whole, audit trail included.
    return _remove_whole(state) if report is None else report


def erase_logs(state: Path) -> EraseReport:
    """Erase every session, event and program log line; raise EraseIncomplete if not."""
    report = _erase_database(state)
    removed, failed = 0, 0
    for path in damaged_files(state):  # set aside when damaged: connection data too
        if overwrite_and_remove(path):
            removed += 1
        else:
            failed += 1
    for path in program_log_files(state):
        # The running program keeps writing to its current file: empty that one.
        if overwrite_and_remove(path, keep=path.name == LOG_NAME):
            removed += 1
        else:
            failed += 1
    if failed:
        raise EraseIncomplete(f"{failed} log file(s)")
    return EraseReport(report.sessions, report.events, removed, report.database_replaced)
