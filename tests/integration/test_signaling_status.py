"""The signaling server's loopback /status, and the console's poller reading it."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp

from console.presence import StatusPoller
from console.store import Store
from signaling.config import ServerConfig
from signaling.protocol import APP_VERSION_HEADER
from signaling.server import start_server
from signaling.tls import client_context
from tests.support.pki import TestFleet

FAST = ServerConfig(heartbeat=5.0, close_timeout=1.0, crl_poll=0.2)


async def _status(port: int) -> dict[str, object]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/status") as resp,
    ):
        assert resp.status == 200
        assert resp.headers["Server"] == "klasgenoot"
        doc: dict[str, object] = await resp.json()
        return doc


async def test_status_lists_connected_devices_and_the_console_remembers_them(
    fleet: TestFleet, tmp_path: Path
) -> None:
    running = await start_server(fleet.folder, "127.0.0.1", 0, FAST, health_port=0)
    assert running.health_port
    student, _ = fleet.pair()
    store = Store(tmp_path)
    poller = StatusPoller(f"http://127.0.0.1:{running.health_port}/status", store)
    try:
        empty = {"devices": [], "calls": [], "calls_refused": 0}
        assert await _status(running.health_port) == empty
        before = dt.datetime.now(dt.UTC)
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(
                f"wss://localhost:{running.port}/ws", ssl=client_context(student)
            ) as ws,
        ):
            await ws.receive()  # hello: the server registered it
            doc = await _status(running.health_port)
            assert doc["devices"] == [
                {"device_id": student.info.device_id.text, "since": doc["devices"][0]["since"]}  # type: ignore[index]
            ]
            since = dt.datetime.fromisoformat(doc["devices"][0]["since"])  # type: ignore[index]
            assert before - dt.timedelta(seconds=1) <= since <= dt.datetime.now(dt.UTC)
            async with aiohttp.ClientSession() as poll_session:
                await poller.poll_once(poll_session)
            online = poller.online()
            assert online is not None and set(online) == {student.info.device_id.text}
        async with asyncio.timeout(5):
            while (await _status(running.health_port))["devices"]:
                await asyncio.sleep(0.05)
        seen = store.conn.execute("SELECT device_id FROM seen").fetchall()
        assert seen == [(student.info.device_id.text,)]  # last seen, kept after it left
    finally:
        await running.stop()
    async with aiohttp.ClientSession() as poll_session:
        await poller.poll_once(poll_session)
    assert poller.online() is None  # the server is gone: unknown, not "all offline"


async def test_status_names_the_app_version_a_device_sent_and_ignores_garbage(
    fleet: TestFleet,
) -> None:
    running = await start_server(fleet.folder, "127.0.0.1", 0, FAST, health_port=0)
    assert running.health_port
    first, second = fleet.pair()
    url = f"wss://localhost:{running.port}/ws"
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(url, ssl=client_context(first),
                               headers={APP_VERSION_HEADER: "0.2.0+deb1"}) as ws1,
            session.ws_connect(url, ssl=client_context(second),
                               headers={APP_VERSION_HEADER: "<script>" * 10}) as ws2,
        ):  # fmt: skip
            await ws1.receive()
            await ws2.receive()
            doc = await _status(running.health_port)
            versions = {d["device_id"]: d.get("version") for d in doc["devices"]}  # type: ignore[attr-defined]
            assert versions == {first.info.device_id.text: "0.2.0+deb1",
                                second.info.device_id.text: None}  # fmt: skip
    finally:
        await running.stop()
