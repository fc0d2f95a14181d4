"""The OpenSSL work of a handshake runs off the loop's thread (signaling.handshakes).

The server's TLS context is the real one, but its ``SSLObject`` class records on
which thread each ``do_handshake`` ran and, when asked, makes the step that
checks the client's certificate slow (a sleep releases the GIL just as OpenSSL
does): the loop must keep serving meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import aiohttp
import pytest

from bench import loadtls
from signaling import handshakes
from signaling import server as server_module
from signaling.config import FleetFiles, ServerConfig
from signaling.server import RunningServer, start_server
from signaling.tls import client_context, server_context
from signaling.tuning import SSL_READ_BUFFER
from tests.support.pki import TestFleet
from tests.support.signaling import no_addresses_in_logs
from tests.support.wsdevice import device, frame, wait_until

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)


class Recorded:
    calls: ClassVar[list[tuple[int, str]]] = []  # (thread, "done" | "again" | the error)
    slow_end = 0.0  # seconds the step that completes a handshake takes on top
    slow_each = 0.0  # ... and every step


class RecordingSSLObject(ssl.SSLObject):
    def do_handshake(self) -> None:
        time.sleep(Recorded.slow_each)
        try:
            super().do_handshake()
        except ssl.SSLWantReadError:
            Recorded.calls.append((threading.get_ident(), "again"))
            raise
        except ssl.SSLError as exc:
            Recorded.calls.append((threading.get_ident(), type(exc).__name__))
            raise
        Recorded.calls.append((threading.get_ident(), "done"))
        time.sleep(Recorded.slow_end)  # the certificate check, made slow


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Recorded]]:
    def context(files: FleetFiles) -> ssl.SSLContext:
        ctx = server_context(files)
        ctx.sslobject_class = RecordingSSLObject
        return ctx

    monkeypatch.setattr(server_module, "server_context", context)
    Recorded.calls, Recorded.slow_end, Recorded.slow_each = [], 0.0, 0.0
    yield Recorded


@contextlib.asynccontextmanager
async def running(fleet: TestFleet, config: ServerConfig) -> AsyncIterator[RunningServer]:
    server = await start_server(fleet.folder, "127.0.0.1", 0, config)
    try:
        yield server
    finally:
        await server.stop()


async def test_the_openssl_work_runs_on_a_thread_other_than_the_loops(
    fleet: TestFleet, recording: type[Recorded]
) -> None:
    loop_thread = threading.get_ident()
    async with running(fleet, ServerConfig()) as server:
        student, classroom = fleet.pair()
        async with device(server, student) as ws:
            await frame(ws, "hello")
        async with device(server, classroom) as ws:
            await frame(ws, "hello")
    done = [thread for thread, outcome in recording.calls if outcome == "done"]
    assert len(done) == 2
    assert loop_thread not in done, "the certificate check ran on the loop's thread"
    # what the loop's thread did itself was only OpenSSL asking for bytes
    assert {o for t, o in recording.calls if t == loop_thread} <= {"again"}
    assert any(t != loop_thread and o == "again" for t, o in recording.calls)  # ClientHello


async def test_the_loop_keeps_serving_while_a_handshake_works(
    fleet: TestFleet, recording: type[Recorded]
) -> None:
    """A connected pair relays while another device's certificate check takes 0.5 s."""
    async with running(fleet, ServerConfig()) as server:
        student, classroom = fleet.pair()
        async with device(server, student) as a, device(server, classroom) as b:
            await frame(a, "hello")
            await frame(b, "hello")
            await frame(a, "presence")
            recording.slow_end = 0.5
            third, _ = fleet.pair()
            connecting = asyncio.create_task(_hello(server, third))
            round_trips = []
            while not connecting.done():  # relays for as long as it connects
                sent = time.monotonic()
                await a.send_json({"v": 1, "type": "relay", "payload": str(len(round_trips))})
                assert (await frame(b, "relay"))["payload"] == str(len(round_trips))
                round_trips.append(time.monotonic() - sent)
                await asyncio.sleep(0.03)  # within the relay rate limit (20/s, burst 50)
            await connecting
    # on the loop's thread the pass that checks the certificate held every relay 0.5 s
    assert max(round_trips) < 0.25, round_trips
    assert len(round_trips) >= 8
    assert [o for _, o in recording.calls].count("done") == 3


