"""A TCP port on 127.0.0.1 that drops SYNs until told to accept, as a dead link does.

Linux drops a SYN for a listener whose accept queue is full: a listener with a
backlog of 0 and one connection left unaccepted in its queue looks, to a client,
like a server behind a link that is down (no RST, the kernel retransmits the SYN
after 1 s, then 3 s). :meth:`LatePort.open` starts accepting (the link is back);
each accepted connection is forwarded to ``forward_to`` if given, else kept open
and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct


class LatePort:
    def __init__(self, forward_to: int | None = None) -> None:
        self._forward_to = forward_to
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self._blocker: socket.socket | None = None
        self._accepting: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._socks: list[socket.socket] = []
        self._muted: set[socket.socket] = set()

    async def block(self) -> None:
        """Stop accepting and fill the queue: from now on SYNs are dropped."""
        if self._accepting is not None:
            self._accepting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._accepting
            self._accepting = None
        blocker = socket.socket()
        blocker.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            blocker.connect(("127.0.0.1", self.port))
        self._blocker = blocker
        await asyncio.sleep(0.05)  # its handshake completes: the queue is full

    def mute(self) -> None:
        """The connections forwarded so far carry nothing more, either way (a dead
        path); new ones are forwarded as before."""
        self._muted.update(self._socks)

    def reset(self) -> None:
        """Reset (RST) the connections forwarded so far, as a server does when a
        packet of a connection it no longer knows comes from a new address."""
        for sock in self._socks:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
        self._socks = []

    def open(self) -> None:
        """Accept again (the blocker first, closed at once)."""
        if self._accepting is None:
            self._accepting = asyncio.create_task(self._accept())

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            conn, _ = await loop.sock_accept(self._listener)
            if self._blocker is not None and conn.getpeername() == self._blocker.getsockname():
                conn.close()
                self._blocker.close()
                self._blocker = None
                continue
            self.accepted += 1
            if self._forward_to is None:
                self._socks.append(conn)
                continue
            task = asyncio.create_task(self._forward(conn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _forward(self, conn: socket.socket) -> None:
        assert self._forward_to is not None
        loop = asyncio.get_running_loop()
        upstream = socket.socket()
        upstream.setblocking(False)
        conn.setblocking(False)
        self._socks += [conn, upstream]
        try:
            await loop.sock_connect(upstream, ("127.0.0.1", self._forward_to))
            await asyncio.gather(self._pipe(conn, upstream), self._pipe(upstream, conn))
        except OSError:
            pass
        finally:
            conn.close()
            upstream.close()

    async def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while data := await loop.sock_recv(source, 65536):
            if sink not in self._muted:
                await loop.sock_sendall(sink, data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    async def close(self) -> None:
        tasks = [t for t in (self._accepting, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        for sock in self._socks:
            sock.close()
        if self._blocker is not None:
            self._blocker.close()
        self._listener.close()
