"""The connection log as the engine uses it: exact rows, summaries, and faults that
degrade logging without ever raising or blocking the caller."""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import privacy.writer
from privacy.codes import EventKind
from privacy.health import LogFault
from privacy.store import ConnectionLog

T0 = 1_700_000_000.0


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "config" / "state"


@pytest.fixture
def log(state: Path, clock: Clock) -> Iterator[ConnectionLog]:
    opened = ConnectionLog.open(state, clock=clock)
    yield opened
    opened.close()


def rows(state: Path, table: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(state / "connections.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
    finally:
        conn.close()


def one_call(log: ConnectionLog, clock: Clock, *, seconds: int = 5) -> int:
    sid = log.session_started(role="student", peer_short="QZQZQZQ")
    log.event(sid, EventKind.ICE_STATE, "checking")
    clock.now += 0.42
    log.session_connected(sid, setup_ms=420, candidate_type="relay")
    for i in range(seconds):
        clock.now += 1
        log.session_stats(sid, {"bitrate_out_kbps": 1000 + 100 * i, "bitrate_in_kbps": 800.0,
                                "packet_loss_pct": 0.5 * i, "rtt_ms": None if i == 0 else 20 + i,
                                "fps_out": 30, "fps_in": 29.5, "candidate_type": "relay",
                                "bytes_out": 123})  # fmt: skip
    log.session_ended(sid, reason="hangup_local", reconnects=1, freezes=2,
                      bytes_out=5_000_000, bytes_in=4_000_000)  # fmt: skip
    return sid


def test_a_call_becomes_one_technical_row_with_summaries(
    log: ConnectionLog, state: Path, clock: Clock
) -> None:
    one_call(log, clock)
    assert log.flush()
    (session,) = rows(state, "sessions")
    assert session["role"] == "student" and session["peer_short"] == "QZQZQZQ"
    assert session["started_at"] == T0 * 1000
    assert session["connected_at"] == round((T0 + 0.42) * 1000)
    assert session["ended_at"] == round((T0 + 5.42) * 1000)
    assert (session["end_reason"], session["setup_ms"], session["candidate_type"]) == (
        "hangup_local", 420, "relay")  # fmt: skip
    assert (session["bytes_out"], session["bytes_in"]) == (5_000_000, 4_000_000)
    assert (session["freezes"], session["reconnects"]) == (2, 1)
    assert (session["bitrate_out_kbps_min"], session["bitrate_out_kbps_avg"],
            session["bitrate_out_kbps_max"]) == (1000, 1200, 1400)  # fmt: skip
    assert (session["rtt_ms_min"], session["rtt_ms_max"]) == (21, 24)  # None skipped
    assert session["packet_loss_pct_max"] == 2.0
    assert session["fps_in_avg"] == 29.5
    kinds = [(e["kind"], e["code"], e["session_id"]) for e in rows(state, "events")]
    assert kinds == [("ice_state", "checking", 1), ("connected", None, 1),
                     ("ended", "hangup_local", 1)]  # fmt: skip
    assert log.health.ok and log.health.dropped == 0


def test_stats_are_not_stored_per_second(log: ConnectionLog, state: Path, clock: Clock) -> None:
    sid = log.session_started(role="classroom", peer_short="ABCDEF2")
    for _ in range(600):  # ten minutes of stats
        clock.now += 1
        log.session_stats(sid, {"bitrate_out_kbps": 900.0})
    assert log.flush()
    assert len(rows(state, "sessions")) == 1
    assert rows(state, "events") == []
    # Summaries are written once a minute while the call lasts (a crash loses <= 1 min).
    assert rows(state, "sessions")[0]["bitrate_out_kbps_avg"] == 900.0
    assert rows(state, "sessions")[0]["ended_at"] is None


def test_reconnect_keeps_first_setup_and_newest_path(
    log: ConnectionLog, state: Path, clock: Clock
) -> None:
    sid = log.session_started(role="student", peer_short="ABCDEF2")
    log.session_connected(sid, setup_ms=300, candidate_type="host")
    log.event(sid, EventKind.RECONNECTING)
    log.session_connected(sid, setup_ms=900, candidate_type="relay")
    assert log.flush()
    (session,) = rows(state, "sessions")
    assert (session["setup_ms"], session["candidate_type"]) == (300, "relay")


def test_events_outside_a_session_and_enum_or_text_codes(log: ConnectionLog, state: Path) -> None:
    log.event(None, EventKind.SIGNALING_UP)
    log.event(None, "signaling_down", "timeout")
    log.event(None, EventKind.DEVICE_LOST, "camera")
    assert log.flush()
    assert [(e["kind"], e["code"], e["session_id"]) for e in rows(state, "events")] == [
        ("signaling_up", None, None), ("signaling_down", "timeout", None),
        ("device_lost", "camera", None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "call",
    [
        lambda log: log.session_started(role="teacher", peer_short="ABCDEF2"),
        lambda log: log.session_started(role="student", peer_short="P56IOI7-MZJNU2Y-AAAAAAA"),
        lambda log: log.session_started(role="student", peer_short="192.168.1.20"),
        lambda log: log.event(None, "chat_message", None),
        lambda log: log.event(None, EventKind.ICE_STATE, "Jan Jansen"),
        lambda log: log.event(None, EventKind.CONNECTED, "connected"),
        lambda log: log.session_connected(1, setup_ms=-5, candidate_type="host"),
        lambda log: log.session_connected(1, setup_ms=5, candidate_type="10.0.0.1"),
        lambda log: log.session_ended(1, reason="the teacher said so", reconnects=0, freezes=0,
                                      bytes_out=0, bytes_in=0),
        lambda log: log.session_ended(1, reason="stopped", reconnects=-1, freezes=0,
                                      bytes_out=0, bytes_in=0),
        lambda log: log.session_ended(1, reason="stopped", reconnects=0, freezes=0,
                                      bytes_out=1.5, bytes_in=0),
    ],
)  # fmt: skip
def test_values_outside_the_sets_are_refused_not_stored(
    log: ConnectionLog, state: Path, call: Any
) -> None:
    call(log)  # never raises
    assert log.flush()
    assert rows(state, "events") == [] and rows(state, "sessions") == []
    assert log.health.fault is LogFault.REJECTED and log.health.dropped == 1
    assert log.health.at == T0


def test_stats_ignore_garbage(log: ConnectionLog, state: Path, clock: Clock) -> None:
    sid = log.session_started(role="student", peer_short="ABCDEF2")
    for value in (math.nan, math.inf, -3, True, "fast", None, 500):
        log.session_stats(sid, {"bitrate_out_kbps": value})  # type: ignore[dict-item]
    log.session_stats(999, {"bitrate_out_kbps": 1.0})  # unknown session: ignored
    log.session_ended(sid, reason="stopped", reconnects=0, freezes=0, bytes_out=0, bytes_in=0)
    assert log.flush()
    session = rows(state, "sessions")[0]
    assert session["bitrate_out_kbps_min"] == session["bitrate_out_kbps_max"] == 500


def test_a_locked_database_neither_blocks_nor_raises_and_recovers(
    log: ConnectionLog, state: Path, clock: Clock
) -> None:
    assert log.flush()
    blocker = sqlite3.connect(state / "connections.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    sid = log.session_started(role="student", peer_short="ABCDEF2")
    for _ in range(50):
        log.event(sid, EventKind.ICE_STATE, "checking")
    assert time.monotonic() - started < 0.2  # the engine's loop is never held up
    assert log.flush(timeout=10)
    assert log.health.fault is LogFault.LOCKED
    assert not log.health.working and log.health.dropped == 51
    blocker.execute("ROLLBACK")
    blocker.close()
    log.event(None, EventKind.SIGNALING_UP)
    assert log.flush()
    assert log.health.working and log.health.fault is LogFault.LOCKED  # the fault stays visible
    assert [e["kind"] for e in rows(state, "events")] == ["signaling_up"]


def test_a_damaged_database_is_reported_and_the_call_goes_on(state: Path, clock: Clock) -> None:
    state.mkdir(parents=True)
    (state / "connections.sqlite3").write_bytes(b"this is not a database, " * 100)
    log = ConnectionLog.open(state, clock=clock)
    sid = log.session_started(role="student", peer_short="ABCDEF2")
    log.session_ended(sid, reason="stopped", reconnects=0, freezes=0, bytes_out=1, bytes_in=1)
    assert log.flush()
    assert log.health.fault is LogFault.DAMAGED and not log.health.working
    assert log.health.dropped >= 2
    log.close()


def test_a_missing_folder_is_unavailable(tmp_path: Path, clock: Clock) -> None:
    (tmp_path / "file").write_text("x")
    log = ConnectionLog.open(tmp_path / "file" / "state", clock=clock)
    log.event(None, EventKind.SIGNALING_UP)
    assert log.flush()
    assert log.health.fault is LogFault.UNAVAILABLE
    assert log.purge().ok is False
    log.close()


def test_a_full_database_is_reported(
    state: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = privacy.writer.connect

    def tiny(path: Path) -> sqlite3.Connection:
        conn = real(path)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(privacy.writer, "connect", tiny)
    log = ConnectionLog.open(state, clock=clock)
    for _ in range(200):
        log.event(None, EventKind.SIGNALING_UP)
        log.session_started(role="student", peer_short="ABCDEF2")
    assert log.flush()
    assert log.health.fault is LogFault.FULL and log.health.dropped > 0
    log.close()


def test_a_flood_is_bounded(state: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(privacy.writer, "MAX_BACKLOG", 8)
    log = ConnectionLog.open(state, clock=clock)
    assert log.flush()
    blocker = sqlite3.connect(state / "connections.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # the writer waits: the queue fills up
    for _ in range(100):
        log.event(None, EventKind.SIGNALING_UP)
    assert log.health.fault is LogFault.BACKLOG and log.health.dropped >= 80
    blocker.execute("ROLLBACK")
    blocker.close()
    log.close()


def test_after_close_records_are_counted_not_written(
    log: ConnectionLog, state: Path, clock: Clock
) -> None:
    sid = log.session_started(role="student", peer_short="ABCDEF2")
    log.session_stats(sid, {"fps_out": 25})
    log.close()
    log.close()  # twice is fine
    log.event(None, EventKind.SIGNALING_UP)
    assert log.health.fault is LogFault.CLOSED
    (session,) = rows(state, "sessions")
    assert session["fps_out_avg"] == 25  # open sessions' summaries were written at close


def test_many_open_sessions_stay_bounded(log: ConnectionLog, clock: Clock) -> None:
    for _ in range(100):
        sid = log.session_started(role="student", peer_short="ABCDEF2")
        log.session_stats(sid, {"fps_out": 1})
    assert len(log._open) <= 16


def test_callstats_objects_are_accepted_and_nothing_ever_raises(
    log: ConnectionLog, state: Path
) -> None:
    from media.stats import CallStats

    sid = log.session_started(role="student", peer_short="ABCDEF2")
    log.session_stats(sid, CallStats(bitrate_out_kbps=640.0, rtt_ms=8.0))  # type: ignore[arg-type]
    log.session_stats(sid, object())  # type: ignore[arg-type]  # a bug in the caller
    log.session_connected(sid, setup_ms=None, candidate_type=[])  # type: ignore[arg-type]
    log.event(object(), object(), object())  # type: ignore[arg-type]
    assert isinstance(log.session_started(role=None, peer_short=None), int)  # type: ignore[arg-type]
    log.session_ended(sid, reason="stopped", reconnects=0, freezes=0, bytes_out=0, bytes_in=0)
    assert log.flush()
    assert rows(state, "sessions")[0]["bitrate_out_kbps_avg"] == 640.0
    assert log.health.fault is LogFault.REJECTED


def test_a_session_a_killed_run_left_open_is_closed_at_the_next_start(
    state: Path, clock: Clock
) -> None:
    first = ConnectionLog.open(state, clock=clock, owner=True)
    ended = one_call(first, clock)
    left_open = first.session_started(role="student", peer_short="QZQZQZQ")
    clock.now += 2
    first.event(left_open, EventKind.RECONNECTING)
    first.flush()
    first.close()  # as good as killed: the engine never said the call ended
    assert rows(state, "sessions")[1]["ended_at"] is None

    clock.now += 3600
    second = ConnectionLog.open(state, clock=clock, owner=True)  # the next start
    second.close()
    sessions = rows(state, "sessions")
    assert sessions[0]["end_reason"] == "hangup_local"  # a closed call is left alone
    interrupted = sessions[1]
    assert interrupted["end_reason"] == "interrupted"
    assert interrupted["ended_at"] == round((T0 + 5.42 + 2) * 1000)  # its last known moment
    last = rows(state, "events")[-1]
    assert (last["kind"], last["code"], last["session_id"]) == (
        "ended", "interrupted", interrupted["id"],
    )  # fmt: skip
    assert ended != left_open


def test_a_reader_that_does_not_own_the_folder_leaves_open_sessions_open(
    state: Path, clock: Clock
) -> None:
    """``logs show`` while the kiosk runs: the live call's record is not a leftover."""
    live = ConnectionLog.open(state, clock=clock, owner=True)
    live.session_started(role="student", peer_short="QZQZQZQ")
    assert live.flush()
    reader = ConnectionLog.open(state, clock=clock)
    reader.purge()
    reader.close()
    assert rows(state, "sessions")[0]["ended_at"] is None
    assert rows(state, "sessions")[0]["end_reason"] is None
    live.close()
