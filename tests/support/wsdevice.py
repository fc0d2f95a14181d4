"""A device as a bare WebSocket over mTLS, for tests that read the server's frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp

from pairing.credentials import DeviceCredentials
from signaling.server import RunningServer
from signaling.tls import client_context


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def device(
    server: RunningServer, creds: DeviceCredentials, headers: dict[str, str] | None = None
) -> AsyncIterator[Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            f"wss://localhost:{server.port}/ws", ssl=client_context(creds), headers=headers
        ) as ws,
    ):
        yield ws


async def frame(ws: Any, kind: str | None = None, timeout: float = 5.0) -> dict[str, Any]:
    """The next frame (of ``kind``, skipping others); fails on close or timeout."""
    async with asyncio.timeout(timeout):
        while True:
            msg = await ws.receive()
            assert msg.type is aiohttp.WSMsgType.TEXT, f"got {msg.type} {msg.data}"
            body: dict[str, Any] = json.loads(msg.data)
            if kind is None or body["type"] == kind:
                return body


async def closed_with(ws: Any, timeout: float = 5.0) -> int | None:
    async with asyncio.timeout(timeout):
        while True:
            msg = await ws.receive()
            if msg.type is aiohttp.WSMsgType.CLOSE:  # the server's code, as it came
                return msg.data  # type: ignore[no-any-return]
            if msg.type is aiohttp.WSMsgType.CLOSED:
                return ws.close_code  # type: ignore[no-any-return]
