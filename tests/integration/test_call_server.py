"""Calls through the real signaling server on 127.0.0.1: restart, revocation."""

from __future__ import annotations

import itertools

import pytest

from media.signaling_port import client_port_factory
from media.state import CallState, EndReason
from signaling.config import ClientConfig
from signaling.server import RunningServer, start_server
from tests.support.calls import make_engine, wait_until
from tests.support.pki import TestFleet

pytestmark = pytest.mark.asyncio

FAST = ClientConfig(backoff_initial=0.1, backoff_max=0.5)


def _gaps(times: list[float], after: float) -> float:
    later = [t for t in times if t >= after]
    return max((b - a for a, b in itertools.pairwise(later)), default=0.0)


async def _live_pair(fleet: TestFleet, server: RunningServer) -> tuple:
    student, classroom = fleet.pair()
    url = f"wss://127.0.0.1:{server.port}/ws"
    es, rs = make_engine(student, client_port_factory(url, student, config=FAST))
    ec, rc = make_engine(classroom, client_port_factory(url, classroom, config=FAST))
    await ec.start()
    await es.start()
    await wait_until(
        lambda: (
            rs.state is CallState.LIVE
            and rc.state is CallState.LIVE
            and rs.video_times
            and rc.video_times
        ),
        10,
        "live through the server",
    )
    return es, rs, ec, rc


async def test_server_restart_leaves_no_frame_gap(fleet: TestFleet) -> None:
    server = await start_server(fleet.folder)
    port = server.port
    es, rs, ec, rc = await _live_pair(fleet, server)
    try:
        start = rs.video_times[-1]
        await server.stop()
        await wait_until(lambda: False in rs.signaling and False in rc.signaling, 5, "down")
        server = await start_server(fleet.folder, port=port)
        await wait_until(lambda: rs.signaling[-1] and rc.signaling[-1], 10, "reconnected")
        await wait_until(lambda: len([t for t in rc.video_times if t > start]) > 60, 10, "media")
        assert rs.state is CallState.LIVE and rc.state is CallState.LIVE
        assert _gaps(rs.video_times, start) <= 0.5
        assert _gaps(rc.video_times, start) <= 0.5
    finally:
        await es.stop()
        await ec.stop()
        await server.stop()


async def test_peer_revoked_during_call_ends_it(fleet: TestFleet) -> None:
    server = await start_server(fleet.folder)
    es, _rs, ec, rc = await _live_pair(fleet, server)
    try:
        student_serial = es.config.credentials.info.serial
        fleet.revoke(student_serial)
        await wait_until(lambda: rc.state is CallState.ENDED, 5, "classroom ends the call")
        last = rc.last
        assert last is not None and last.reason is EndReason.PEER_REVOKED
        assert ec.crl is not None and ec.crl.is_revoked(student_serial)
    finally:
        await es.stop()
        await ec.stop()
        await server.stop()


async def test_the_revoked_device_says_it_was_revoked_never_blaming_its_peer(
    fleet: TestFleet,
) -> None:
    """Issue 15, item 12: the server's 4003 ends this device's call as REVOKED (its
    own certificate), for good; its peer ends with PEER_REVOKED."""
    server = await start_server(fleet.folder)
    es, rs, ec, rc = await _live_pair(fleet, server)
    try:
        fleet.revoke(es.config.credentials.info.serial)
        await wait_until(
            lambda: rs.last is not None and rs.last.reason is EndReason.REVOKED, 5, "student"
        )
        await wait_until(lambda: rc.state is CallState.ENDED, 5, "classroom ends the call")
        assert rc.last is not None and rc.last.reason is EndReason.PEER_REVOKED
        reasons = [c.reason for _, c in rs.changes if c.state is CallState.ENDED]
        assert reasons[-1] is EndReason.REVOKED  # whatever the peer said before
        await es.rejoin()  # pointless until a new bundle: nothing changes
        assert rs.last is not None and rs.last.reason is EndReason.REVOKED
    finally:
        await es.stop()
        await ec.stop()
        await server.stop()
