"""The signaling server over real TLS on 127.0.0.1: refusals, routing, revocation, limits."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pairing.ca import create_ca, plain_key_pem
from pairing.certificates import certificate_pem, utcnow
from signaling.config import ServerConfig
from signaling.link import Link
from signaling.protocol import CRL_NUMBER_HEADER
from signaling.server import RunningServer, start_server
from tests.support.pki import TestFleet, certificate_without_fields, self_signed_device
from tests.support.signaling import no_addresses_in_logs, serve
from tests.support.wsdevice import closed_with, device, frame, wait_until

FAST = ServerConfig(heartbeat=5.0, close_timeout=1.0, crl_poll=0.2)
UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)


@pytest.fixture
async def server(fleet: TestFleet) -> AsyncIterator[RunningServer]:
    async for running in serve(fleet, FAST):
        yield running


def url(server: RunningServer) -> str:
    return f"wss://localhost:{server.port}/ws"


# --- refusals: no HTTP byte may come back ---------------------------------------


def identity_file(tmp_path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Path:
    path = tmp_path / "identity.pem"
    path.write_bytes(certificate_pem(cert) + plain_key_pem(key))
    return path


async def raw_upgrade(
    server: RunningServer, fleet: TestFleet, identity: Path | None
) -> bytes | BaseException:
    """Open TLS ourselves, send a WebSocket upgrade, return what came back (or the error)."""
    ctx = ssl.create_default_context(cadata=certificate_pem(fleet.ca.certificate).decode())
    if identity is not None:
        ctx.load_cert_chain(identity)
    try:
        async with asyncio.timeout(5):
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", server.port, ssl=ctx, server_hostname="localhost"
            )
            try:
                writer.write(UPGRADE)
                await writer.drain()
                return await reader.read(4096)
            finally:
                writer.close()
                with contextlib.suppress(OSError, ssl.SSLError):
                    await writer.wait_closed()
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
        return exc


def assert_refused(outcome: bytes | BaseException) -> None:
    if isinstance(outcome, bytes):
        assert outcome == b"", f"HTTP bytes came back: {outcome[:40]!r}"
    else:
        assert not isinstance(outcome, TimeoutError), "the server neither answered nor closed"


async def logged(caplog: pytest.LogCaptureFixture, line: str) -> None:
    """The server logged ``line`` (it may do so just after the client saw the close)."""
    await wait_until(lambda: line in caplog.text)


async def test_a_paired_device_gets_an_upgrade_and_hello(
    server: RunningServer, fleet: TestFleet, tmp_path: Path
) -> None:
    student, _ = fleet.pair()
    outcome = await raw_upgrade(
        server, fleet, identity_file(tmp_path, student.certificate, student.key)
    )
    assert isinstance(outcome, bytes) and outcome.startswith(b"HTTP/1.1 101")
    async with device(server, student) as ws:
        hello = await frame(ws, "hello")
    assert hello == {
        "v": 1,
        "type": "hello",
        "device": student.device_id.short,
        "role": "student",
        "peer_online": False,
    }


async def test_refuses_no_certificate(
    server: RunningServer, fleet: TestFleet, caplog: pytest.LogCaptureFixture
) -> None:
    assert_refused(await raw_upgrade(server, fleet, None))
    await logged(caplog, "refused a connection: no certificate")


async def test_refuses_self_signed(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = self_signed_device(fleet.pair()[0])
    assert_refused(
        await raw_upgrade(server, fleet, identity_file(tmp_path, fake.certificate, fake.key))
    )
    await logged(caplog, "refused a connection: unknown issuer")


async def test_refuses_another_ca(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other, _ = fleet.pair(ca=create_ca("Another CA"))
    assert_refused(
        await raw_upgrade(server, fleet, identity_file(tmp_path, other.certificate, other.key))
    )
    await logged(caplog, "refused a connection: unknown issuer")


async def test_refuses_a_ca_with_the_fleet_cas_very_name(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server's own check compares only the issuer's name (issue 14: the signature
    is the handshake's): a CA of the same name with another key must fail in TLS."""
    twin = create_ca()
    assert twin.certificate.subject == fleet.ca.certificate.subject
    other, _ = fleet.pair(ca=twin)
    assert_refused(
        await raw_upgrade(server, fleet, identity_file(tmp_path, other.certificate, other.key))
    )
    await logged(caplog, "refused a connection")
    assert not server.gate or not server.gate.seen  # it never reached our check


