"""A damaged log database is set aside and a fresh one started (issue 15, item 10).

Without this a damaged file stayed dead: calls went on, nothing was logged, and the
only way out (``logs erase``) also took the audit trail. Now the process that owns
the device's log (privacy.store, ``owner=True``) checks the file when it opens it
and whenever SQLite reports damage, and then:

1. reads the audit trail out of the damaged file, and keeps it only if every record
   reads and, with the audit secret, the chain verifies;
2. moves the file and its companions to ``state/damaged/`` (0600; retention removes
   them after the connection-log term; never exported, erased by ``logs erase``);
3. starts a new database, puts the intact audit records (and anchor) back as they
   were, and appends ``log_set_aside`` (actor ``system``) to the audit trail.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from common.paths import ensure_private_dir
from privacy.audit import AuditRecord, append, read_records, verify_chain
from privacy.codes import ActorRole, AuditAction
from privacy.files import DB_COMPANIONS, damaged_dir, damaged_files, database_path
from privacy.health import LogFault, classify
from privacy.schema import SchemaTooNew, connect

logger = logging.getLogger(__name__)

_Anchor = tuple[int, bytes, int, bytes]
_COLUMNS = "id, at, actor, action, setting, sensitive, old_value, new_value, mac"


@dataclass(frozen=True, slots=True)
class SetAside:
    """What happened, for the health line and the log."""

    at: float  # when, on the log's clock
    name: str  # the file's name in state/damaged/
    audit_kept: bool  # the audit trail was intact and carried over


def is_damaged(db: Path) -> bool:
    """True only for real damage (not a database, or corrupt pages): a locked, full or
    newer-version file is not "damaged" here and is never moved."""
    if not db.exists():
        return False
    try:
        conn = sqlite3.connect(db, timeout=1.0)
    except sqlite3.Error as exc:
        return classify(exc) is LogFault.DAMAGED
    try:
        return conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    except sqlite3.Error as exc:
        return classify(exc) is LogFault.DAMAGED and not isinstance(exc, SchemaTooNew)
    finally:
        conn.close()


def _salvage_audit(
    db: Path, secret: bytes | None
) -> tuple[list[AuditRecord], _Anchor | None] | None:
    """The audit records and anchor if they all read and (with a secret) verify."""
    try:
        conn = sqlite3.connect(db, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        records = read_records(conn)
        row = conn.execute(
            "SELECT last_id, last_mac, purged_before, mac FROM audit_anchor"
        ).fetchone()
        anchor = None if row is None else (int(row[0]), bytes(row[1]), int(row[2]), bytes(row[3]))
        if secret is not None and not verify_chain(conn, secret).ok:
            return None
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        conn.close()
    return records, anchor


def _move_aside(state: Path, when: float) -> str:
    folder = ensure_private_dir(damaged_dir(state))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when))
    name, n = f"connections-{stamp}.sqlite3", 1
    while (folder / name).exists():
        n += 1
        name = f"connections-{stamp}-{n}.sqlite3"
    db = database_path(state)
    for suffix in ("", *DB_COMPANIONS):
        source = db.with_name(db.name + suffix)
        if source.exists():
            target = folder / (name + suffix)
            os.replace(source, target)
            os.chmod(target, 0o600)
            os.utime(target)  # retention counts from the day it was set aside
    return name


def _restore(conn: sqlite3.Connection, records: list[AuditRecord], anchor: _Anchor | None) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            [(r.id, r.at, r.actor, r.action, r.setting, int(r.sensitive), r.old_value,
              r.new_value, r.mac) for r in records],
        )  # fmt: skip
        if anchor is not None:
            conn.execute(
                "INSERT INTO audit_anchor (id, last_id, last_mac, purged_before, mac) "
                "VALUES (1, ?, ?, ?, ?)",
                anchor,
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def set_aside_if_damaged(state: Path, *, secret: bytes | None, now: float) -> SetAside | None:
    """Steps 1-3 above if the database is damaged; None if it is not (or is absent).

    Raises OSError or sqlite3.Error if the file cannot be moved or the new one made
    (the caller counts that as a fault and tries again later)."""
    db = database_path(state)
    if not is_damaged(db):
        return None
    salvaged = _salvage_audit(db, secret)
    name = _move_aside(state, now)
    conn = connect(db)
    try:
        if salvaged is not None:
            _restore(conn, *salvaged)
        if secret is not None:
            append(conn, secret, at=now, actor=ActorRole.SYSTEM, action=AuditAction.LOG_SET_ASIDE)
    finally:
        conn.close()
    logger.warning("connection log: damaged database set aside as %s (audit trail %s)",
                   name, "kept" if salvaged is not None else "not intact")  # fmt: skip
    return SetAside(now, name, salvaged is not None)


def purge_set_aside(state: Path, cutoff: float) -> int:
    """Remove damaged databases set aside before ``cutoff`` (the connection-log term)."""
    removed = 0
    for path in damaged_files(state):
        try:
            if path.lstat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            logger.warning("could not remove an old damaged database")
    return removed
