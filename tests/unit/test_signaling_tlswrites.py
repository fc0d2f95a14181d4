"""Large writes leave a TLS record at a time, and nothing is lost while the socket is
full (signaling.tlswrites).

The server's TLS protocol (as the listener makes it, handshake on the loop) and
asyncio's own client protocol talk real TLS 1.3 with the fleet's certificates,
their bytes carried by hand between two stand-in sockets, so the test decides when
the server's socket is full.
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import os
from typing import Any

from signaling.config import FleetFiles
from signaling.handshakes import ThreadedTLS
from signaling.tls import client_context, server_context
from signaling.tlswrites import RECORD
from tests.support.pki import TestFleet

PAYLOAD = os.urandom(160_000)  # about a CRL of 3,000 entries


class Socket(asyncio.Transport):
    """Keeps each write apart, as the socket's sends would be."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def take(self) -> bytes:
        out, self.writes = b"".join(self.writes), []
        return out

    def is_closing(self) -> bool:
        return False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


class Received(asyncio.Protocol):
    def __init__(self) -> None:
        self.data = bytearray()

    def data_received(self, data: bytes) -> None:
        self.data += data


def feed(protocol: Any, data: bytes) -> None:
    """What a socket read hands a buffered protocol."""
    while data:
        buffer = protocol.get_buffer(len(data))
        n = min(len(buffer), len(data))
        buffer[:n] = data[:n]
        protocol.buffer_updated(n)
        data = data[n:]


async def pump(server: Any, s_sock: Socket, client: Any, c_sock: Socket) -> None:
    for _ in range(50):
        await asyncio.sleep(0)
        feed(server, c_sock.take())
        feed(client, s_sock.take())


async def connected(fleet: TestFleet) -> tuple[Any, Socket, Any, Socket, Received]:
    loop = asyncio.get_running_loop()
    student, _ = fleet.pair()
    s_wait: asyncio.Future[None] = loop.create_future()
    c_wait: asyncio.Future[None] = loop.create_future()
    server = ThreadedTLS(loop, asyncio.Protocol(), server_context(FleetFiles(fleet.folder)),
                         s_wait, pool=None, handshake_timeout=5.0)  # fmt: skip
    received = Received()
    client = asyncio.sslproto.SSLProtocol(
        loop, received, client_context(student), c_wait, server_side=False,
        server_hostname="localhost",
    )  # fmt: skip
    s_sock, c_sock = Socket(), Socket()
    server.connection_made(s_sock)
    client.connection_made(c_sock)
    await pump(server, s_sock, client, c_sock)
    assert s_wait.done() and s_wait.exception() is None
    assert c_wait.done() and c_wait.exception() is None
    return server, s_sock, client, c_sock, received


async def test_a_large_write_leaves_a_record_at_a_time(fleet: TestFleet) -> None:
    server, s_sock, client, c_sock, received = await connected(fleet)
    server._app_transport.write(PAYLOAD)
    sends = list(s_sock.writes)
    assert len(sends) >= len(PAYLOAD) // RECORD  # one per record, not one for all
    assert max(len(send) for send in sends) <= RECORD + 256  # a record and its overhead
    await pump(server, s_sock, client, c_sock)
    assert bytes(received.data) == PAYLOAD


async def test_while_the_socket_is_full_the_write_waits_whole_and_arrives_in_order(
    fleet: TestFleet,
) -> None:
    server, s_sock, client, c_sock, received = await connected(fleet)
    server.pause_writing()  # the socket's buffer went over its high-water mark
    server._app_transport.write(PAYLOAD[:100_000])
    server._app_transport.write(PAYLOAD[100_000:])
    assert not s_sock.writes  # nothing goes to a full socket ...
    assert server._outgoing.pending > len(PAYLOAD)  # ... it waits, encrypted, in order
    server.resume_writing()
    await pump(server, s_sock, client, c_sock)
    assert bytes(received.data) == PAYLOAD


async def test_a_socket_that_fills_midway_gets_the_rest_in_order(fleet: TestFleet) -> None:
    server, s_sock, client, c_sock, received = await connected(fleet)
    write = s_sock.write

    def filling(data: Any) -> None:  # full after three records, as a slow reader's
        write(data)
        if len(s_sock.writes) == 3:
            server.pause_writing()

    s_sock.write = filling  # type: ignore[method-assign]
    server._app_transport.write(PAYLOAD)
    assert len(s_sock.writes) == 3  # the rest waits, encrypted, for the socket
    server.resume_writing()
    await pump(server, s_sock, client, c_sock)
    assert bytes(received.data) == PAYLOAD
