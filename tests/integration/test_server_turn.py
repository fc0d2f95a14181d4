"""TURN credentials from the real signaling server over mTLS on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from common.paths import ensure_private_dir, write_private_file
from pairing.credentials import DeviceCredentials
from pairing.revocation import RevocationList
from signaling.config import ServerConfig
from signaling.server import RunningServer
from signaling.tls import client_context
from signaling.turn import TurnCredential, mint, pseudonym
from tests.support.pki import TestFleet
from tests.support.signaling import no_addresses_in_logs, serve

SECRET = "5e" * 32
KEY = bytes(range(32))
FAST = ServerConfig(close_timeout=1.0, crl_poll=0.2)
RENEWING = ServerConfig(close_timeout=1.0, crl_poll=0.2, turn_lifetime=0.9)  # renew at 0.6 s

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)


def with_turn(fleet: TestFleet) -> TestFleet:
    turn = ensure_private_dir(fleet.folder / "turn")
    write_private_file(turn / "turn-secret", SECRET.encode() + b"\n")
    write_private_file(turn / "pseudonym-key", KEY.hex().encode() + b"\n")
    return fleet


@contextlib.asynccontextmanager
async def running(fleet: TestFleet, config: ServerConfig) -> AsyncIterator[RunningServer]:
    async for server in serve(fleet, config):
        yield server


@contextlib.asynccontextmanager
async def device(server: RunningServer, creds: DeviceCredentials) -> AsyncIterator[Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"wss://localhost:{server.port}/ws", ssl=client_context(creds)) as ws,
    ):
        yield ws


async def frames_until(ws: Any, kind: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Every frame up to and including the first of ``kind``."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while not seen or seen[-1]["type"] != kind:
            msg = await ws.receive()
            assert msg.type is aiohttp.WSMsgType.TEXT, f"got {msg.type} {msg.data}"
            seen.append(json.loads(msg.data))
    return seen


async def test_a_device_gets_a_credential_right_after_hello(
    fleet: TestFleet, caplog: pytest.LogCaptureFixture
) -> None:
    student, _ = with_turn(fleet).pair()
    async with running(fleet, FAST) as server, device(server, student) as ws:
        seen = await frames_until(ws, "turn")
    assert [f["type"] for f in seen] == ["hello", "turn"]
    turn = seen[1]
    assert set(turn) == {"v", "type", "username", "password", "expires"}
    assert isinstance(turn["expires"], int)
    now = turn["expires"] - 3600
    assert abs(now - dt.datetime.now(dt.UTC).timestamp()) < 10  # default lifetime: one hour
    day = dt.datetime.fromtimestamp(now, dt.UTC).date()
    name = pseudonym(KEY, student.info.device_id, day)
    assert turn["username"] == f"{turn['expires']}:{name}"
    assert mint(SECRET.encode(), name, now=now, lifetime=3600) == TurnCredential(
        turn["username"], turn["password"], float(turn["expires"])
    )
    assert student.info.device_id.short.lower() not in turn["username"].lower()
    assert turn["password"] not in caplog.text and name not in caplog.text


async def test_the_credential_is_renewed_before_it_expires(fleet: TestFleet) -> None:
    student, _ = with_turn(fleet).pair()
    async with running(fleet, RENEWING) as server, device(server, student) as ws:
        loop = asyncio.get_running_loop()
        first = (await frames_until(ws, "turn"))[-1]
        started = loop.time()
        second = (await frames_until(ws, "turn", timeout=3.0))[-1]
        waited = loop.time() - started
    assert 0.4 < waited < 0.9  # two thirds of 0.9 s, before the first one ran out
    assert second["expires"] >= first["expires"]


async def test_no_secret_means_no_credential(fleet: TestFleet) -> None:
    student, _ = fleet.pair()
    async with running(fleet, RENEWING) as server, device(server, student) as ws:
        await frames_until(ws, "hello")
        await asyncio.sleep(1.0)  # past a renewal time too
        await ws.send_str('{"v": 1, "type": "ping"}')
        seen = await frames_until(ws, "pong")
    assert "turn" not in [f["type"] for f in seen]


async def test_a_secret_that_appears_later_is_used_at_the_next_renewal(
    fleet: TestFleet,
) -> None:
    student, _ = fleet.pair()
    async with running(fleet, RENEWING) as server, device(server, student) as ws:
        await frames_until(ws, "hello")
        with_turn(fleet)
        turn = (await frames_until(ws, "turn", timeout=3.0))[-1]
    assert turn["username"].endswith(
        ":" + pseudonym(KEY, student.info.device_id, dt.datetime.now(dt.UTC).date())
    )


async def test_a_revoked_device_gets_none_and_is_closed(
    fleet: TestFleet, caplog: pytest.LogCaptureFixture
) -> None:
    student, classroom = with_turn(fleet).pair()
    fleet.revoke(classroom.info.serial)
    async with running(fleet, RENEWING) as server:
        with pytest.raises(aiohttp.ClientError):  # refused in the handshake: no frame at all
            async with device(server, classroom):
                pass
        async with device(server, student) as ws:
            await frames_until(ws, "turn")
            fleet.revoke(student.info.serial)
            after: list[str] = []
            async with asyncio.timeout(3.0):
                while (msg := await ws.receive()).type is aiohttp.WSMsgType.TEXT:
                    after.append(json.loads(msg.data)["type"])
            assert msg.type is aiohttp.WSMsgType.CLOSE and msg.data == 4003
    assert "turn" not in after


async def test_the_device_client_hands_the_credential_to_the_engine_port(
    fleet: TestFleet,
) -> None:
    from media.signaling_port import ClientPort

    class Handler:
        def __init__(self) -> None:
            self.credentials: list[TurnCredential] = []

        async def signaling_changed(self, connected: bool) -> None: ...
        async def peer_changed(self, online: bool) -> None: ...
        async def relayed(self, payload: Any) -> None: ...
        async def crl_received(self, crl: RevocationList) -> None: ...
        async def turn_received(self, credential: TurnCredential) -> None:
            self.credentials.append(credential)

    student, _ = with_turn(fleet).pair()
    handler = Handler()
    async with running(fleet, FAST) as server:
        port = ClientPort(handler, f"wss://localhost:{server.port}/ws", student)
        await port.start()
        try:
            async with asyncio.timeout(5.0):
                while not handler.credentials:
                    await asyncio.sleep(0.02)
        finally:
            await port.stop()
    (credential,) = handler.credentials
    name = credential.username.split(":")[1]
    assert credential == mint(
        SECRET.encode(), name, now=credential.expires_at - 3600, lifetime=3600
    )


async def test_the_engine_keeps_the_credential_the_server_minted(fleet: TestFleet) -> None:
    from media.signaling_port import client_port_factory
    from tests.support.calls import make_engine, wait_until

    student, _ = with_turn(fleet).pair()
    async with running(fleet, RENEWING) as server:
        url = f"wss://127.0.0.1:{server.port}/ws"
        engine, _ = make_engine(student, client_port_factory(url, student))
        assert engine.turn_credential is None
        await engine.start()
        try:
            await wait_until(lambda: engine.turn_credential is not None, 5, "a credential")
            first = engine.turn_credential
            await wait_until(lambda: engine.turn_credential is not first, 3, "the renewal")
        finally:
            await engine.stop()
    credential = engine.turn_credential
    assert credential is not None
    name = pseudonym(KEY, student.info.device_id, dt.datetime.now(dt.UTC).date())
    assert credential.username == f"{int(credential.expires_at)}:{name}"


def test_a_lifetime_over_an_hour_is_refused() -> None:
    from signaling.errors import ServerConfigError

    with pytest.raises(ServerConfigError):
        ServerConfig(turn_lifetime=3601)
