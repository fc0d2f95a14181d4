"""The last call, end to end: two real engines call through the real signaling
server, one hangs up, both summaries reach the server's /status, and the console
renders them (overview, pairing page, export) through aiohttp's test client. Bad
``call`` frames are refused, counted and change nothing; revoking forgets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from console import accounts, registry
from console.accounts import Role as UserRole
from console.accounts import Session
from console.enrollment import Enroller
from console.presence import StatusPoller
from console.reports import ReportInbox
from console.security import COOKIE
from console.service import FleetAccess
from console.store import Store
from console.web import build_app
from media.signaling_port import client_port_factory
from media.state import CallState
from pairing.credentials import DeviceCredentials
from pairing.roles import Role
from signaling.config import ClientConfig, ServerConfig
from signaling.protocol import CallReport
from signaling.server import RunningServer, start_server
from tests.support.calls import make_engine, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay
from tests.support.wsdevice import device, frame

pytestmark = pytest.mark.asyncio

FAST = ClientConfig(backoff_initial=0.1, backoff_max=0.5)
SERVER = ServerConfig(heartbeat=5.0, close_timeout=1.0, crl_poll=0.2)
GOOD = {"v": 1, "type": "call", "start": 1_790_000_000, "duration_s": 754,
        "end_reason": "hangup_local", "quality": "fair", "rtt_ms": 310, "loss_pct": 0.4,
        "candidate_type": "relay", "relay_protocol": "tls"}  # fmt: skip


async def status(server: RunningServer) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.health_port}/status") as resp,
    ):
        doc: dict[str, Any] = await resp.json()
        return doc


async def test_bad_call_frames_are_refused_counted_and_change_nothing(fleet: TestFleet) -> None:
    server = await start_server(fleet.folder, config=SERVER, health_port=0)
    student, _ = fleet.pair()
    try:
        async with device(server, student) as ws:
            await frame(ws, "hello")
            for bad in ({"end_reason": "crash"}, {"candidate_type": "192.0.2.1"},
                        {"loss_pct": 250}, {"start": "soon"}):  # fmt: skip
                await ws.send_str(json.dumps({**GOOD, **bad}))
                error = await frame(ws, "error")
                assert error["code"] == "malformed" and error["message"].startswith("call ")
            doc = await status(server)
            assert doc["calls"] == [] and doc["calls_refused"] == 4
            await ws.send_str(json.dumps(GOOD))
            await wait_until(lambda: len(server.hub.calls) == 1, 5, "the good one kept")
            (entry,) = (await status(server))["calls"]
            sent = {k: v for k, v in GOOD.items() if k not in ("v", "type")}
            assert entry == {"device": student.info.device_id.short,
                             "peer": student.info.peer_id.short, **sent}  # fmt: skip
            fleet.revoke(student.info.serial)  # the end of a service
            await wait_until(lambda: len(server.hub.calls) == 0, 5, "forgotten when revoked")
    finally:
        await server.stop()


def _pairing(store: Store, student: DeviceCredentials, classroom: DeviceCredentials) -> int:
    """A console pairing whose two codes were used by these devices."""
    pid, _codes = registry.create_pairing(store, "KG-0042", dt.date(2027, 7, 1), "anna")
    for role, creds in ((Role.STUDENT, student), (Role.CLASSROOM, classroom)):
        store.conn.execute(
            "UPDATE codes SET device_id = ?, used = ? WHERE pairing = ? AND role = ?",
            (creds.info.device_id.text, store.clock(), pid, role.value),
        )
    return pid


async def _console(fleet: Path, store: Store, poller: StatusPoller) -> TestClient:
    app = build_app(store, enroller=Enroller(store, fleet, "x"), inbox=ReportInbox(store, fleet),
                    fleet=FleetAccess(fleet, "x"), presence=poller, fingerprint="AA:" * 31 + "AA",
                    idle=600)  # fmt: skip
    accounts.add_user(store, "anna", UserRole.HELPDESK, "a long enough password")
    token = accounts.open_session(store, Session("anna", UserRole.HELPDESK, "csrf-token"))
    client = TestClient(TestServer(app), cookies={COOKIE: token})
    await client.start_server()
    return client


async def test_a_real_call_shows_as_the_pairings_last_call(
    fleet: TestFleet, tmp_path: Path
) -> None:
    server = await start_server(fleet.folder, config=SERVER, health_port=0)
    student, classroom = fleet.pair()
    url = f"wss://127.0.0.1:{server.port}/ws"
    es, rs = make_engine(student, client_port_factory(url, student, config=FAST))
    ec, rc = make_engine(classroom, client_port_factory(url, classroom, config=FAST))
    store = Store(tmp_path / "console")
    poller = StatusPoller(f"http://127.0.0.1:{server.health_port}/status", store)
    client = None
    try:
        await ec.start()
        await es.start()
        await wait_until(lambda: rs.state is CallState.LIVE and rc.state is CallState.LIVE,
                         15, "live through the server")  # fmt: skip
        await es.hangup()  # the pupil hangs up
        await wait_until(lambda: len(server.hub.calls) == 2, 10, "both summaries at the server")
        calls = {c["device"]: c for c in (await status(server))["calls"]}
        mine, theirs = calls[student.info.device_id.short], calls[classroom.info.device_id.short]
        assert (mine["end_reason"], theirs["end_reason"]) == ("hangup_local", "hangup_remote")
        assert mine["candidate_type"] == "host" and mine["relay_protocol"] == "none"
        assert mine["quality"] in ("good", "fair", "poor", "unknown")
        assert 0 <= mine["duration_s"] < 60
        assert not any(key in json.dumps(calls) for key in ("127.0.0.1", "serial"))

        pid = _pairing(store, student, classroom)
        async with aiohttp.ClientSession() as session:
            await poller.poll_once(session)
        client = await _console(fleet.folder, store, poller)
        overview = await (await client.get("/")).text()
        assert "Laatste gesprek" in overview
        assert "opgehangen door de leerling" in overview  # the later of the two reports
        assert "direct (zelfde netwerk)" in overview
        detail = await (await client.get(f"/pairings/{pid}")).text()
        assert 'id="last-call"' in detail and "minder dan 1 min" in detail
        export = await (await client.get(f"/pairings/{pid}/export")).json()
        assert export["last_call"]["end_reason"] in ("hangup_local", "hangup_remote")
        assert export["last_call"]["reported_by"] in ("student", "classroom")
        assert export["last_call"]["candidate_type"] == "host"

        fleet.revoke(student.info.serial, classroom.info.serial)  # the service ends
        await wait_until(lambda: len(server.hub.calls) == 0, 5, "both forgotten")
        async with aiohttp.ClientSession() as session:
            await poller.poll_once(session)
        overview = await (await client.get("/")).text()
        assert "opgehangen door" not in overview and "nog geen" in overview
    finally:
        if client is not None:
            await client.close()
        await es.stop()
        await ec.stop()
        await server.stop()
        store.close()


async def test_an_engine_that_stops_mid_call_still_reports_it(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    try:
        await ec.start()
        await es.start()
        await wait_until(lambda: rs.state is CallState.LIVE and rc.state is CallState.LIVE,
                         10, "live")  # fmt: skip
        await es.stop()  # a restart: the summary goes before the signaling link does
        assert [(i, c.end_reason) for i, c in relay.calls] == [(0, "stopped")]
    finally:
        await ec.stop()


async def test_a_failing_report_never_breaks_the_teardown(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)

    async def broken(summary: CallReport) -> bool:
        raise ConnectionResetError("gone")

    es._signaling.report_call = broken  # type: ignore[method-assign]
    try:
        await ec.start()
        await es.start()
        await wait_until(lambda: rs.state is CallState.LIVE and rc.state is CallState.LIVE,
                         10, "live")  # fmt: skip
        await es.hangup()
        await wait_until(lambda: rc.state is CallState.ENDED, 5, "the peer ends too")
        assert rs.state is CallState.ENDED and es.session.link is None
        await wait_until(lambda: len(relay.calls) == 1, 5, "the classroom's report")
        assert relay.calls[0][0] == 1  # only the classroom's went; the pupil's failed quietly
        await es.rejoin()
        await ec.rejoin()
        await wait_until(lambda: rs.state is CallState.LIVE and rc.state is CallState.LIVE,
                         15, "live again after the failed report")  # fmt: skip
    finally:
        await es.stop()
        await ec.stop()
