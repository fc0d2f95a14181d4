"""The log database schema: versioned, WAL, secure_delete, and only coded values fit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from media.state import EndReason as EngineEndReason
from privacy import codes
from privacy.schema import (
    MIGRATIONS,
    VERSION,
    SchemaTooNew,
    connect,
    current_schema,
    migrate,
)


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return connect(tmp_path / "state" / "connections.sqlite3")


def _session(conn: sqlite3.Connection, **values: object) -> None:
    row = {"role": "student", "peer_short": "ABCDEF2", "started_at": 1, **values}
    names = ", ".join(row)
    conn.execute(f"INSERT INTO sessions ({names}) VALUES ({', '.join('?' * len(row))})",
                 tuple(row.values()))  # fmt: skip


def test_new_database_is_current_wal_and_private(conn: sqlite3.Connection, tmp_path: Path) -> None:
    assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db = tmp_path / "state" / "connections.sqlite3"
    assert db.stat().st_mode & 0o077 == 0
    assert (tmp_path / "state").stat().st_mode & 0o077 == 0


def test_tables_hold_exactly_designs_fields() -> None:
    schema = current_schema()
    assert list(schema) == ["sessions", "events", "audit", "audit_anchor"]
    assert schema["events"] == ["id", "at", "session_id", "kind", "code"]
    assert schema["sessions"][:11] == [
        "id", "role", "peer_short", "started_at", "connected_at", "ended_at", "end_reason",
        "setup_ms", "candidate_type", "bytes_out", "bytes_in",
    ]  # fmt: skip
    assert schema["sessions"][-3:] == ["freezes", "reconnects", "relay_protocol"]  # V5 adds it
    assert schema["audit"] == ["id", "at", "actor", "action", "setting", "sensitive",
                               "old_value", "new_value", "mac"]  # fmt: skip
    everything = " ".join(c for cols in schema.values() for c in cols)
    for forbidden in ("ip", "address", "name", "host", "text", "message", "note"):
        assert forbidden not in everything.split(), forbidden


def test_migrating_again_changes_nothing(conn: sqlite3.Connection) -> None:
    _session(conn)
    assert migrate(conn) == VERSION
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    connect(db).execute(f"PRAGMA user_version = {VERSION + 1}")
    with pytest.raises(SchemaTooNew):
        connect(db)


@pytest.mark.parametrize(
    ("enum", "insert"),
    [
        (codes.EventKind, lambda c, v: c.execute("INSERT INTO events (at, kind) VALUES (1, ?)",
                                                 (v,))),
        (codes.EndReason, lambda c, v: _session(c, end_reason=v)),
        (codes.CandidateType, lambda c, v: _session(c, candidate_type=v)),
        (codes.LocalRole, lambda c, v: _session(c, role=v)),
    ],
)  # fmt: skip
def test_every_enum_value_fits_and_nothing_else(conn: sqlite3.Connection, enum, insert) -> None:  # type: ignore[no-untyped-def]
    for member in enum:
        insert(conn, member.value)  # an enum value without a migration fails here
    for bogus in ("bogus", "Hangup_Local", "", "192.168.1.10"):
        with pytest.raises(sqlite3.IntegrityError):
            insert(conn, bogus)


def test_every_event_code_fits(conn: sqlite3.Connection) -> None:
    for kind, allowed in codes.EVENT_CODES.items():
        for code in allowed:
            conn.execute("INSERT INTO events (at, kind, code) VALUES (1, ?, ?)", (kind.value, code))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO events (at, kind, code) VALUES (1, 'ice_state', 'free text')")


def test_audit_actors_and_actions_fit(conn: sqlite3.Connection) -> None:
    for actor in codes.ActorRole:
        for action in codes.AuditAction:
            conn.execute(
                "INSERT INTO audit (at, actor, action, sensitive, mac) VALUES (1, ?, ?, 0, ?)",
                (actor.value, action.value, bytes(32)),
            )


def test_end_reasons_are_the_engines() -> None:
    assert EngineEndReason is codes.EndReason  # one enum: nothing to keep in step
    assert codes.EndReason.INTERRUPTED.value == "interrupted"  # the log's own


@pytest.mark.parametrize(
    "peer", ["ABCDEF", "ABCDEFGH", "abcdefg", "ABCDEF1", "P56IOI7-MZJNU2Y", "1.2.3.4"]
)
def test_peer_is_only_ever_a_short_device_id(conn: sqlite3.Connection, peer: str) -> None:
    assert not codes.valid_peer_short(peer)
    with pytest.raises(sqlite3.IntegrityError):
        _session(conn, peer_short=peer)


def test_strict_tables_refuse_text_in_number_columns(conn: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        _session(conn, bytes_out="lots")
    with pytest.raises(sqlite3.IntegrityError):
        _session(conn, setup_ms=-1)


def test_sensitive_audit_rows_cannot_hold_values(conn: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO audit (at, actor, action, setting, sensitive, old_value, mac) "
            "VALUES (1, 'technician', 'setting_changed', 'pin', 1, '1234', ?)",
            (bytes(32),),
        )


def test_migrating_v1_to_now_keeps_rows_and_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """V2 and V3 rebuild sessions and events (a wider CHECK): rows and events survive."""
    from privacy import schema

    db = tmp_path / "c.sqlite3"
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS[:1])
    monkeypatch.setattr(schema, "VERSION", 1)
    conn = connect(db)  # a device that ran the first release
    _session(conn, bytes_out=5)
    conn.execute("INSERT INTO events (at, session_id, kind) VALUES (1, 1, 'connected')")
    conn.execute("INSERT INTO audit (at, actor, action, sensitive, mac) "
                 "VALUES (1, 'technician', 'logs_viewed', 0, zeroblob(32))")  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError):
        _session(conn, end_reason="outside_schedule")
    conn.close()
    monkeypatch.undo()

    current = connect(db)
    assert current.execute("PRAGMA user_version").fetchone()[0] == VERSION == 5
    # V4 rebuilt the audit table: the record is there, still append-only.
    assert current.execute("SELECT action FROM audit").fetchall() == [("logs_viewed",)]
    with pytest.raises(sqlite3.IntegrityError):
        current.execute("DELETE FROM audit")
    current.execute("INSERT INTO audit (at, actor, action, sensitive, mac) "
                    "VALUES (2, 'system', 'log_set_aside', 0, zeroblob(32))")  # fmt: skip
    _session(current, end_reason="revoked")
    assert current.execute("SELECT bytes_out FROM sessions").fetchone()[0] == 5
    assert current.execute("SELECT session_id FROM events").fetchone()[0] == 1
    _session(current, end_reason="outside_schedule")
    _session(current, end_reason="interrupted")
    current.execute("INSERT INTO events (at, session_id, kind, code) "
                    "VALUES (2, 1, 'ended', 'interrupted')")  # fmt: skip
    current.execute("DELETE FROM events WHERE code = 'interrupted'")
    current.execute("DELETE FROM sessions WHERE id = 1")  # the reference still cascades
    assert current.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert current.execute("PRAGMA foreign_key_check").fetchone() is None


def test_v5_accepts_the_audio_processing_kind_and_keeps_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: a v4 log refuses the new kind; after V5 it takes it, old events kept."""
    from privacy import schema

    db = tmp_path / "c.sqlite3"
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS[:4])
    monkeypatch.setattr(schema, "VERSION", 4)
    conn = connect(db)
    conn.execute("INSERT INTO events (at, kind, code) VALUES (1, 'device_lost', 'speaker')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO events (at, kind) VALUES (2, 'audio_processing_unavailable')")
    conn.close()
    monkeypatch.undo()

    current = connect(db)
    current.execute("INSERT INTO events (at, kind) VALUES (2, 'audio_processing_unavailable')")
    kinds = [r[0] for r in current.execute("SELECT kind FROM events ORDER BY at")]
    assert kinds == ["device_lost", "audio_processing_unavailable"]
