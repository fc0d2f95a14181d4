"""One authenticated WebSocket of one device, writing through its own bounded outbox,
so one slow reader never stalls the others.

A frame is written at once, in the loop pass that sent it: the writer is a task
started eagerly (Python 3.12) when the outbox was idle, which runs until its first
real wait. A writer task that slept until woken cost every relay one more pass of
the loop, and during a reconnect storm a pass can hold many handshakes (issue 14).
Only a reader that does not keep up (TCP backpressure) makes the writer wait; the
frames sent meanwhile queue behind it, in order.
"""

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
        # the number of the newest CRL the device holds, as it said on connecting or as
        # we pushed since: a CRL it has is not sent again (signaling.protocol)
        self.crl_number: int | None = None
        self.limiter = RateLimiter(
            rate=config.rate,
            burst=config.burst,
            abuse_limit=config.abuse_limit,
            abuse_window=config.abuse_window,
        )
        self._max_outbox = config.outbox
        self._outbox: deque[str] = deque()
        self._drained = asyncio.Event()
        self._refusing = False
        self._close: tuple[CloseCode, str] | None = None
        self._close_timeout = config.close_timeout
        self._closer: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None  # writing, or waiting to write
        self._broken = False  # a write failed: the reader sees the loss and unregisters

    @property
    def short(self) -> str:
        return self.info.device_id.short

    def send(self, message: ServerMessage) -> None:
        self.send_encoded(encode(message))

    def send_encoded(self, frame: str) -> None:
        """Queue a frame encoded once for many links (a CRL push): the outboxes share
        the one string instead of each holding its own copy."""
        if self._close is not None:
            return
        if len(self._outbox) >= self._max_outbox:
            self.close(CloseCode.TOO_SLOW, "reading too slowly", flush=False)
            return
        self._outbox.append(frame)
        self._write()

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
            self._write()
            return
        self._outbox.clear()
        if self._writer is not None:
            self._writer.cancel()
        self._closer = asyncio.create_task(self._send_close())

    async def settle(self) -> None:
        """Wait while our own outbox is more than half full: the reader then stops
        reading, so a client that floods without reading meets TCP backpressure."""
        while len(self._outbox) > self._max_outbox // 2 and self._writing:
            self._drained.clear()
            await self._drained.wait()

    @property
    def _writing(self) -> bool:
        return self._writer is not None and not self._writer.done()

    def _write(self) -> None:
        """Start the writer unless one is at work: eagerly, so what it can write now
        leaves in this pass of the loop."""
        if self._writing or self._broken:
            return
        loop = asyncio.get_running_loop()
        self._writer = asyncio.Task(self._write_out(), loop=loop, eager_start=True)

    async def _write_out(self) -> None:
        """Write the outbox in order; then the close frame, if one was asked for."""
        try:
            while self._outbox:
                await self.ws.send_str(self._outbox.popleft())
                self._drained.set()
        except ConnectionError:
            self._broken = True  # the reader sees the same loss and unregisters
            return
        finally:
            self._drained.set()
        if self._close is not None:
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
        tasks = {t for t in (self._writer, self._closer) if t is not None and not t.done()}
        if self._close is None and self._writer is not None:
            self._writer.cancel()
        if not tasks:
            return
        await asyncio.wait(tasks, timeout=grace)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
