"""Erase means gone from the bytes: after erasing, the database, its WAL and journal
hold none of the erased records; the audit trail stays and still verifies."""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import pytest

from privacy.audit import AuditTrail
from privacy.codes import EventKind
from privacy.erase import erase_logs
from privacy.errors import EraseIncomplete
from privacy.files import DB_NAME, database_files
from privacy.store import ConnectionLog
from privacy.wipe import wipe_state

PEER = "QZQZQZQ"  # a short DeviceId found nowhere else
BYTES_OUT = 0x0123456789ABCDEF  # stored as an 8-byte big-endian integer
MARKERS = (PEER.encode(), struct.pack(">q", BYTES_OUT), b"device-marker-line")


def everything(state: Path) -> bytes:
    """The raw bytes of every file SQLite and the program log could leave behind."""
    out = b""
    for path in [*database_files(state), *sorted((state / "logs").glob("*"))]:
        if path.is_file():
            out += path.read_bytes()
    return out


def fill(state: Path) -> None:
    log = ConnectionLog.open(state)
    for _ in range(30):
        sid = log.session_started(role="student", peer_short=PEER)
        log.event(sid, EventKind.ICE_STATE, "checking")
        log.session_ended(sid, reason="hangup_local", reconnects=0, freezes=0,
                          bytes_out=BYTES_OUT, bytes_in=7)  # fmt: skip
    log.flush()
    log.close()  # leaves a WAL behind, as a running device would
    (state / "logs").mkdir(exist_ok=True)
    (state / "logs" / "klasgenoot.log").write_bytes(b"x device-marker-line\n" * 50)
    (state / "logs" / "klasgenoot.log.1").write_bytes(b"y device-marker-line\n" * 50)


def test_erased_records_are_gone_from_every_file(tmp_path: Path) -> None:
    fill(tmp_path)
    trail = AuditTrail(tmp_path, b"a" * 32)
    trail.setting_changed("technician", "volume", 1, 2)
    before = everything(tmp_path)
    assert all(marker in before for marker in MARKERS)  # the scan can find them
    report = erase_logs(tmp_path)
    assert (report.sessions, report.events, report.log_files) == (30, 60, 2)
    after = everything(tmp_path)
    for marker in MARKERS:
        assert marker not in after, marker
    assert (tmp_path / "logs" / "klasgenoot.log").stat().st_size == 0  # kept for the writer
    assert not (tmp_path / "logs" / "klasgenoot.log.1").exists()
    assert trail.verify().ok and len(trail.records()) == 1  # the audit stays


def test_a_running_log_keeps_working_after_an_erase(tmp_path: Path) -> None:
    log = ConnectionLog.open(tmp_path)
    sid = log.session_started(role="student", peer_short=PEER)
    assert log.flush()
    erase_logs(tmp_path)
    log.session_ended(sid, reason="stopped", reconnects=0, freezes=0, bytes_out=1, bytes_in=1)
    log.event(None, EventKind.SIGNALING_UP)
    assert log.flush()
    assert log.health.ok
    log.close()


def test_a_damaged_database_is_replaced(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"garbage " * 1000)
    assert erase_logs(tmp_path).database_replaced
    assert not (tmp_path / DB_NAME).exists()


def damage_the_middle(state: Path) -> None:
    """8 KiB from an events page in the middle overwritten: header and schema still read."""
    db = state / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file
    leaves = "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY 1"
    pages = [row[0] for row in conn.execute(leaves)]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as fh:
        fh.seek((pages[len(pages) // 2] - 1) * size)
        fh.write(b"\xff" * 8192)


def test_a_database_damaged_in_the_middle_is_removed_whole(tmp_path: Path) -> None:
    log = ConnectionLog.open(tmp_path)
    for _ in range(300):
        sid = log.session_started(role="student", peer_short=PEER)
        for _ in range(4):
            log.event(sid, EventKind.ICE_STATE, "checking")
        log.session_ended(sid, reason="hangup_local", reconnects=0, freezes=0,
                          bytes_out=BYTES_OUT, bytes_in=7)  # fmt: skip
    log.close()
    AuditTrail(tmp_path, b"a" * 32).setting_changed("technician", "volume", 1, 2)
    damage_the_middle(tmp_path)
    assert PEER.encode() in everything(tmp_path)
    report = erase_logs(tmp_path)
    assert report.database_replaced
    assert not any(p.exists() for p in database_files(tmp_path))
    assert PEER.encode() not in everything(tmp_path)


def test_erase_refuses_to_claim_success_while_a_reader_holds_old_pages(tmp_path: Path) -> None:
    fill(tmp_path)
    reader = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sessions").fetchone()
    with pytest.raises(EraseIncomplete):
        erase_logs(tmp_path)
    reader.execute("COMMIT")
    reader.close()
    erase_logs(tmp_path)  # once the reader is gone it completes
    assert PEER.encode() not in everything(tmp_path)


def test_wipe_removes_the_whole_state_folder(tmp_path: Path) -> None:
    state = tmp_path / "state"
    fill(state)
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    (state / "logs" / "link").symlink_to(outside)
    report = wipe_state(state)
    assert report.complete and report.removed >= 4
    assert not state.exists()
    assert outside.read_text() == "not ours"  # a symlink is removed, never followed
