"""Export the logs as JSON: the rights of access and portability (001, 003).

The document has a name and a version so that whoever reads it can tell what it
is; its rows are generated from the database schema (every column, nothing else),
so an export can neither miss nor invent a field. docs/privacy.md describes it.

    {"schema": "klasgenoot.connection-log", "version": 1,
     "exported_at": "...Z", "device": {"role": ..., "device": <short id>},
     "retention": {"connection_days": 90, "audit_months": 13},
     "sessions": [...], "events": [...], "audit": [...], "audit_anchor": {...} | null}
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.paths import write_private_file
from privacy.codes import LocalRole, coded, valid_peer_short
from privacy.errors import ExportFailed, ExportPathInvalid
from privacy.files import database_path
from privacy.health import read_failure
from privacy.retention import AUDIT_MONTHS, Retention
from privacy.schema import SchemaTooNew, column_names, connect

SCHEMA_NAME = "klasgenoot.connection-log"
EXPORT_VERSION = 1
EXPORTED_TABLES = ("sessions", "events", "audit")
EXPORT_FILE = "klasgenoot-export-{day}{n}.json"
MAX_NUMBERED = 999


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """Who this device is, as far as the export says: its role and short DeviceId."""

    role: str | None = None
    device: str | None = None

    def as_json(self) -> dict[str, str | None]:
        role = coded(LocalRole, self.role)
        short = self.device if valid_peer_short(self.device) else None
        return {"role": None if role is None else role.value, "device": short}


def iso(ms: int) -> str:
    """Milliseconds since 1970 as ISO 8601 UTC (``2024-05-01T08:30:00.250Z``)."""
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _value(column: str, value: object) -> object:
    if value is None:
        return None
    if (column == "at" or column.endswith("_at") or column == "purged_before") and isinstance(
        value, int
    ):
        return iso(value)
    if isinstance(value, bytes):
        return value.hex()
    if column == "sensitive":
        return bool(value)
    return value


def read_rows(
    conn: sqlite3.Connection, table: str, *, limit: int | None = None, newest_first: bool = False
) -> list[dict[str, object]]:
    """Every column of ``table`` (a name of ours, never a caller's), as JSON values."""
    columns = column_names(conn, table)
    order = "DESC" if newest_first else "ASC"
    sql = f"SELECT {', '.join(columns)} FROM {table} ORDER BY id {order}"  # noqa: S608
    params: tuple[int, ...] = ()
    if limit is not None:
        sql += " LIMIT ?"
        params = (limit,)
    return [
        {c: _value(c, v) for c, v in zip(columns, row, strict=True)}
        for row in conn.execute(sql, params)
    ]


def open_for_reading(state: Path) -> sqlite3.Connection | None:
    """The log database, or None if this device has never kept anything."""
    db = database_path(state)
    if not db.exists():
        return None
    try:
        return connect(db)
    except (sqlite3.Error, OSError, SchemaTooNew) as exc:
        raise read_failure(exc) from exc


def export_document(
    state: Path,
    *,
    device: DeviceInfo,
    retention: Retention | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    retention = retention or Retention()
    doc: dict[str, Any] = {
        "schema": SCHEMA_NAME,
        "version": EXPORT_VERSION,
        "exported_at": iso(int((time.time() if now is None else now) * 1000)),
        "device": device.as_json(),
        "retention": {"connection_days": retention.connection_days, "audit_months": AUDIT_MONTHS},
        **{table: [] for table in EXPORTED_TABLES},
        "audit_anchor": None,
    }
    conn = open_for_reading(state)
    if conn is None:
        return doc
    try:
        for table in EXPORTED_TABLES:
            doc[table] = read_rows(conn, table)
        anchors = read_rows(conn, "audit_anchor")
        doc["audit_anchor"] = anchors[0] if anchors else None
    except sqlite3.Error as exc:
        raise read_failure(exc) from exc
    finally:
        conn.close()
    return doc


def export_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def export_path(path: Path, exported_at: str) -> Path:
    """Where an export asked for at ``path`` goes.

    A file name is used as it is. An existing folder (a USB stick's, as a technician
    would type it) gets a new ``klasgenoot-export-<date>.json`` in it, numbered so an
    earlier export is never overwritten.
    """
    if not path.is_dir():
        return path
    day = exported_at[:10]  # the UTC date of "exported_at"
    for n in range(1, MAX_NUMBERED + 1):
        name = EXPORT_FILE.format(day=day, n="" if n == 1 else f"-{n}")
        if not (path / name).exists() and not (path / name).is_symlink():
            return path / name
    raise ExportPathInvalid(f"{MAX_NUMBERED} exports in that folder already")


def write_export(path: Path, doc: dict[str, Any]) -> Path:
    """Write atomically (a USB stick pulled halfway leaves no half file), mode 0600;
    return the file written (see :func:`export_path`)."""
    target = export_path(path, str(doc.get("exported_at", "")))
    try:
        write_private_file(target, export_json(doc).encode())
    except OSError as exc:
        raise ExportFailed(exc.strerror or type(exc).__name__) from exc
    return target
