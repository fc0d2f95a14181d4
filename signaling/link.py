"""One authenticated WebSocket of one device, writing through its own bounded outbox,
so one slow reader never stalls the others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque

from aiohttp import web

from pairing.certificates import DeviceCertInfo
from signaling.config import ServerConfig
from signaling.protocol import CloseCode, ErrorFrame, ServerMessage, encode
from signaling.ratelimit import RateLimiter

logger = logging.getLogger("signaling.hub")  # the lines operators know, under one name


class Link:
    """One authenticated WebSocket of one device."""

    def __init__(self, ws: web.WebSocketResponse, info: DeviceCertInfo, config: ServerConfig):
        self.ws = ws
        self.info = info
        self.since = int(time.time())  # also for the console's /status (loopback only)
        self.app_version: str | None = None  # as the device said on connecting, if it did
        self.limiter = RateLimiter(
            rate=config.rate,
            burst=config.burst,
            abuse_limit=config.abuse_limit,
            abuse_window=config.abuse_window,
        )
        self._max_outbox = config.outbox
        self._outbox: deque[str] = deque()
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        self._refusing = False
        self._close: tuple[CloseCode, str] | None = None
        self._close_timeout = config.close_timeout
        self._closer: asyncio.Task[None] | None = None
        self._writer = asyncio.create_task(self._write_loop())

    @property
    def short(self) -> str:
        return self.info.device_id.short

    def send(self, message: ServerMessage) -> None:
        if self._close is not None:
            return
        if len(self._outbox) >= self._max_outbox:
            self.close(CloseCode.TOO_SLOW, "reading too slowly", flush=False)
            return
        self._outbox.append(encode(message))
        self._wake.set()

    def refuse(self, error: ErrorFrame) -> None:
        """Tell a flooding sender once per streak, not once per message (no echo amplifier)."""
        if not self._refusing:
            self._refusing = True
            self.send(error)

    def accepted(self) -> None:
        self._refusing = False

    def close(self, code: CloseCode, reason: str, *, flush: bool = True) -> None:
        """Close after the frames already queued; with ``flush`` off, at once (the
        writer may be stuck on a reader that stopped reading)."""
        if self._close is not None:
            return
        logger.info("closing %s: %s", self.short, code.name.lower())
        self._close = (code, reason)
        if flush:
            self._wake.set()
            return
        self._outbox.clear()
        self._writer.cancel()
        self._closer = asyncio.create_task(self._send_close())

    async def settle(self) -> None:
        """Wait while our own outbox is more than half full: the reader then stops
        reading, so a client that floods without reading meets TCP backpressure."""
        while len(self._outbox) > self._max_outbox // 2 and not self._writer.done():
            self._drained.clear()
            await self._drained.wait()

    async def _write_loop(self) -> None:
        try:
            while self._close is None or self._outbox:
                await self._wake.wait()
                self._wake.clear()
                while self._outbox:
                    await self.ws.send_str(self._outbox.popleft())
                    self._drained.set()
        except ConnectionError:
            return  # the reader sees the same loss and unregisters
        finally:
            self._drained.set()
        await self._send_close()

    async def _send_close(self) -> None:
        assert self._close is not None
        code, reason = self._close
        # On timeout aiohttp drops the transport: a peer that never reads cannot
        # keep its connection open by not taking the close frame either.
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.wait_for(
                self.ws.close(code=code, message=reason.encode()), self._close_timeout
            )

    async def finish(self, grace: float) -> None:
        """After the reader ended: let a requested close finish, else stop writing."""
        tasks = {self._writer} | ({self._closer} if self._closer else set())
        if self._close is None:
            self._writer.cancel()
        await asyncio.wait(tasks, timeout=grace)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
