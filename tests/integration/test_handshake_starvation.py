"""Silent connections from one machine must not lock real devices out of the server.

The attack of issue 15: ~70 TCP connections that never send a ClientHello, each
reopened as soon as the server closes it. The attacker connects from 127.0.0.2 and
the devices from 127.0.0.1 (all of 127.0.0.0/8 is loopback on Linux), so the two are
different source addresses as they would be on the internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import aiohttp
import pytest

from pairing.credentials import DeviceCredentials
from signaling.config import ServerConfig
from signaling.server import RunningServer, start_server
from signaling.tls import client_context
from tests.support.pki import TestFleet
from tests.support.signaling import no_addresses_in_logs

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)

ATTACKER = "127.0.0.2"
SILENT = 70


class Attacker:
    """Keeps ``SILENT`` connections open, saying nothing, reopening each one closed."""

    def __init__(self, port: int) -> None:
        self._port = port
        self.opened = 0
        self._tasks = [asyncio.create_task(self._hold()) for _ in range(SILENT)]

    async def _hold(self) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", self._port, local_addr=(ATTACKER, 0)
                )
            except OSError:
                await asyncio.sleep(0.01)
                continue
            self.opened += 1
            try:
                await reader.read(1)  # returns when the server closes (or resets) it
            except OSError:
                pass
            finally:
                writer.close()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def connect_and_hello(running: RunningServer, creds: DeviceCredentials) -> float:
    """Connect as a device would (retrying a refused attempt); seconds until its hello."""
    started = time.monotonic()
    url = f"wss://localhost:{running.port}/ws"
    while True:
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(url, ssl=client_context(creds)) as ws,
            ):
                msg = await ws.receive(timeout=5)
                assert msg.type is aiohttp.WSMsgType.TEXT, msg
                assert json.loads(msg.data)["type"] == "hello"
                return time.monotonic() - started
        except (aiohttp.ClientError, OSError):
            await asyncio.sleep(0.2)


async def test_devices_connect_while_one_machine_holds_silent_connections(
    fleet: TestFleet, caplog: pytest.LogCaptureFixture
) -> None:
    running = await start_server(fleet.folder, "127.0.0.1", 0, ServerConfig())
    attacker = Attacker(running.port)
    try:
        async with asyncio.timeout(10):
            while attacker.opened < SILENT:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the attack is on: every slot it can get is taken
        devices = [creds for _ in range(3) for creds in fleet.pair()]
        async with asyncio.timeout(8):
            took = [await connect_and_hello(running, creds) for creds in devices]
        assert max(took) < 3.0, took
        listener = running.listener
        assert listener is not None
        assert listener.pending <= ServerConfig().max_pending_per_address
        # Silent ones are closed after the first-byte deadline, not the 10 s handshake one.
        async with asyncio.timeout(ServerConfig().first_byte_timeout + 3):
            while "refused a connection: silent connection" not in caplog.text:
                await asyncio.sleep(0.05)
    finally:
        await attacker.stop()
        await running.stop()
    assert ATTACKER not in caplog.text
    assert "too many handshakes from one address" in caplog.text
