"""The hub: which devices are online, and who may hear whom.

A device is keyed by its DeviceId (its key). Two links hear each other only if
their certificates name each other (:func:`pairing.certificates.check_peer`): the
certificates are the pairing, there is no database. Each link writes through its
own bounded outbox, so one slow reader never stalls the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import deque

from aiohttp import web

from pairing.certificates import DeviceCertInfo, check_peer, utcnow
from pairing.deviceid import DeviceId
from pairing.errors import PeerUntrusted
from pairing.revocation import RevocationList
from signaling.config import ServerConfig
from signaling.protocol import (
    CloseCode,
    CrlPush,
    ErrorCode,
    ErrorFrame,
    Hello,
    Payload,
    Presence,
    Relay,
    ServerMessage,
    TurnFrame,
    encode,
)
from signaling.ratelimit import RateLimiter
from signaling.turn import TurnCredential
from signaling.turnissuer import TurnIssuer

logger = logging.getLogger(__name__)


class Link:
    """One authenticated WebSocket of one device."""

    def __init__(self, ws: web.WebSocketResponse, info: DeviceCertInfo, config: ServerConfig):
        self.ws = ws
        self.info = info
        self.since = utcnow()  # for the console's status page (loopback only)
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


class Hub:
    def __init__(self, turn: TurnIssuer | None = None) -> None:
        self._links: dict[DeviceId, Link] = {}
        self.crl: RevocationList | None = None
        self._turn = turn

    def __len__(self) -> int:
        return len(self._links)

    def online(self) -> list[tuple[DeviceId, dt.datetime, str | None]]:
        """Each connected device, since when, and its app version if it sent one
        (the health port's /status)."""
        return [(d, link.since, link.app_version) for d, link in self._links.items()]

    def peer_of(self, link: Link) -> Link | None:
        peer = self._links.get(link.info.peer_id)
        if peer is None:
            return None
        try:
            check_peer(peer.info, own=link.info)
        except PeerUntrusted:
            return None
        return peer

    def register(self, link: Link) -> bool:
        """Put a new link online; False if the CRL changed since its handshake."""
        if self.crl is not None and self.crl.is_revoked(link.info.serial):
            link.close(CloseCode.REVOKED, "certificate revoked")
            return False
        old = self._links.get(link.info.device_id)
        self._links[link.info.device_id] = link
        if old is not None:
            logger.info("device %s connected again: replacing", link.short)
            old.close(CloseCode.REPLACED, "replaced by a new connection")
        peer = self.peer_of(link)
        info = link.info
        link.send(Hello(info.device_id.short, info.role.value, peer is not None))
        self.send_turn(link)
        if self.crl is not None:
            link.send(CrlPush(self.crl.number, self.crl.pem.decode()))
        if peer is not None and old is None:
            peer.send(Presence(peer_online=True))
        logger.info("device %s online (%s)", link.short, info.role.value)
        return True

    @property
    def turn_enabled(self) -> bool:
        return self._turn is not None and self._turn.enabled

    def mint_turn(self, info: DeviceCertInfo) -> TurnCredential | None:
        """A credential for an unrevoked device, whether or not it is online (the
        network self-test asks over HTTPS); None when revoked or TURN is not set up."""
        if self._turn is None:
            return None
        if self.crl is not None and self.crl.is_revoked(info.serial):
            return None
        return self._turn.credential(info.device_id, time.time())

    def send_turn(self, link: Link) -> bool:
        """Mint a TURN credential for an online, unrevoked link; False if none was sent."""
        if self._links.get(link.info.device_id) is not link:
            return False  # offline, or replaced/dropped: a closed link gets nothing
        credential = self.mint_turn(link.info)
        if credential is None:
            return False
        expires = int(credential.expires_at)
        link.send(TurnFrame(credential.username, credential.password, expires))
        return True

    def unregister(self, link: Link) -> None:
        if self._links.get(link.info.device_id) is not link:
            return  # already replaced: the device is still online
        peer = self.peer_of(link)
        del self._links[link.info.device_id]
        if peer is not None:
            peer.send(Presence(peer_online=False))
        logger.info("device %s offline", link.short)

    def relay(self, link: Link, payload: Payload) -> None:
        peer = self.peer_of(link)
        if peer is None:
            link.send(ErrorFrame(ErrorCode.PEER_OFFLINE, "the paired device is not online"))
            return
        peer.send(Relay(payload))

    def set_crl(self, crl: RevocationList) -> None:
        """A newer CRL: close what it revokes, then push it to everyone left."""
        self.crl = crl
        self.sweep()
        for link in list(self._links.values()):
            link.send(CrlPush(crl.number, crl.pem.decode()))

    def sweep(self, now: dt.datetime | None = None) -> None:
        """Close links whose certificate became revoked or expired."""
        now = now or utcnow()
        for link in list(self._links.values()):
            if self.crl is not None and self.crl.is_revoked(link.info.serial):
                self._drop(link, CloseCode.REVOKED, "certificate revoked")
            elif now > link.info.not_after:
                self._drop(link, CloseCode.EXPIRED, "certificate expired")

    def _drop(self, link: Link, code: CloseCode, reason: str) -> None:
        self.unregister(link)  # at once: no relay reaches it while it closes
        link.close(code, reason)

    def close_all(self) -> None:
        for link in list(self._links.values()):
            link.close(CloseCode.GOING_AWAY, "server shutting down")
