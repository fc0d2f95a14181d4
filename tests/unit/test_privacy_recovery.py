"""A damaged log database is set aside and a fresh log begun (issue 15, item 10).

Real SQLite files, damaged the way disks damage them: garbage over the whole file,
or over one page of the sessions table while the audit trail's pages survive.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from privacy.audit import AuditTrail
from privacy.erase import erase_logs
from privacy.export import DeviceInfo, export_document
from privacy.files import damaged_files, database_path
from privacy.health import LogFault
from privacy.retention import DAY_S
from privacy.store import ConnectionLog

SECRET = b"s" * 32
T0 = 1_700_000_000.0


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "config" / "state"


def _calls(state: Path, count: int) -> None:
    log = ConnectionLog.open(state, secret=SECRET, clock=lambda: T0, owner=True)
    for _ in range(count):
        sid = log.session_started(role="student", peer_short="QZQZQZQ")
        log.session_ended(sid, reason="hangup_local", reconnects=0, freezes=0,
                          bytes_out=1, bytes_in=1)  # fmt: skip
    assert log.flush()
    log.close()


def _trash_sessions_page(state: Path) -> None:
    """Overwrite the sessions table's root page: the audit pages stay readable."""
    db = database_path(state)
    conn = sqlite3.connect(db)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sessions'").fetchone()[0]
    conn.close()
    assert not db.with_name(db.name + "-wal").exists()  # all in the main file
    with db.open("r+b") as fh:
        fh.seek(page * (root - 1))
        fh.write(b"\xa5" * page)


def _open_and_use(state: Path) -> ConnectionLog:
    log = ConnectionLog.open(state, secret=SECRET, clock=lambda: T0 + 60, owner=True)
    log.session_started(role="classroom", peer_short="ABCDEFG")
    assert log.flush()
    return log


def _rows(state: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(database_path(state))
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_file_that_is_no_database_is_set_aside_and_logging_goes_on(state: Path) -> None:
    _calls(state, 1)
    database_path(state).write_bytes(b"this is no database" * 400)
    log = _open_and_use(state)
    try:
        assert [r[2] for r in _rows(state, "sessions")] == ["ABCDEFG"]  # logging works
        health = log.health
        assert health.set_aside_at == T0 + 60 and health.fault is LogFault.DAMAGED
        assert not health.audit_kept  # nothing could be read out of it
        names = [p.name for p in damaged_files(state)]
        assert names == ["connections-20231114T221420Z.sqlite3"]
        assert (damaged_files(state)[0].stat().st_mode & 0o777) == 0o600
        actions = [r.action for r in AuditTrail(state, SECRET).records()]
        assert actions == ["log_set_aside"]  # the event is in the (new) audit trail
    finally:
        log.close()


def test_an_intact_audit_trail_is_kept_with_the_damaged_pages_left_behind(
    state: Path,
) -> None:
    trail = AuditTrail(state, SECRET, clock=lambda: T0)
    trail.record("technician", "logs_viewed")
    trail.record("technician", "setting_changed", setting="log_retention_days", old=90, new=30)
    _calls(state, 300)  # several pages of sessions
    before = AuditTrail(state, SECRET).records()
    _trash_sessions_page(state)
    log = _open_and_use(state)
    try:
        assert log.health.set_aside_at is not None and log.health.audit_kept
        after = AuditTrail(state, SECRET).records()
        assert after[: len(before)] == before  # the same records, MACs and all
        assert [r.action for r in after[len(before) :]] == ["log_set_aside"]
        assert AuditTrail(state, SECRET).verify().ok
        assert len(_rows(state, "sessions")) == 1  # a fresh log: only the new call
    finally:
        log.close()


def test_a_reader_never_moves_the_file(state: Path) -> None:
    _calls(state, 1)
    database_path(state).write_bytes(b"x" * 8192)
    reader = ConnectionLog.open(state, secret=SECRET)  # logs show, without the lock
    reader.purge()
    reader.close()
    assert database_path(state).read_bytes() == b"x" * 8192
    assert damaged_files(state) == []


def test_the_copy_is_never_exported_is_erased_and_goes_after_retention(state: Path) -> None:
    _calls(state, 2)
    database_path(state).write_bytes(b"x" * 8192)
    _open_and_use(state).close()
    doc = export_document(state, device=DeviceInfo(), now=T0 + 60)
    assert [s["peer_short"] for s in doc["sessions"]] == ["ABCDEFG"]  # not the old data
    copy = damaged_files(state)[0]

    old = time.time() - 91 * DAY_S
    os.utime(copy, (old, old))
    log = ConnectionLog.open(state, secret=SECRET, owner=True)
    log.purge()
    log.close()
    assert damaged_files(state) == []  # past the 90-day term: gone

    database_path(state).write_bytes(b"x" * 8192)
    _open_and_use(state).close()
    assert damaged_files(state)
    erase_logs(state)
    assert damaged_files(state) == []
