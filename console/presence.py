"""Which devices are online: read from the signaling server, behind one small interface.

Today the server is one process and answers ``GET /status`` on its loopback health
port; a Redis-backed presence can replace :class:`StatusPoller` later without the
console's pages changing. Whenever a device is seen online its ``last_seen`` is
kept in the console's store, so "offline, last seen …" survives a server restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from console.lastcall import Calls, parse_calls
from console.store import Store

logger = logging.getLogger(__name__)

# Devices online (~100 bytes each) and every device's last call (~260 bytes each, at
# most 100,000: signaling.lastcall); loopback only.
MAX_STATUS = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Online:
    since: dt.datetime
    version: str | None = None  # the app version the device sent, if any


class Presence(Protocol):
    def online(self) -> dict[str, Online] | None:
        """DeviceId text → since when, or None when the server cannot be asked."""

    def calls(self) -> Calls:
        """Each device's last call as the server holds it (empty when unknown)."""


def parse_status(doc: object) -> dict[str, Online]:
    if not isinstance(doc, dict) or not isinstance(doc.get("devices"), list):
        raise ValueError("not a status document")
    out: dict[str, Online] = {}
    for entry in doc["devices"]:
        if not isinstance(entry, dict):
            raise ValueError("not a device entry")
        device, since, version = entry.get("device_id"), entry.get("since"), entry.get("version")
        if not isinstance(device, str) or not isinstance(since, str) or len(device) > 80:
            raise ValueError("device entry")
        if version is not None and (not isinstance(version, str) or len(version) > 32):
            raise ValueError("version")
        out[device] = Online(dt.datetime.fromisoformat(since), version)
    return out


class StatusPoller:
    """Polls the server's ``/status`` every ``interval`` seconds."""

    def __init__(self, url: str, store: Store, interval: float = 2.0) -> None:
        self._url = url
        self._store = store
        self._interval = interval
        self._online: dict[str, Online] | None = None
        self._calls: Calls = {}
        self._task: asyncio.Task[None] | None = None

    def online(self) -> dict[str, Online] | None:
        return self._online

    def calls(self) -> Calls:
        return self._calls

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def poll_once(self, session: aiohttp.ClientSession) -> None:
        try:
            async with session.get(self._url) as response:
                response.raise_for_status()
                body = await response.content.read(MAX_STATUS + 1)
            doc = jsondoc.loads(body, limit=MAX_STATUS)
            self._online, self._calls = parse_status(doc), parse_calls(doc)
        except (aiohttp.ClientError, TimeoutError, ValueError, JsonDocInvalid) as exc:
            if self._online is not None:
                logger.warning("signaling status unavailable: %s", type(exc).__name__)
            self._online, self._calls = None, {}
            return
        now = self._store.clock()
        self._store.conn.executemany(
            "INSERT INTO seen (device_id, last_seen) VALUES (?, ?) "
            "ON CONFLICT(device_id) DO UPDATE SET last_seen = excluded.last_seen",
            [(d, now) for d in self._online],
        )

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self._interval * 2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                await self.poll_once(session)
                await asyncio.sleep(self._interval)
