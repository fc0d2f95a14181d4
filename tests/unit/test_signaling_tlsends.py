"""Streams that end together are ended a few per pass, and a connection that stays is
served between those passes (signaling.tlsends).

Real TLS 1.3 over real loopback sockets: the server's side as the listener makes it
(``accept_tls`` with a :class:`PacedEnds`), the devices' side asyncio's own client.
The devices cut their connections as a failing network does, all before the
server's loop looks, so its epoll reports every one in the same pass: the end of
the stream (``shutdown``, no TLS close_notify), or a reset (``SO_LINGER`` 0 and
close). A ``call_soon`` chain counts the loop's passes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from signaling.config import FleetFiles, ServerConfig
from signaling.errors import ServerConfigError
from signaling.handshakes import accept_tls
from signaling.tls import client_context, server_context
from signaling.tlsends import PacedEnds
from tests.support.passes import Passes, most_in_one_pass, until
from tests.support.pki import TestFleet

PER_PASS = 3
DEVICES = 24


class Served(asyncio.Protocol):
    """The server's application side: notes in which pass its stream ended, and
    answers what it is sent (the relay of a device that stays)."""

    def __init__(self, passes: Passes, ended: list[int], on_data: Callable[[], None]) -> None:
        self._passes, self._ended, self._on_data = passes, ended, on_data
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._on_data()
        assert self.transport is not None
        self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended.append(self._passes.count)


class Server:
    def __init__(self, fleet: TestFleet, ends: PacedEnds | None, passes: Passes) -> None:
        self.ends = ends
        self.ended: list[int] = []
        self.queued_when_served: list[int] = []  # ends still waiting when data came
        self.protocols: list[Served] = []
        self._passes = passes
        self._context = server_context(FleetFiles(fleet.folder))
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.setblocking(False)
        self.port = self._sock.getsockname()[1]
        self._handshakes: set[asyncio.Task[None]] = set()
        self._task = asyncio.create_task(self._accept())

    def _made(self) -> Served:
        def on_data() -> None:
            self.queued_when_served.append(len(self.ends) if self.ends is not None else 0)

        served = Served(self._passes, self.ended, on_data)
        self.protocols.append(served)
        return served

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            conn, _ = await loop.sock_accept(self._sock)
            task = loop.create_task(
                accept_tls(self._made, conn, self._context, 5.0, None, ends=self.ends)
            )
            self._handshakes.add(task)
            task.add_done_callback(self._handshakes.discard)

    async def close(self) -> None:
        self._task.cancel()
        self._sock.close()


async def devices(
    fleet: TestFleet, port: int, count: int
) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    student, _ = fleet.pair()
    context = client_context(student)
    return [
        await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")
        for _ in range(count)
    ]


def cut(writer: asyncio.StreamWriter, how: str = "end") -> None:
    sock = writer.get_extra_info("socket")
    if how == "end":
        sock.shutdown(socket.SHUT_RDWR)
    else:  # closed with a linger of 0: the kernel sends a reset
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()


CUTS = ["end", "reset"]


@pytest.fixture
async def passes() -> AsyncIterator[Passes]:
    counter = Passes()
    yield counter
    counter.stop()


async def connected(fleet: TestFleet, server: Server, count: int) -> list[Any]:
    streams = await devices(fleet, server.port, count)
    await until(lambda: len(server.protocols) == count)
    return streams


@pytest.mark.parametrize("how", CUTS)
async def test_ends_read_together_are_handled_a_few_per_pass(
    fleet: TestFleet, passes: Passes, how: str
) -> None:
    server = Server(fleet, PacedEnds(asyncio.get_running_loop(), PER_PASS), passes)
    streams = await connected(fleet, server, DEVICES)
    for _, writer in streams:
        cut(writer, how)
    await until(lambda: len(server.ended) == DEVICES)
    assert server.ends is not None
    assert server.ends.longest > PER_PASS  # they were read together ...
    assert most_in_one_pass(server.ended) <= PER_PASS  # ... and ended a few per pass
    assert len(server.ends) == 0
    await server.close()


@pytest.mark.parametrize("how", CUTS)
async def test_without_pacing_they_end_in_one_pass(
    fleet: TestFleet, passes: Passes, how: str
) -> None:
    """The control: the same cut, asyncio's own handling, all in the same pass."""
    server = Server(fleet, None, passes)
    streams = await connected(fleet, server, DEVICES)
    for _, writer in streams:
        cut(writer, how)
    await until(lambda: len(server.ended) == DEVICES)
    assert most_in_one_pass(server.ended) > PER_PASS
    await server.close()


