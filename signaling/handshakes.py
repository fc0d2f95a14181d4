"""The OpenSSL work of a TLS handshake in a worker thread, off the loop's.

Profiled during a move of 1,000 devices (docs/performance.md, issue 14), 40 % of
the server's samples were ``SSLObject.do_handshake`` (OpenSSL, mostly reading and
checking the client certificate), all on the loop's thread, and relays waited
behind it. CPython releases the GIL while OpenSSL works (``_ssl.c``: the
``SSL_do_handshake`` call sits between ``PySSL_BEGIN_ALLOW_THREADS`` and
``..._END_...``), so that work can run on another core while the loop relays.

How: asyncio's own TLS protocol (``asyncio.sslproto.SSLProtocol``) is the
socket's protocol, as ``loop.start_tls`` makes it, with one step changed: once
bytes of the handshake have come, ``do_handshake`` runs in a small thread pool.
A ``MemoryBIO`` is not thread-safe, so while a step runs nothing on the loop
touches either BIO: bytes that arrive meanwhile are held here (reading pauses
beyond ``MAX_HELD``) and written to the incoming BIO when the step is done; then
asyncio's own path goes on (send what OpenSSL wrote, complete or fail the
handshake, its timeout). A step whose connection ended meanwhile (a timeout, a
reset, the server closing) is dropped.

This leans on private parts of asyncio. :func:`supported` compares them with the
ones this was written against (tests/unit/test_signaling_handshakes.py pins them
and fails on a Python whose asyncio changed them); if they differ, the listener
uses asyncio's stock TLS, on the loop's thread, and says so once: slower, never
wrong. A frozen build (the Debian packages' PyInstaller folder) carries the
standard library as bytecode without its source: there the interpreter's exact
version stands in for the digests, since it is the one whose asyncio they pin.
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import contextlib
import functools
import hashlib
import inspect
import logging
import ssl
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from signaling.tlsends import PacedEnds, PacedEof
from signaling.tlswrites import RecordWrites
from signaling.turns import Turns

logger = logging.getLogger(__name__)

MAX_HELD = 64 * 1024  # bytes held during a step before reading pauses (a flight: ~2-8 KiB)

_SSLProtocol: Any = asyncio.sslproto.SSLProtocol  # private: typed loosely on purpose
_DO_HANDSHAKE = asyncio.sslproto.SSLProtocolState.DO_HANDSHAKE
_AGAIN = (ssl.SSLWantReadError, ssl.SSLSyscallError)  # as asyncio.sslproto treats them

# The methods of asyncio.sslproto.SSLProtocol this module (and signaling.tlswrites)
# overrides or whose flow it repeats, with a digest of their source in the Python
# this was written against (3.12.1). Another digest: read the method again, then
# update it here.
PINNED = {
    "__init__": "4dcc4ae39889bfdd",
    "buffer_updated": "ff163159ed549e8d",
    "connection_lost": "9e18af800360c361",
    "_start_handshake": "71f8d8e469d3079b",
    "_do_handshake": "a81c5457db633e29",
    "_on_handshake_complete": "b6ed3d4e8d216071",
    "_process_outgoing": "a8516ebed5b6939c",
    "_fatal_error": "e437deb9d79bd086",
    "_do_write": "07079c68923a3961",  # signaling.tlswrites overrides it
    "eof_received": "4c407ed7eb84fe4c",  # signaling.tlsends overrides it
}
# The Python whose asyncio the digests were taken from: a build without the standard
# library's source (frozen) is trusted only on this very version.
PINNED_PYTHON = (3, 12, 1)
_checked: list[bool] = []


def digest(name: str) -> str:
    """A short digest of one method's source in this Python's asyncio."""
    source = inspect.getsource(getattr(_SSLProtocol, name))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _digest_or_none(name: str) -> str | None:
    try:
        return digest(name)
    except (OSError, TypeError, AttributeError):  # no source, or no such method
        return None


def _as_pinned(name: str, pin: str) -> bool:
    """The method is the pinned one: by its source's digest, or without source (a
    frozen build) by the interpreter's exact version."""
    found = _digest_or_none(name)
    if found is not None:
        return found == pin
    return hasattr(_SSLProtocol, name) and sys.version_info[:3] == PINNED_PYTHON


def supported() -> bool:
    """True if this Python's asyncio TLS protocol is the one this module was written
    for; otherwise False, and one log line (the first time)."""
    if not _checked:
        changed = [name for name, pin in PINNED.items() if not _as_pinned(name, pin)]
        if sys.version_info[:2] != (3, 12):
            changed.append(f"Python {sys.version_info[0]}.{sys.version_info[1]}")
        if changed:
            logger.warning(
                "TLS handshakes run on the event loop's thread: asyncio changed (%s)",
                ", ".join(changed),
            )
        _checked.append(not changed)
    return _checked[0]


