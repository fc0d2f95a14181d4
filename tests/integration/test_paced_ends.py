"""Devices whose network fails together are ended a few per pass of the server's loop,
and go offline for their peers, while a pair that stays keeps relaying
(signaling.tlsends).

The real server on loopback, real mTLS devices. The classrooms of all pairs but one
lose their connections at once as a failing network ends them (``shutdown``: the
server reads the end of the stream, no WebSocket or TLS close); their students stay.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from signaling.config import ServerConfig
from signaling.server import RunningServer
from tests.support.pki import TestFleet
from tests.support.signaling import no_addresses_in_logs, serve
from tests.support.wsdevice import device, frame, wait_until

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)

PAIRS = 12


@pytest.fixture
async def server(fleet: TestFleet) -> AsyncIterator[RunningServer]:
    # few devices here: with 2 a pass, their ends must still wait their turn
    async for running in serve(fleet, ServerConfig(ends_per_pass=2)):
        yield running


def cut(ws: Any) -> None:
    ws.get_extra_info("socket").shutdown(socket.SHUT_RDWR)


async def test_devices_cut_together_go_offline_while_a_pair_that_stays_relays(
    fleet: TestFleet, server: RunningServer
) -> None:
    pairs = [fleet.pair() for _ in range(PAIRS)]
    async with contextlib.AsyncExitStack() as stack:
        students = [await stack.enter_async_context(device(server, s)) for s, _ in pairs]
        classrooms = [await stack.enter_async_context(device(server, c)) for _, c in pairs]
        for ws in students:
            assert (await frame(ws, "presence"))["peer_online"] is True
        await wait_until(lambda: len(server.hub) == 2 * PAIRS)
        for ws in classrooms[1:]:
            cut(ws)
        await students[0].send_str(json.dumps({"v": 1, "type": "relay", "payload": "still here"}))
        assert (await frame(classrooms[0], "relay"))["payload"] == "still here"
        for ws in students[1:]:
            assert (await frame(ws, "presence"))["peer_online"] is False
        await wait_until(lambda: len(server.hub) == PAIRS + 1)
        assert server.listener is not None and server.listener.ends is not None
        assert server.listener.ends.longest > 2  # read together, ended in turn
        assert len(server.listener.ends) == 0


async def test_a_device_back_before_its_end_was_handled_stays_online_for_its_peer(
    fleet: TestFleet, server: RunningServer
) -> None:
    """It reconnects while its old connection waits its turn: the new one replaces
    the old (as any reconnect does), and its peer sees no presence change."""
    student, classroom = fleet.pair()
    async with device(server, student) as s_ws:
        async with device(server, classroom) as old:
            assert (await frame(s_ws, "presence"))["peer_online"] is True
            assert server.listener is not None and server.listener.ends is not None
            ends = server.listener.ends
            ends._scheduled = True  # hold the queue: nothing is ended until released
            cut(old)
            await wait_until(lambda: len(ends) == 1)
        async with device(server, classroom) as new:
            await frame(new, "hello")
            ends._scheduled = False
            ends._run()  # released: the old connection was replaced meanwhile
            await wait_until(lambda: len(ends) == 0)
            await s_ws.send_str(json.dumps({"v": 1, "type": "relay", "payload": "back"}))
            assert (await frame(new, "relay"))["payload"] == "back"
            with pytest.raises(TimeoutError):  # no presence frame: it never went offline
                await frame(s_ws, "presence", timeout=0.5)
            assert len(server.hub) == 2
