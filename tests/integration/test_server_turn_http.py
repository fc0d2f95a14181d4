"""``GET /turn`` on the real server's mTLS port: the network self-test's credential."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import ssl

import aiohttp
import pytest

from signaling.config import ServerConfig
from signaling.tls import client_context
from signaling.turn import mint, pseudonym
from signaling.turnfetch import TurnNotOffered, fetch_turn, turn_url
from tests.integration.test_server_turn import KEY, SECRET, device, frames_until, running, with_turn
from tests.support.pki import TestFleet, self_signed_device
from tests.support.signaling import no_addresses_in_logs

FAST = ServerConfig(close_timeout=1.0, crl_poll=0.1)

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)


def test_the_url_is_the_signaling_servers_own_port() -> None:
    assert turn_url("wss://klas.example:443/ws") == "https://klas.example:443/turn"
    assert turn_url("wss://198.18.0.2/ws") == "https://198.18.0.2/turn"


async def test_a_device_gets_a_credential_and_its_kiosk_stays_online(fleet: TestFleet) -> None:
    student, _ = with_turn(fleet).pair()
    async with running(fleet, FAST) as server, device(server, student) as ws:
        await frames_until(ws, "turn")
        url = f"wss://localhost:{server.port}/ws"
        credential = await fetch_turn(url, student, limit=5)
        assert len(server.hub) == 1  # the self-test did not go online itself ...
        await ws.send_str('{"v": 1, "type": "ping"}')
        seen = await frames_until(ws, "pong")  # ... nor replace the running WebSocket
        assert [f["type"] for f in seen] == ["crl", "pong"]
        assert not ws.closed
    name = pseudonym(KEY, student.info.device_id, dt.datetime.now(dt.UTC).date())
    expires = credential.expires_at
    assert credential == mint(SECRET.encode(), name, now=expires - 3600, lifetime=3600)


async def test_without_a_secret_the_server_says_so(fleet: TestFleet) -> None:
    student, _ = fleet.pair()
    async with running(fleet, FAST) as server:
        with pytest.raises(TurnNotOffered):
            await fetch_turn(f"wss://localhost:{server.port}/ws", student, limit=5)
        assert len(server.hub) == 0


async def test_a_certificate_from_another_ca_or_none_gets_nothing(fleet: TestFleet) -> None:
    student, _ = with_turn(fleet).pair()
    async with running(fleet, FAST) as server:
        url = f"https://localhost:{server.port}/turn"
        stranger = self_signed_device(student)  # same DeviceId, not signed by the fleet
        with pytest.raises(aiohttp.ClientError):
            await fetch_turn(f"wss://localhost:{server.port}/ws", stranger, limit=5)
        bare = ssl.create_default_context(cadata=fleet.ca_path.read_text())  # no certificate
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.ClientError):
                async with session.get(url, ssl=bare) as response:
                    await response.read()


async def test_a_revoked_device_gets_nothing(fleet: TestFleet) -> None:
    student, classroom = with_turn(fleet).pair()
    fleet.revoke(classroom.info.serial)
    async with running(fleet, FAST) as server:
        url = f"wss://localhost:{server.port}/ws"
        with pytest.raises(aiohttp.ClientError):  # refused in the handshake: no answer at all
            await fetch_turn(url, classroom, limit=5)
        # Revoked while its connection is open: the next request on it is refused too.
        connector = aiohttp.TCPConnector(ssl=client_context(student))
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.get(turn_url(url)) as first:
                assert first.status == 200 and "password" in json.loads(await first.read())
            fleet.revoke(classroom.info.serial, student.info.serial)
            async with asyncio.timeout(5):
                while server.hub.crl is None or not server.hub.crl.is_revoked(student.info.serial):
                    await asyncio.sleep(0.05)
            async with session.get(turn_url(url)) as second:
                assert second.status == 403
                assert "password" not in (await second.read()).decode()
