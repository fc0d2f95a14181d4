"""A real call writes its technical record to the real connection log (SQLite)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from media.state import CallState
from privacy.export import open_for_reading, read_rows
from privacy.store import ConnectionLog
from tests.support.calls import make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


async def test_call_is_logged_with_technical_facts_only(fleet: TestFleet, tmp_path: Path) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    logs = {name: ConnectionLog.open(tmp_path / name) for name in ("student", "classroom")}
    es, rs = make_engine(student, relay.port, connection_log=logs["student"])
    ec, rc = make_engine(classroom, relay.port, connection_log=logs["classroom"])
    async with running(ec, es):
        await wait_until(lambda: len(rs.stats) >= 2, 10, "two seconds of stats")
        es.log_device("camera", present=False)  # the GUI's catalog saw it unplugged
        es.log_device("camera", present=True)
        await es.hangup()
        await wait_until(lambda: rc.state is CallState.ENDED, 2, "ended")
    for log in logs.values():  # the engines closed their logs when they stopped
        assert log.health.ok

    conn = open_for_reading(tmp_path / "student")
    assert conn is not None
    sessions, events = read_rows(conn, "sessions"), read_rows(conn, "events")
    conn.close()
    assert len(sessions) == 1
    session = sessions[0]
    assert session["role"] == "student"
    assert session["peer_short"] == classroom.device_id.short
    assert session["end_reason"] == "hangup_local"
    assert session["candidate_type"] == "host"
    assert 0 < session["setup_ms"] < 10_000
    assert session["bytes_out"] > 10_000 and session["bytes_in"] > 10_000
    kinds = {e["kind"] for e in events}
    assert {"signaling_up", "connected", "sending_started", "ended"} <= kinds
    coded = {(e["kind"], e["code"]) for e in events if e["session_id"] == session["id"]}
    assert {("ice_state", "checking"), ("ice_state", "completed")} <= coded
    assert {("dtls_state", "connecting"), ("dtls_state", "connected")} <= coded
    assert {("device_lost", "camera"), ("device_found", "camera")} <= coded
    transport = [e["kind"] for e in events if e["kind"] in ("ice_state", "dtls_state")]
    assert len(transport) <= 6  # BUNDLE's several transports are logged once, not each
    everything = repr(sessions) + repr(events)
    assert not re.search(r"\d{1,3}(\.\d{1,3}){3}", everything)  # no IP address
    assert student.device_id.text not in everything  # not even our own full id


async def test_a_running_engine_purges_its_log(fleet: TestFleet, tmp_path: Path) -> None:
    """Retention must not wait for a restart: the engine runs the daily purge itself."""

    class CountingLog(ConnectionLog):
        checks = 0

        def purge_if_due(self) -> bool:
            type(self).checks += 1
            return super().purge_if_due()

    student, _ = fleet.pair()
    log = CountingLog.open(tmp_path / "state")
    opened_with = CountingLog.checks  # the open itself purges once
    engine, _ = make_engine(student, MemoryRelay().port, connection_log=log)
    await engine.start()
    try:
        await wait_until(lambda: CountingLog.checks > opened_with, 2, "a purge check")
    finally:
        await engine.stop()