async def test_a_connection_that_stays_is_served_while_the_ends_wait(
    fleet: TestFleet, passes: Passes
) -> None:
    server = Server(fleet, PacedEnds(asyncio.get_running_loop(), PER_PASS), passes)
    streams = await connected(fleet, server, DEVICES + 1)
    (reader, writer), leaving = streams[0], streams[1:]
    for _, other in leaving:
        cut(other)
    writer.write(b"relay")
    await writer.drain()
    assert await asyncio.wait_for(reader.readexactly(5), 5.0) == b"relay"
    assert server.queued_when_served and server.queued_when_served[0] > 0
    await until(lambda: len(server.ended) == DEVICES)
    assert not writer.is_closing()  # it stayed
    writer.close()
    await server.close()


@pytest.mark.parametrize("how", ["abort", "close"])
async def test_a_connection_closed_while_its_end_waits_ends_once(
    fleet: TestFleet, passes: Passes, how: str
) -> None:
    """The server ends it another way meanwhile: at once (a revocation), or with TLS's
    close, which waits for the device's answer until its end is handled (a drain)."""
    loop = asyncio.get_running_loop()
    ends = PacedEnds(loop, PER_PASS)
    ends._scheduled = True  # hold the queue: nothing runs until released below
    server = Server(fleet, ends, passes)
    streams = await connected(fleet, server, 2)
    for _, writer in streams:
        cut(writer)
    await until(lambda: len(ends) == 2)
    closing = server.protocols[0].transport
    assert closing is not None
    getattr(closing, how)()
    if how == "abort":
        await until(lambda: len(server.ended) == 1)
    ends._scheduled = False
    ends._run()  # released: each ends as asyncio would have, had its end come now
    await until(lambda: len(server.ended) == 2, within=2.0)  # not TLS's 30 s timeout
    await asyncio.sleep(0.05)
    assert len(server.ended) == 2  # once each
    await server.close()


async def test_an_application_failing_on_its_end_does_not_strand_the_others(
    fleet: TestFleet, passes: Passes
) -> None:
    server = Server(fleet, PacedEnds(asyncio.get_running_loop(), PER_PASS), passes)
    streams = await connected(fleet, server, 6)
    broken = server.protocols[2]

    def fails() -> None:
        raise RuntimeError("the application failed on the end")

    broken.eof_received = fails  # type: ignore[method-assign]
    for _, writer in streams:
        cut(writer)
    await until(lambda: len(server.ended) == 6)  # the failing one too: closed as fatal
    await server.close()


async def test_what_a_reset_connection_writes_while_it_waits_is_dropped_quietly(
    fleet: TestFleet, passes: Passes, caplog: pytest.LogCaptureFixture
) -> None:
    """Its socket is closed already: the relays and pings the hub sends it meanwhile
    go nowhere, without asyncio's "socket.send() raised exception" warnings."""
    loop = asyncio.get_running_loop()
    ends = PacedEnds(loop, PER_PASS)
    ends._scheduled = True  # hold the queue: nothing runs until released below
    server = Server(fleet, ends, passes)
    streams = await connected(fleet, server, 1)
    cut(streams[0][1], "reset")
    await until(lambda: len(ends) == 1)
    served = server.protocols[0].transport
    assert served is not None and not served.is_closing()  # the application does not know yet
    caplog.set_level(logging.WARNING)
    for _ in range(20):
        served.write(b"a relay to a device that is gone")
    ends._scheduled = False
    ends._run()
    await until(lambda: len(server.ended) == 1)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    await server.close()


def test_the_server_ends_at_least_one_connection_a_pass() -> None:
    with pytest.raises(ServerConfigError):
        ServerConfig(ends_per_pass=0)