async def test_refuses_expired(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old, _ = fleet.pair(now=utcnow() - dt.timedelta(days=60), days=30)
    assert_refused(
        await raw_upgrade(server, fleet, identity_file(tmp_path, old.certificate, old.key))
    )
    await logged(caplog, "refused a connection: expired")


async def test_refuses_not_yet_valid(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    early, _ = fleet.pair(now=utcnow() + dt.timedelta(days=1))
    assert_refused(
        await raw_upgrade(server, fleet, identity_file(tmp_path, early.certificate, early.key))
    )
    await logged(caplog, "refused a connection: not yet valid")


async def test_refuses_revoked(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    student, _ = fleet.pair()
    fleet.revoke(student.info.serial)
    await wait_until(lambda: server.hub.crl is not None and server.hub.crl.number == 2)
    assert_refused(
        await raw_upgrade(server, fleet, identity_file(tmp_path, student.certificate, student.key))
    )
    await logged(caplog, "refused a connection: revoked")
    # Revoking purged the log of this device; knocking again must not write it back.
    assert student.device_id.short not in caplog.text


async def test_refuses_certificate_without_pairing_fields(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cert, holder = certificate_without_fields(fleet.ca)
    assert_refused(await raw_upgrade(server, fleet, identity_file(tmp_path, cert, holder.key)))
    assert "refused device" in caplog.text  # refused by our own check, after TLS


async def test_refuses_server_certificate_as_client(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = identity_file(tmp_path, fleet.server.certificate, fleet.server.key)
    assert_refused(await raw_upgrade(server, fleet, path))
    await logged(caplog, "refused a connection: not a client certificate")


async def test_a_flood_of_refusals_costs_one_line_per_interval(
    fleet: TestFleet, caplog: pytest.LogCaptureFixture
) -> None:
    running = await start_server(fleet.folder, "127.0.0.1", 0, ServerConfig())  # 60 s
    try:
        for _ in range(12):
            assert_refused(await raw_upgrade(running, fleet, None))
        await wait_until(lambda: running.listener is not None and running.listener.pending == 0)
    finally:
        await running.stop()  # writes what the interval has counted so far
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused ")]
    assert refusals == [
        "refused a connection: no certificate",
        "refused 11 more connections in the last 60 s: 11 no certificate",
    ]


# --- routing and presence ----------------------------------------------------------


def relay(payload: Any) -> str:
    return json.dumps({"v": 1, "type": "relay", "payload": payload})


async def test_presence_and_relay_between_the_two_devices_of_a_pairing(
    server: RunningServer, fleet: TestFleet
) -> None:
    student, classroom = fleet.pair()
    async with device(server, student) as s_ws:
        assert (await frame(s_ws, "hello"))["peer_online"] is False
        async with device(server, classroom) as c_ws:
            assert (await frame(c_ws, "hello"))["peer_online"] is True
            assert (await frame(s_ws, "presence"))["peer_online"] is True
            await s_ws.send_str(relay({"sealed": "abc"}))
            assert (await frame(c_ws, "relay"))["payload"] == {"sealed": "abc"}
            await c_ws.send_str(relay("answer"))
            assert (await frame(s_ws, "relay"))["payload"] == "answer"
        assert (await frame(s_ws, "presence"))["peer_online"] is False


async def test_a_relay_without_an_online_peer_gets_an_error(
    server: RunningServer, fleet: TestFleet
) -> None:
    student, _ = fleet.pair()
    async with device(server, student) as ws:
        await frame(ws, "hello")
        await ws.send_str(relay("offer"))
        assert (await frame(ws, "error"))["code"] == "peer_offline"


async def test_another_pairing_never_hears_a_relay(server: RunningServer, fleet: TestFleet) -> None:
    a_student, a_classroom = fleet.pair()
    b_student, b_classroom = fleet.pair()
    async with (
        device(server, a_student) as a_s,
        device(server, a_classroom) as a_c,
        device(server, b_student) as b_s,
        device(server, b_classroom) as b_c,
    ):
        for ws in (a_s, a_c, b_s, b_c):
            await frame(ws, "hello")
        await a_s.send_str(relay("for A only"))
        assert (await frame(a_c, "relay"))["payload"] == "for A only"
        await b_s.send_str(relay("for B only"))
        assert (await frame(b_c, "relay"))["payload"] == "for B only"
        # B's classroom got B's relay and nothing of A's before it (frames are ordered)
        await b_c.send_str(json.dumps({"v": 1, "type": "ping"}))
        assert (await frame(b_c))["type"] == "pong"


async def test_same_role_in_one_pairing_is_not_a_peer(
    server: RunningServer, fleet: TestFleet
) -> None:
    # Two students claiming the same pairing id do not name each other: no relay.
    one, _ = fleet.pair(pairing_id="pair-aaaaaaaaaaaaaaaa")
    two, _ = fleet.pair(pairing_id="pair-aaaaaaaaaaaaaaaa")
    async with device(server, one) as ws_one, device(server, two) as ws_two:
        await frame(ws_one, "hello")
        assert (await frame(ws_two, "hello"))["peer_online"] is False
        await ws_two.send_str(relay("x"))
        assert (await frame(ws_two, "error"))["code"] == "peer_offline"


async def test_a_new_connection_replaces_the_old_one(
    server: RunningServer, fleet: TestFleet
) -> None:
    student, classroom = fleet.pair()
    async with device(server, classroom) as c_ws, device(server, student) as old:
        await frame(old, "hello")
        await frame(c_ws, "presence")
        async with device(server, student) as new:
            assert (await frame(new, "hello"))["peer_online"] is True
            assert await closed_with(old) == 4001
            await c_ws.send_str(relay("to the new one"))
            assert (await frame(new, "relay"))["payload"] == "to the new one"
            # the peer saw no offline/online flicker, only the relay
            await c_ws.send_str(json.dumps({"v": 1, "type": "ping"}))
            assert (await frame(c_ws))["type"] == "pong"


# --- revocation --------------------------------------------------------------------


async def test_a_revocation_closes_a_live_connection_and_reaches_the_peer(
    server: RunningServer, fleet: TestFleet
) -> None:
    student, classroom = fleet.pair()
    async with device(server, student) as s_ws, device(server, classroom) as c_ws:
        assert (await frame(c_ws, "crl"))["number"] == 1
        await frame(s_ws, "presence")  # both online
        loop = asyncio.get_running_loop()
        started = loop.time()
        fleet.revoke(student.info.serial)
        assert await closed_with(s_ws, timeout=2.0) == 4003
        assert loop.time() - started < 2.0
        assert (await frame(c_ws, "presence"))["peer_online"] is False
        pushed = await frame(c_ws, "crl")
        assert pushed["number"] == 2
        assert "BEGIN X509 CRL" in pushed["pem"]


async def test_a_device_that_holds_the_crl_is_not_sent_it_again(
    server: RunningServer, fleet: TestFleet
) -> None:
    student, classroom = fleet.pair()
    holds = {CRL_NUMBER_HEADER: "1"}  # the server's CRL is number 1
    async with device(server, student, holds) as s_ws:
        # what the server sends on connecting comes before the answer to a ping
        await s_ws.send_str(json.dumps({"v": 1, "type": "ping"}))
        kinds = [(await frame(s_ws))["type"]]
        while kinds[-1] != "pong":
            kinds.append((await frame(s_ws))["type"])
        assert kinds[0] == "hello" and "crl" not in kinds
        # one that holds an older one, or says something else, gets it
        for said in ("0", "1; drop", "9" * 19, ""):
            async with device(server, classroom, {CRL_NUMBER_HEADER: said}) as c_ws:
                assert (await frame(c_ws, "crl"))["number"] == 1
        # a newer CRL still reaches the device that held number 1
        fleet.revoke(12345)
        assert (await frame(s_ws, "crl"))["number"] == 2


async def test_a_new_crl_is_encoded_once_for_every_device(
    server: RunningServer, fleet: TestFleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    pushed: list[str] = []
    send_encoded = Link.send_encoded

    def spy(link: Link, text: str) -> None:
        if '"crl"' in text:
            pushed.append(text)
        send_encoded(link, text)

    monkeypatch.setattr(Link, "send_encoded", spy)
    (a, b), (c, _) = fleet.pair(), fleet.pair()
    async with device(server, a) as a_ws, device(server, b) as b_ws, device(server, c) as c_ws:
        for ws in (a_ws, b_ws, c_ws):
            assert (await frame(ws, "crl"))["number"] == 1
        pushed.clear()
        fleet.revoke(12345)
        for ws in (a_ws, b_ws, c_ws):
            assert (await frame(ws, "crl"))["number"] == 2
        assert len(pushed) == 3 and all(text is pushed[0] for text in pushed)  # one string


async def test_an_older_or_forged_crl_file_is_ignored(
    server: RunningServer, fleet: TestFleet
) -> None:
    fleet.revoke()  # number 2
    await wait_until(lambda: server.hub.crl is not None and server.hub.crl.number == 2)
    other = TestFleet(fleet.folder.parent / "other")
    fleet.crl_path.write_bytes(other.crl_path.read_bytes())  # signed by another CA
    student, _ = fleet.pair()
    async with device(server, student) as ws:
        assert (await frame(ws, "crl"))["number"] == 2
    assert server.hub.crl is not None and server.hub.crl.number == 2


# --- hostile input -----------------------------------------------------------------


async def test_malformed_frames_get_error_frames_and_the_connection_stays(
    server: RunningServer, fleet: TestFleet
) -> None:
    student, _ = fleet.pair()
    cases = {
        "{not json": "malformed",
        "[1, 2]": "malformed",
        '{"v": 1, "type": "launch"}': "unknown_type",
        '{"v": 1, "type": "relay", "payload": 5}': "malformed",
        '{"v": "1", "type": "ping"}': "malformed",
        "[" * 5000 + "]" * 5000: "malformed",
    }
    async with device(server, student) as ws:
        await frame(ws, "crl")
        for text, code in cases.items():
            await ws.send_str(text)
            error = await frame(ws, "error")
            assert error["code"] == code
            assert "Traceback" not in error["message"]
        await ws.send_bytes(b"\x00\x01")
        assert (await frame(ws, "error"))["code"] == "malformed"
        await ws.send_str('{"v": 1, "type": "ping"}')
        assert (await frame(ws))["type"] == "pong"


async def test_another_protocol_version_is_told_and_closed(
    server: RunningServer, fleet: TestFleet
) -> None:
    student, _ = fleet.pair()
    async with device(server, student) as ws:
        await frame(ws, "crl")
        await ws.send_str('{"v": 2, "type": "ping"}')
        assert (await frame(ws, "error"))["code"] == "unsupported_version"
        assert await closed_with(ws) == 4005


async def test_an_oversize_frame_closes_the_connection(
    server: RunningServer, fleet: TestFleet
) -> None:
    student, _ = fleet.pair()
    async with device(server, student) as ws:
        await frame(ws, "crl")
        await ws.send_str(relay("x" * (64 * 1024 + 1)))
        # 1009 is sent; the client may see the reset first when its big frame is unread
        assert await closed_with(ws) in (1009, 1006)
    async with device(server, student) as ws:  # the server carries on
        assert (await frame(ws, "hello"))["device"] == student.device_id.short


async def test_the_rate_limit_refuses_then_closes(server: RunningServer, fleet: TestFleet) -> None:
    student, _ = fleet.pair()
    async with device(server, student) as ws:
        await frame(ws, "crl")
        ping = '{"v": 1, "type": "ping"}'
        for _ in range(60):  # burst is 50
            await ws.send_str(ping)
        pongs = 0
        while (answer := await frame(ws))["type"] == "pong":
            pongs += 1
        assert answer["code"] == "rate_limited"
        assert 50 <= pongs < 60
        for _ in range(200):  # keep hammering: 100 refusals close the connection
            await ws.send_str(ping)
        assert await closed_with(ws) == 4008


# --- gate and health ---------------------------------------------------------------


async def test_handshakes_beyond_the_pending_limit_are_dropped(fleet: TestFleet) -> None:
    config = ServerConfig(max_pending=2, handshake_timeout=3.0, first_byte_timeout=3.0)
    running = await start_server(fleet.folder, "127.0.0.1", 0, config)
    silent = []
    try:
        for _ in range(2):  # TCP open, no ClientHello: they sit in the handshake
            silent.append(await asyncio.open_connection("127.0.0.1", running.port))
        await wait_until(lambda: running.listener is not None and running.listener.pending == 2)
        reader, writer = await asyncio.open_connection("127.0.0.1", running.port)
        async with asyncio.timeout(5):
            assert await reader.read(100) == b""  # dropped at once, no TLS
        writer.close()
    finally:
        for _, w in silent:
            w.close()
        await running.stop()


async def test_a_burst_of_idle_connections_holds_no_more_than_the_limit(
    fleet: TestFleet, caplog: pytest.LogCaptureFixture
) -> None:
    limit, burst = 8, 80  # a burst within the listen backlog (128): all reach accept()
    config = ServerConfig(max_pending=limit, handshake_timeout=30.0, first_byte_timeout=30.0)
    running = await start_server(fleet.folder, "127.0.0.1", 0, config)
    opened = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", running.port) for _ in range(burst))
    )
    # Each waits for the server to close it: EOF, or a reset.
    ends = [asyncio.create_task(reader.read(1)) for reader, _ in opened]
    try:
        await wait_until(lambda: sum(end.done() for end in ends) >= burst - limit, timeout=10)
        assert running.listener is not None and running.listener.pending == limit
        assert sum(end.done() for end in ends) == burst - limit
        assert all(end.exception() or end.result() == b"" for end in ends if end.done())
    finally:
        for end in ends:
            end.cancel()
        for _, writer in opened:
            writer.close()
        await running.stop()
    busy = [r.getMessage() for r in caplog.records if "too many handshakes" in r.getMessage()]
    assert busy == [
        "refused a connection: too many handshakes (8 pending)",
        f"refused {burst - limit - 1} more connections in the last 60 s: "
        f"{burst - limit - 1} too many handshakes (8 pending)",
    ]


async def test_health_answers_on_its_own_port(fleet: TestFleet) -> None:
    running = await start_server(fleet.folder, "127.0.0.1", 0, FAST, health_port=0)
    try:
        assert running.health_port
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{running.health_port}/health") as resp,
        ):
            assert resp.status == 200
            assert (await resp.text()).startswith("ok ")
            assert resp.headers["Server"] == "klasgenoot"
    finally:
        await running.stop()


async def raw_http(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        async with asyncio.timeout(5):
            return await reader.read()
    finally:
        writer.close()


async def test_no_response_names_the_software_behind_it(fleet: TestFleet, tmp_path: Path) -> None:
    running = await start_server(fleet.folder, "127.0.0.1", 0, FAST, health_port=0)
    assert running.health_port
    try:
        answers = {
            "health": await raw_http(running.health_port, b"GET /health HTTP/1.0\r\n\r\n"),
            "not found": await raw_http(running.health_port, b"GET /x HTTP/1.0\r\n\r\n"),
            # aiohttp's own 400, built before any route or hook runs
            "garbled": await raw_http(running.health_port, b"\x01\x02 nonsense\r\n\r\n"),
        }
        student, _ = fleet.pair()
        identity = identity_file(tmp_path, student.certificate, student.key)
        upgrade = await raw_upgrade(running, fleet, identity)
        assert isinstance(upgrade, bytes)
        answers["websocket"] = upgrade
    finally:
        await running.stop()
    for what, answer in answers.items():
        head = answer.split(b"\r\n\r\n", 1)[0].lower()
        assert head.startswith(b"http/1."), what
        assert b"\r\nserver: klasgenoot\r\n" in head + b"\r\n", what
        assert b"python" not in head and b"aiohttp" not in head, what


async def test_aiohttp_error_lines_carry_no_address(
    server: RunningServer, fleet: TestFleet, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    student, _ = fleet.pair()
    ctx = ssl.create_default_context(cadata=certificate_pem(fleet.ca.certificate).decode())
    ctx.load_cert_chain(identity_file(tmp_path, student.certificate, student.key))
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", server.port, ssl=ctx, server_hostname="localhost"
    )
    writer.write(b"\x01\x02 nonsense\r\n\r\n")  # aiohttp logs "Error handling request from <ip>"
    async with asyncio.timeout(5):
        answer = await reader.read(100)
    assert answer.startswith(b"HTTP/") and b" 400 " in answer
    writer.close()
    await wait_until(lambda: "Error handling request" in caplog.text)
    assert "[address]" in caplog.text


class StuckSocket:
    """A WebSocket whose peer never reads: the first send blocks for good."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed_with: int | None = None
        self._never = asyncio.Event()

    async def send_str(self, text: str) -> None:
        self.sent.append(text)
        await self._never.wait()

    async def close(self, *, code: int, message: bytes) -> bool:
        self.closed_with = code
        return True


async def test_a_reader_too_slow_for_its_outbox_is_closed(fleet: TestFleet) -> None:
    from signaling.hub import Link
    from signaling.protocol import CloseCode, Pong

    stuck = StuckSocket()
    link = Link(stuck, fleet.pair()[0].info, ServerConfig(outbox=4))  # type: ignore[arg-type]
    link.send(Pong())
    await wait_until(lambda: len(stuck.sent) == 1)  # the writer is stuck on it
    for _ in range(4):  # fills the outbox
        link.send(Pong())
    assert stuck.closed_with is None
    link.send(Pong())  # one too many
    await wait_until(lambda: stuck.closed_with == CloseCode.TOO_SLOW)
    await link.finish(grace=0.5)
    assert len(stuck.sent) == 1


class SlowSocket:
    """A WebSocket whose first send waits until released (TCP backpressure)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.release = asyncio.Event()
        self.closed_with: int | None = None

    async def send_str(self, text: str) -> None:
        self.sent.append(text)
        if len(self.sent) == 1:
            await self.release.wait()

    async def close(self, *, code: int, message: bytes) -> bool:
        self.closed_with = code
        return True


async def test_a_frame_leaves_in_the_pass_that_sent_it(fleet: TestFleet) -> None:
    """Issue 14: a writer task woken for each frame cost every relay one more pass of
    the loop, and during a reconnect storm a pass holds handshakes. Only backpressure
    makes frames wait, and then they keep their order; the close frame comes last."""
    from signaling.hub import Link
    from signaling.protocol import CloseCode, Pong, Presence

    socket = SlowSocket()
    link = Link(socket, fleet.pair()[0].info, ServerConfig())  # type: ignore[arg-type]
    link.send(Pong())
    assert len(socket.sent) == 1  # no await in between: written in this pass
    link.send(Presence(peer_online=True))
    link.send(Presence(peer_online=False))
    link.close(CloseCode.GOING_AWAY, "moving")
    assert len(socket.sent) == 1 and socket.closed_with is None  # behind the first
    socket.release.set()
    await wait_until(lambda: socket.closed_with == CloseCode.GOING_AWAY)
    assert [json.loads(t)["type"] for t in socket.sent] == ["pong", "presence", "presence"]
    assert [json.loads(t).get("peer_online") for t in socket.sent[1:]] == [True, False]
    await link.finish(grace=0.5)