async def _hello(server: RunningServer, creds: Any) -> None:
    async with device(server, creds) as ws:
        await frame(ws, "hello", timeout=10)


async def test_with_no_threads_the_handshake_runs_on_the_loop(
    fleet: TestFleet, recording: type[Recorded]
) -> None:
    """``handshake_threads=0``: asyncio's own TLS, as before (the operator's switch)."""
    loop_thread = threading.get_ident()
    async with running(fleet, ServerConfig(handshake_threads=0)) as server:
        student, _ = fleet.pair()
        async with device(server, student) as ws:
            await frame(ws, "hello")
    assert [t for t, o in recording.calls if o == "done"] == [loop_thread]


async def test_an_asyncio_that_changed_gets_the_stock_handshake(
    fleet: TestFleet, recording: type[Recorded], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail closed: internals other than the pinned ones, asyncio's own TLS."""
    monkeypatch.setitem(handshakes.PINNED, "_do_handshake", "0" * 16)
    monkeypatch.setattr(handshakes, "_checked", [])
    loop_thread = threading.get_ident()
    async with running(fleet, ServerConfig()) as server:
        student, _ = fleet.pair()
        async with device(server, student) as ws:
            await frame(ws, "hello")
    assert [t for t, o in recording.calls if o == "done"] == [loop_thread]


async def test_bytes_that_come_during_a_step_are_kept_in_order(
    fleet: TestFleet, recording: type[Recorded], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client's flights come in small pieces while each step takes 0.1 s, and its
    HTTP request right behind its Finished: all of it reaches OpenSSL, in order."""
    held = _count_held(monkeypatch)
    recording.slow_each = 0.1
    student, _ = fleet.pair()
    async with running(fleet, ServerConfig()) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = client_context(student).wrap_bio(incoming, outgoing, server_hostname="localhost")
        try:
            async with asyncio.timeout(10):
                while True:
                    with contextlib.suppress(ssl.SSLWantReadError):
                        tls.do_handshake()
                        break
                    await _in_pieces(writer, outgoing.read())
                    incoming.write(await reader.read(65536))
                tls.write(UPGRADE)  # right behind the client's Finished
                await _in_pieces(writer, outgoing.read())
                answer = b""
                while b"\r\n\r\n" not in answer:
                    data = await reader.read(65536)
                    assert data, "the server closed the connection"
                    incoming.write(data)
                    with contextlib.suppress(ssl.SSLWantReadError):
                        answer += tls.read(65536)
        finally:
            writer.close()
    assert answer.startswith(b"HTTP/1.1 101"), answer[:60]
    assert held, "no byte came while a step ran: the test did not test it"


UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


async def _in_pieces(writer: asyncio.StreamWriter, data: bytes, size: int = 150) -> None:
    for start in range(0, len(data), size):
        writer.write(data[start : start + size])
        await writer.drain()
        await asyncio.sleep(0.03)


def _count_held(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy: after each read that came while a step ran, how much that step holds."""
    held: list[int] = []
    original = handshakes.ThreadedTLS.buffer_updated

    def buffer_updated(self: Any, nbytes: int) -> None:
        during = self._held is not None
        original(self, nbytes)
        if during:
            held.append(self._held_size)

    monkeypatch.setattr(handshakes.ThreadedTLS, "buffer_updated", buffer_updated)
    return held


async def _client_hello(port: int, creds: Any) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP connection that has sent a real ClientHello, and nothing more."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    outgoing = ssl.MemoryBIO()
    tls = client_context(creds).wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    writer.write(outgoing.read())
    await writer.drain()
    return reader, writer


async def _refused(caplog: pytest.LogCaptureFixture, server: RunningServer, reason: str) -> None:
    await wait_until(lambda: f"refused a connection: {reason}" in caplog.text)
    listener = server.listener
    assert listener is not None
    await wait_until(lambda: listener.pending == listener.working == 0)


@pytest.mark.parametrize("slow", [0.0, 1.0], ids=["between-steps", "during-a-step"])
async def test_a_client_that_stalls_mid_handshake_times_out(
    fleet: TestFleet, recording: type[Recorded], caplog: pytest.LogCaptureFixture, slow: float
) -> None:
    """It sends its ClientHello and no more: the handshake timeout ends it, with the
    same reason as before, also when the timeout comes while a step is running."""
    recording.slow_each = slow
    student, classroom = fleet.pair()
    async with running(fleet, ServerConfig(handshake_timeout=0.5)) as server:
        _, writer = await _client_hello(server.port, student)
        try:
            await _refused(caplog, server, "handshake timeout")
            await asyncio.sleep(slow)  # the step's end comes after: it is dropped
            recording.slow_each = 0.0
            async with device(server, classroom) as ws:  # nothing else changed
                await frame(ws, "hello")
        finally:
            writer.close()
    assert "Exception in callback" not in caplog.text
    assert "Traceback" not in caplog.text


async def test_garbage_bytes_are_refused_as_not_tls(
    fleet: TestFleet, recording: type[Recorded], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(fleet, ServerConfig()) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed, no HTTP answer
        writer.close()
        await _refused(caplog, server, "not TLS")
    assert [o for _, o in recording.calls if o not in ("again", "done")] == ["SSLError"]


async def test_a_device_that_hangs_up_during_a_step_changes_nothing(
    fleet: TestFleet, recording: type[Recorded], caplog: pytest.LogCaptureFixture
) -> None:
    recording.slow_each = 0.5
    student, classroom = fleet.pair()
    async with running(fleet, ServerConfig()) as server:
        _, writer = await _client_hello(server.port, student)
        await wait_until(lambda: len(recording.calls) >= 1 and server.listener is not None
                         and server.listener.working == 1)  # fmt: skip
        writer.transport.abort()  # a reset while the step runs
        await _refused(caplog, server, "closed during handshake")
        await asyncio.sleep(0.5)
        recording.slow_each = 0.0
        async with device(server, classroom) as ws:
            await frame(ws, "hello")
    assert "Exception in callback" not in caplog.text


async def test_the_benchmarks_devices_can_do_their_side_in_a_thread_too(
    fleet: TestFleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bench.loadtls: a device's handshake off the loop, as on a machine of its own."""
    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "create_connection", loop.create_connection)  # undone after
    assert loadtls.thread_device_handshakes(loop, 1)
    Recorded.calls = []
    student, _ = fleet.pair()
    ctx = client_context(student)
    ctx.sslobject_class = RecordingSSLObject
    async with (
        running(fleet, ServerConfig(handshake_threads=0)) as server,
        aiohttp.ClientSession() as session,
        session.ws_connect(f"wss://localhost:{server.port}/ws", ssl=ctx) as ws,
    ):
        await frame(ws, "hello")
    done = [t for t, o in Recorded.calls if o == "done"]
    assert done and threading.get_ident() not in done


async def test_a_client_that_floods_during_a_step_is_held_to_a_bound(
    fleet: TestFleet,
    recording: type[Recorded],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bytes beyond MAX_HELD wait in the kernel (reading pauses) until the step ends."""
    held = _count_held(monkeypatch)
    recording.slow_each = 0.5
    student, classroom = fleet.pair()
    async with running(fleet, ServerConfig()) as server:
        _, writer = await _client_hello(server.port, student)
        try:
            await wait_until(lambda: bool(recording.calls) or len(held) > 0)
            writer.write(b"\x17" * 1_000_000)  # far more than a flight
            with contextlib.suppress(OSError):
                await writer.drain()
            await _refused(caplog, server, "")
        finally:
            writer.close()
        recording.slow_each = 0.0
        async with device(server, classroom) as ws:
            await frame(ws, "hello")
    assert max(held) > handshakes.MAX_HELD  # it came to the bound ...
    assert max(held) <= handshakes.MAX_HELD + SSL_READ_BUFFER, held  # ... and stopped there
    assert "Exception in callback" not in caplog.text
