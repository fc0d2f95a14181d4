"""Retention, proven by moving the clock: 90 days (configurable up to 183) for
connection and program logs, 13 months for the audit trail; purged at start and daily."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from privacy.audit import AuditTrail
from privacy.codes import ActorRole, AuditAction, EventKind
from privacy.errors import RetentionInvalid, RetentionTooLong
from privacy.retention import ProgramLogPurge, Retention, audit_cutoff, purge_daily
from privacy.store import ConnectionLog

DAY = 86400.0
T0 = dt.datetime(2025, 1, 31, 12, tzinfo=dt.UTC).timestamp()
SECRET = b"s" * 32


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def count(state: Path, table: str) -> int:
    conn = sqlite3.connect(state / "connections.sqlite3")
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def call(log: ConnectionLog) -> None:
    sid = log.session_started(role="student", peer_short="ABCDEF2")
    log.event(sid, EventKind.CONNECTED)
    log.session_ended(sid, reason="stopped", reconnects=0, freezes=0, bytes_out=1, bytes_in=1)
    log.event(None, EventKind.SIGNALING_DOWN, "closed")


def test_connection_logs_go_after_90_days(tmp_path: Path) -> None:
    clock = Clock()
    log = ConnectionLog.open(tmp_path, clock=clock)
    call(log)
    clock.now += 40 * DAY
    call(log)
    assert log.flush()
    assert log.purge(T0 + 89.9 * DAY).sessions == 0
    report = log.purge(T0 + 90.1 * DAY)
    assert (report.sessions, report.events) == (1, 3)
    assert count(tmp_path, "sessions") == 1 and count(tmp_path, "events") == 3
    assert log.purge(T0 + 130.1 * DAY).sessions == 1
    assert count(tmp_path, "sessions") == count(tmp_path, "events") == 0
    log.close()


def test_retention_is_configurable_up_to_183_days(tmp_path: Path) -> None:
    clock = Clock()
    log = ConnectionLog.open(tmp_path, clock=clock, retention=Retention(183))
    call(log)
    assert log.flush()
    assert log.purge(T0 + 182.9 * DAY).sessions == 0
    assert log.purge(T0 + 183.1 * DAY).sessions == 1
    log.close()
    with pytest.raises(RetentionTooLong) as err:
        Retention(184)
    assert "183 dagen" in str(err.value)
    for bad in (0, -1, 1.5, True, "90"):
        with pytest.raises(RetentionInvalid):
            Retention(bad)  # type: ignore[arg-type]


def test_retention_from_a_settings_value() -> None:
    assert Retention.from_setting("120").connection_days == 120
    assert Retention.from_setting(30).connection_days == 30
    with pytest.raises(RetentionTooLong):
        Retention.from_setting(365)
    with pytest.raises(RetentionInvalid):
        Retention.from_setting(None)


def test_purge_runs_at_start(tmp_path: Path) -> None:
    clock = Clock()
    log = ConnectionLog.open(tmp_path, clock=clock)
    call(log)
    log.close()
    clock.now += 91 * DAY
    log = ConnectionLog.open(tmp_path, clock=clock)  # the device was off for 3 months
    assert log.flush()
    assert count(tmp_path, "sessions") == 0
    log.close()


def test_purge_runs_daily(tmp_path: Path) -> None:
    clock = Clock()
    log = ConnectionLog.open(tmp_path, clock=clock)
    assert log.flush()
    call(log)
    clock.now += 90.5 * DAY
    assert log.purge_if_due() is True
    assert log.purge_if_due() is False  # once a day is enough
    assert log.flush()
    assert count(tmp_path, "sessions") == 0
    clock.now += 0.9 * DAY
    assert log.purge_if_due() is False
    clock.now += 0.2 * DAY
    assert log.purge_if_due() is True
    log.close()


async def test_purge_daily_task_keeps_checking() -> None:
    calls: list[int] = []

    class Fake:
        def purge_if_due(self) -> bool:
            calls.append(1)
            return True

    task = asyncio.create_task(purge_daily(Fake(), check_every=0.01))
    while len(calls) < 3:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_audit_cutoff_is_13_calendar_months() -> None:
    cut = dt.datetime.fromtimestamp(audit_cutoff(T0), dt.UTC)
    assert cut == dt.datetime(2023, 12, 31, 12, tzinfo=dt.UTC)
    leap = dt.datetime(2025, 3, 29, tzinfo=dt.UTC).timestamp()  # 13 months back: Feb 2024
    assert dt.datetime.fromtimestamp(audit_cutoff(leap), dt.UTC).day == 29


def test_audit_goes_after_13_months_and_still_verifies(tmp_path: Path) -> None:
    clock = Clock()
    trail = AuditTrail(tmp_path, SECRET, clock=clock)
    trail.record(ActorRole.TECHNICIAN, AuditAction.TECHNICIAN_MODE_OPENED)
    trail.setting_changed(ActorRole.TECHNICIAN, "volume", 40, 60)
    clock.now += 200 * DAY
    trail.setting_changed(ActorRole.TEACHER, "volume", 60, 70)
    log = ConnectionLog.open(tmp_path, clock=clock, secret=SECRET)
    assert log.purge(T0 + 360 * DAY).audit == 0  # 12 months: all kept
    assert log.purge(T0 + 400 * DAY).audit == 2  # > 13 months: the first two go
    assert [r.new_value for r in trail.records()] == ["70"]
    verdict = trail.verify()
    assert verdict.ok and verdict.checked == 1
    clock.now += 1
    trail.record(ActorRole.TECHNICIAN, AuditAction.LOGS_EXPORTED)  # the chain continues
    assert trail.verify().ok
    log.close()


def test_without_the_secret_the_audit_trail_is_left_alone(tmp_path: Path) -> None:
    clock = Clock()
    AuditTrail(tmp_path, SECRET, clock=clock).record("technician", "logs_viewed")
    log = ConnectionLog.open(tmp_path, clock=clock)
    assert log.purge(T0 + 800 * DAY).audit == 0
    assert count(tmp_path, "audit") == 1
    log.close()


def test_old_program_log_files_go_too(tmp_path: Path) -> None:
    clock = Clock()
    logs = tmp_path / "logs"
    logs.mkdir()
    old, recent = logs / "klasgenoot.log.2", logs / "klasgenoot.log.1"
    for path, age in ((old, 91), (recent, 89)):
        path.write_text("line\n")
        os.utime(path, (T0 - age * DAY, T0 - age * DAY))
    (logs / "unrelated.txt").write_text("not ours")
    log = ConnectionLog.open(tmp_path, clock=clock)  # purges at start
    assert log.flush()
    assert not old.exists() and recent.exists() and (logs / "unrelated.txt").exists()
    assert log.purge(T0 + 1.1 * DAY).log_files == 1
    assert not recent.exists() and (logs / "unrelated.txt").exists()
    log.close()


def test_a_process_without_a_connection_log_purges_its_program_log_daily(
    tmp_path: Path,
) -> None:
    """The signaling server: rotated files past 90 days go once a day while it runs."""
    clock = Clock()
    logs = tmp_path / "logs"
    logs.mkdir()
    older = logs / "klasgenoot.log.3"
    older.write_text("line\n")
    os.utime(older, (T0 - 89.5 * DAY, T0 - 89.5 * DAY))
    purge = ProgramLogPurge(tmp_path, clock=clock)
    assert purge.purge_if_due() and older.exists()  # 89.5 days: kept
    clock.now += 0.9 * DAY
    assert not purge.purge_if_due() and older.exists()  # not a day since the last
    clock.now += 0.2 * DAY
    assert purge.purge_if_due() and not older.exists()  # 90.6 days old now