class ThreadedTLS(RecordWrites, PacedEof):
    """asyncio's TLS protocol, its handshake steps run in ``pool`` (or, without one,
    on the loop as asyncio's own), its large writes a record at a time
    (signaling.tlswrites), with ``ends`` its stream's end handled in turn with the
    others' (signaling.tlsends) and with ``starts`` each step back from the pool
    (signaling.turns): the server's side, or with ``server_hostname`` a client's (the
    load benchmark's devices)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        app_protocol: asyncio.BaseProtocol,
        context: ssl.SSLContext,
        waiter: asyncio.Future[None],
        *,
        pool: Executor | None,
        handshake_timeout: float,
        server_hostname: str | None = None,
        ends: PacedEnds | None = None,
        starts: Turns | None = None,
    ) -> None:
        super().__init__(
            loop, app_protocol, context, waiter, server_hostname is None, server_hostname,
            ssl_handshake_timeout=handshake_timeout,
        )  # fmt: skip
        self._pool = pool
        self._ends = ends
        self._starts = starts
        self._held: list[bytes] | None = None  # a list while a step runs in the pool
        self._held_size = 0
        self._held_paused = False

    def buffer_updated(self, nbytes: int) -> None:
        if self._held is None:
            super().buffer_updated(nbytes)
            return
        self._held.append(bytes(self._ssl_buffer_view[:nbytes]))
        self._held_size += nbytes
        if self._held_size > MAX_HELD and not self._held_paused and self._transport:
            self._held_paused = True  # the rest waits in the kernel until the step ends
            self._transport.pause_reading()

    def _do_handshake(self) -> None:
        if self._held is not None:
            return  # the step running looks again when it is done
        if self._pool is None or not self._incoming.pending:
            # on the loop, as asyncio does; or nothing to work on yet (OpenSSL only
            # asks for more)
            super()._do_handshake()
            return
        self._held, self._held_size = [], 0
        loop = self._loop
        try:
            step = self._pool.submit(self._sslobj.do_handshake)
        except RuntimeError:  # the pool was shut down: the server is stopping
            self._held = None
            self._fatal_error(ConnectionAbortedError("the server is stopping"))
            return
        starts = self._starts
        step.add_done_callback(lambda done: _back(loop, self._stepped, done, starts))

    def _stepped(self, step: Future[None]) -> None:
        """On the loop, after a step: what came meanwhile goes to OpenSSL, then on."""
        held, self._held = self._held or [], None
        if self._held_paused:
            self._held_paused = False
            if self._transport is not None:
                self._transport.resume_reading()
        if self._state is not _DO_HANDSHAKE or self._transport is None:
            return  # it ended meanwhile (timeout, reset, abort): asyncio told the waiter
        for data in held:
            self._incoming.write(data)
        if step.cancelled():
            self._fatal_error(ConnectionAbortedError("the server is stopping"))
            return
        exc = step.exception()
        if exc is None:
            self._on_handshake_complete(None)
        elif isinstance(exc, _AGAIN):
            self._process_outgoing()
            if self._incoming.pending:
                self._do_handshake()
        else:
            self._on_handshake_complete(exc)

    def _process_outgoing(self) -> None:
        if self._held is None:  # while a step runs, its thread may write to the BIO
            super()._process_outgoing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._held is not None:
            # asyncio empties the outgoing BIO here, which the step's thread may be
            # writing: it gets a fresh one to empty instead (this connection is over)
            self._outgoing = ssl.MemoryBIO()
        super().connection_lost(exc)


def _back(
    loop: asyncio.AbstractEventLoop,
    then: Callable[[Any], None],
    step: Future[None],
    starts: Turns | None,
) -> None:
    """From the step's thread: ``then(step)`` on the loop, in its turn with the other
    connections' steps if ``starts`` (signaling.turns), else in the next pass."""
    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
        if starts is None:
            loop.call_soon_threadsafe(then, step)
        else:
            loop.call_soon_threadsafe(starts.call, functools.partial(then, step))


async def accept_tls(
    factory: Callable[[], asyncio.BaseProtocol],
    conn: Any,
    context: ssl.SSLContext,
    handshake_timeout: float,
    pool: Executor | None,
    *,
    ends: PacedEnds | None = None,
    starts: Turns | None = None,
) -> None:
    """Serve TLS on an accepted socket; return once the handshake succeeded, raise
    (an ``OSError``, as asyncio's own) when it failed or timed out. Without a pool
    the handshake runs on the loop; with ``ends`` the connection's end waits its turn
    (signaling.tlsends), with ``starts`` each step back from the pool
    (signaling.turns). On an asyncio this module does not know, asyncio's own TLS
    protocol serves it (whole writes, handshake on the loop, ends at once)."""
    loop = asyncio.get_running_loop()
    if not supported():
        await loop.connect_accepted_socket(
            factory, conn, ssl=context, ssl_handshake_timeout=handshake_timeout
        )
        return
    waiter: asyncio.Future[None] = loop.create_future()

    def protocol() -> asyncio.BaseProtocol:
        return ThreadedTLS(
            loop, factory(), context, waiter, pool=pool, handshake_timeout=handshake_timeout,
            ends=ends, starts=starts,
        )  # fmt: skip

    transport, _ = await loop.connect_accepted_socket(protocol, conn)
    try:
        await waiter
    except BaseException:
        transport.abort()  # as asyncio closes its own TLS transport when its waiter fails
        raise
