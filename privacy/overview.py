"""The technician screen's data, Qt-free: what is kept, the log itself, and its size.

The Qt view (app/, another module) renders a :class:`LogOverview`, calls
:func:`privacy.export.export_document`/:func:`~privacy.export.write_export` for
"export to file or USB stick" and :func:`privacy.erase.erase_logs` for "erase", off
the GUI thread, and appends the matching audit record (privacy/audit.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from privacy.export import open_for_reading, read_rows
from privacy.files import database_files, program_log_files
from privacy.health import LogHealth, read_failure
from privacy.keeplist import KeptTable, keeplist
from privacy.retention import AUDIT_MONTHS, Retention

Row = dict[str, object]


@dataclass(frozen=True, slots=True)
class LogOverview:
    kept: tuple[KeptTable, ...]  # "What this device keeps" (generated from the schema)
    retention_days: int
    audit_months: int
    sessions: tuple[Row, ...]  # newest first, at most ``limit``
    events: tuple[Row, ...]
    audit: tuple[Row, ...]
    counts: dict[str, int]  # all rows per table, not just the ones shown
    database_bytes: int  # database with its WAL, on disk
    program_log_bytes: int
    health: LogHealth | None  # the running log's, when the caller has one


def _size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return total


def load_overview(
    state: Path,
    *,
    limit: int = 100,
    retention: Retention | None = None,
    health: LogHealth | None = None,
) -> LogOverview:
    """Read the log for display; LogDamaged or LogUnavailable if it cannot be read.

    Creates nothing: a device that keeps no database yet shows an empty log."""
    retention = retention or Retention()
    tables: dict[str, tuple[Row, ...]] = {"sessions": (), "events": (), "audit": ()}
    counts = dict.fromkeys(tables, 0)
    conn = open_for_reading(state)
    if conn is not None:
        try:
            for table in tables:
                tables[table] = tuple(read_rows(conn, table, limit=limit, newest_first=True))
                counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        except sqlite3.Error as exc:
            raise read_failure(exc) from exc
        finally:
            conn.close()
    return LogOverview(
        kept=keeplist(retention),
        retention_days=retention.connection_days,
        audit_months=AUDIT_MONTHS,
        sessions=tables["sessions"],
        events=tables["events"],
        audit=tables["audit"],
        counts=counts,
        database_bytes=_size(database_files(state)),
        program_log_bytes=_size(program_log_files(state)),
        health=health,
    )
