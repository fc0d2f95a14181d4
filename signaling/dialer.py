"""TCP connects that leave several times a second while a call waits on the link.

A connect whose SYN is lost to a dead link is sent again by the kernel after 1 s,
then 3 s, 7 s: a link that comes back just after a SYN waits for the next one, and
that wait, not the link, bounded a call's recovery (docs/performance.md, "Recovery
after an outage"). While a call waits, the signaling client therefore starts a new
TCP connect every ``stagger`` seconds and keeps the earlier ones pending; the first
that completes goes on to TLS and the WebSocket, the others are closed before any
TLS byte. Only the TCP phase is staggered: two WebSockets of one device at once make
the server replace one, and a replaced client stops for good.

:class:`StaggeredConnector` is aiohttp's connector with that connect phase when
:attr:`StaggeredConnector.stagger` is set; without it, aiohttp's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable
from typing import Any

import aiohttp

# (family, type, proto, canonname, address), as socket.getaddrinfo gives them.
AddrInfo = tuple[int, int, int, str, tuple[Any, ...]]

STAGGER = 0.3  # a SYN at least this often while a call waits (kernel: after 1, 3, 7 s)
# Connects kept pending at once: the oldest is closed when a new one would exceed it
# (its own retransmits, 3 and 7 s after it began, add nothing the newer ones lack).
KEEP = 8


async def staggered_connect(
    addr_infos: list[AddrInfo], stagger: float, *, keep: int = KEEP
) -> socket.socket:
    """A connected socket to one of ``addr_infos``: a new connect every ``stagger``
    seconds (the addresses in turn), up to ``keep`` earlier ones kept pending, the
    first to complete wins and the rest are closed. A refused connect (the host is
    there, the port is not) takes its address out of the turn: staggering cannot
    help it; once every address has refused, that error is raised. Otherwise it
    tries until the caller's bound ends it."""
    if not addr_infos:
        raise OSError("no address to connect to")
    if stagger <= 0 or keep < 1:
        raise ValueError("stagger must be > 0 and keep ≥ 1")
    dial = _Dial(addr_infos)
    try:
        return await dial.run(stagger, keep)
    except BaseException:
        dial.drop_winner()  # won just as we were cancelled: nobody takes it
        raise
    finally:
        await dial.close()


class _Dial:
    """The attempts of one :func:`staggered_connect`."""

    def __init__(self, addr_infos: list[AddrInfo]) -> None:
        self._infos = addr_infos
        self._loop = asyncio.get_running_loop()
        self.won: asyncio.Future[socket.socket] = self._loop.create_future()
        self._refused: set[int] = set()
        self._errors: list[OSError] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def run(self, stagger: float, keep: int) -> socket.socket:
        loop, started, next_start = self._loop, 0, self._loop.time()
        while not self.won.done():
            turn = [i for i in range(len(self._infos)) if i not in self._refused]
            pending: list[asyncio.Future[Any]] = [t for t in self._tasks if not t.done()]
            if turn and loop.time() >= next_start:
                if len(pending) >= keep:
                    pending[0].cancel()  # the oldest; awaited with the rest in close()
                self._tasks.append(asyncio.create_task(self._attempt(turn[started % len(turn)])))
                started, next_start = started + 1, loop.time() + stagger
            elif turn or pending:
                # A failed attempt (no route yet) wakes us but does not bring the next
                # one forward: one SYN per ``stagger`` at most, however fast they fail.
                await asyncio.wait(
                    [self.won, *pending],
                    timeout=next_start - loop.time() if turn else None,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            else:
                raise self._errors[-1] if self._errors else OSError("no attempt left")
        return self.won.result()

    async def _attempt(self, index: int) -> None:
        family, type_, proto, _, address = self._infos[index]
        sock = socket.socket(family, type_, proto)
        try:
            sock.setblocking(False)
            await self._loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            self._errors.append(exc)
            if isinstance(exc, ConnectionRefusedError):
                self._refused.add(index)
            return
        except BaseException:
            sock.close()
            raise
        if self.won.done():
            sock.close()  # another won meanwhile: closed before any TLS byte
        else:
            self.won.set_result(sock)

    def drop_winner(self) -> None:
        if self.won.done() and not self.won.cancelled():
            self.won.result().close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


class StaggeredConnector(aiohttp.TCPConnector):
    """aiohttp's TCP connector; while :attr:`stagger` is set (a call waits on the
    signaling connection), the TCP connect is :func:`staggered_connect`, and
    :attr:`on_dialled` is called once it has won (the caller's bound on what is left,
    TLS and the WebSocket upgrade, starts there)."""

    stagger: float | None = None
    on_dialled: Callable[[], None] | None = None

    async def _wrap_create_connection(
        self,
        *args: Any,
        addr_infos: list[AddrInfo],
        req: aiohttp.ClientRequest,
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 (aiohttp's keyword)
        client_error: type[Exception] = aiohttp.ClientConnectorError,
        **kwargs: Any,
    ) -> tuple[asyncio.Transport, Any]:
        stagger = self.stagger
        if stagger is None:
            return await super()._wrap_create_connection(
                *args,
                addr_infos=addr_infos,
                req=req,
                timeout=timeout,
                client_error=client_error,
                **kwargs,
            )
        try:
            sock = await staggered_connect(addr_infos, stagger)
        except OSError as exc:
            raise client_error(req.connection_key, exc) from exc
        if self.on_dialled is not None:
            self.on_dialled()
        try:
            # TLS (and the protocol aiohttp asked for) on the socket that won.
            return await asyncio.get_running_loop().create_connection(*args, **kwargs, sock=sock)
        except BaseException as exc:
            sock.close()
            if isinstance(exc, ssl.CertificateError):
                raise aiohttp.ClientConnectorCertificateError(req.connection_key, exc) from exc
            if isinstance(exc, ssl.SSLError):
                raise aiohttp.ClientConnectorSSLError(req.connection_key, exc) from exc
            if isinstance(exc, OSError):
                raise client_error(req.connection_key, exc) from exc
            raise
