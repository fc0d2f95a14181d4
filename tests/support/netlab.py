"""Small traffic tools for lab tests: UDP echo, TCP listeners, bulk transfers, STUN."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
from collections.abc import Awaitable, Callable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class _Echo(asyncio.DatagramProtocol):
    """Answers every datagram with the sender's address as it arrived: "ip:port"."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.transport.sendto(f"{addr[0]}:{addr[1]}".encode(), addr)


async def udp_echo(host: str, port: int) -> asyncio.DatagramTransport:
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        _Echo, local_addr=(host, port)
    )
    return transport


class _Collect(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.replies.put_nowait((data, addr))


async def udp_ask(
    local: tuple[str, int], targets: list[tuple[str, int]], payload: bytes = b"?", wait: float = 1.0
) -> tuple[int, dict[tuple[str, int], bytes]]:
    """Send ``payload`` from ONE socket at ``local`` to every target; (local port, replies)."""
    transport, proto = await asyncio.get_running_loop().create_datagram_endpoint(
        _Collect, local_addr=local
    )
    try:
        for target in targets:
            transport.sendto(payload, target)
        replies: dict[tuple[str, int], bytes] = {}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while len(replies) < len(targets):
                    data, addr = await proto.replies.get()
                    replies[addr] = data
        return transport.get_extra_info("sockname")[1], replies
    finally:
        transport.close()


async def tcp_listen(host: str, port: int, handler: Handler | None = None) -> asyncio.Server:
    async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    return await asyncio.start_server(handler or close_at_once, host, port)


async def close_server(server: asyncio.Server) -> None:
    server.close()
    await server.wait_closed()


async def tcp_connects(host: str, port: int, wait: float = 1.0) -> bool:
    """Whether a TCP connection to host:port is set up within ``wait`` seconds."""
    try:
        async with asyncio.timeout(wait):
            _, writer = await asyncio.open_connection(host, port)
    except (TimeoutError, OSError):
        return False
    writer.close()
    return True


async def pump(writer: asyncio.StreamWriter) -> None:
    """Write zeros as fast as the path takes them, until the peer goes or we are cancelled."""
    chunk = bytes(64 * 1024)
    try:
        while True:
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def count_for(reader: asyncio.StreamReader, seconds: float) -> int:
    """Bytes received in ``seconds`` from the first byte on."""
    total = len(await reader.read(65536))
    deadline = asyncio.get_running_loop().time() + seconds
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout_at(deadline):
            while data := await reader.read(65536):
                total += len(data)
    return total


def stun_binding_request() -> tuple[bytes, bytes]:
    """A STUN Binding Request (RFC 5389) and its transaction id."""
    transaction = os.urandom(12)
    return struct.pack("!HHI", 0x0001, 0, 0x2112A442) + transaction, transaction


def xor_mapped_address(response: bytes, transaction: bytes) -> tuple[str, int] | None:
    """The XOR-MAPPED-ADDRESS of a Binding success response, None if it is not one."""
    kind, length, cookie = struct.unpack("!HHI", response[:8])
    if kind != 0x0101 or cookie != 0x2112A442 or response[8:20] != transaction:
        return None
    at = 20
    while at + 4 <= 20 + length:
        attr, size = struct.unpack("!HH", response[at : at + 4])
        value = response[at + 4 : at + 4 + size]
        if attr == 0x0020 and value[1] == 0x01:  # IPv4
            port = struct.unpack("!H", value[2:4])[0] ^ 0x2112
            raw = struct.unpack("!I", value[4:8])[0] ^ 0x2112A442
            return socket.inet_ntoa(struct.pack("!I", raw)), port
        at += 4 + size + (-size % 4)
    return None
