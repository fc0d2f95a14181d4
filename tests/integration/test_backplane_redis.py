"""Two signaling instances on one real redis-server (on a loopback port of its own).

A pair split across the instances hears each other; a revocation seen by one closes
the device on the other; killing or draining an instance moves its devices to the
other; Redis restarting mid-run; garbage published into Redis by someone else.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from pairing.revocation import build_crl
from signaling.backplane.redisbus import EVENTS
from signaling.backplane.wire import CrlNews, encode
from signaling.client import SignalingClient
from signaling.events import Relayed
from signaling.protocol import CloseCode
from signaling.server import RunningServer
from tests.integration.test_cli_server import REPO, command, read_port, run_server, tree
from tests.support.pki import TestFleet
from tests.support.redis import RedisServer, instance, running_redis
from tests.support.signaling import no_addresses_in_logs
from tests.support.wsdevice import closed_with, device, frame, wait_until

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)


redis = pytest.fixture(running_redis)


@pytest.fixture
async def two(
    fleet: TestFleet, redis: RedisServer, tmp_path: Path
) -> AsyncIterator[tuple[RunningServer, RunningServer]]:
    # B reads its own copy of the fleet folder, as on another machine: what B learns
    # of a revocation it learns through Redis.
    shutil.copytree(fleet.folder, tmp_path / "fleet-b")
    a = await instance(fleet.folder, redis, "i-a")
    b = await instance(tmp_path / "fleet-b", redis, "i-b")
    yield a, b
    await b.stop()
    await a.stop()


def relay(payload: Any) -> str:
    return json.dumps({"v": 1, "type": "relay", "payload": payload})


async def test_a_pair_split_across_instances_hears_each_other(
    two: tuple[RunningServer, RunningServer], fleet: TestFleet
) -> None:
    await split_pair_hears_each_other(*two, fleet)


async def split_pair_hears_each_other(a: RunningServer, b: RunningServer, fleet: TestFleet) -> None:
    """A new pair, the student on ``a`` (instance "i-a"), the classroom on ``b``:
    presence, an offer and an answer, and control messages in order, through Redis."""
    student, classroom = fleet.pair()
    async with device(a, student) as s_ws:
        assert (await frame(s_ws, "hello"))["peer_online"] is False
        await wait_until(lambda: b.hub.elsewhere(student.device_id.short) == "i-a")
        async with device(b, classroom) as c_ws:
            assert (await frame(c_ws, "hello"))["peer_online"] is True
            assert (await frame(s_ws, "presence"))["peer_online"] is True
            await s_ws.send_str(relay({"sealed": "offer"}))
            assert (await frame(c_ws, "relay"))["payload"] == {"sealed": "offer"}
            await c_ws.send_str(relay({"sealed": "answer"}))
            assert (await frame(s_ws, "relay"))["payload"] == {"sealed": "answer"}
            for n in range(15):  # control messages keep their order across Redis
                await c_ws.send_str(relay({"control": n}))
            assert [(await frame(s_ws, "relay"))["payload"]["control"] for _ in range(15)] == list(
                range(15)
            )
        assert (await frame(s_ws, "presence"))["peer_online"] is False


async def test_a_device_revoked_on_one_instance_is_closed_on_the_other(
    two: tuple[RunningServer, RunningServer], fleet: TestFleet
) -> None:
    a, b = two
    student, classroom = fleet.pair()
    async with device(a, student) as s_ws, device(b, classroom) as c_ws:
        await frame(s_ws, "hello")
        await frame(c_ws, "hello")
        loop = asyncio.get_running_loop()
        started = loop.time()
        fleet.revoke(classroom.info.serial)  # A's folder only
        assert await closed_with(c_ws) == CloseCode.REVOKED
        assert loop.time() - started < 1.5  # A polls every 0.2 s; Redis carries it on
    assert b.hub.crl is not None and b.hub.crl.number == 2


async def test_garbage_published_into_redis_is_dropped_and_logged(
    two: tuple[RunningServer, RunningServer],
    fleet: TestFleet,
    redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    a, b = two
    student, classroom = fleet.pair()
    stranger = TestFleet(fleet.folder.parent / "stranger")
    forged = build_crl(ca_key=stranger.ca.key, ca_cert=stranger.ca.certificate, number=99,
                       serials={student.info.serial})  # fmt: skip
    c_short, s_short = classroom.device_id.short, student.device_id.short
    junk = [
        b"not json",
        b"[" * 5000 + b"]" * 5000,
        b'{"k":"relay","device":"' + c_short.encode() + b'","sender":"AAAAAAA","payload":"x"}',
        json.dumps(
            {
                "k": "up",
                "instance": "i-x",
                "device": "bad!",
                "peer": s_short,
                "role": "student",
                "since": 1,
            }
        ).encode(),
        json.dumps(
            {"k": "relay", "device": c_short, "sender": s_short, "payload": "x" * 100_000}
        ).encode(),
        b"x" * 700_000,
        encode(CrlNews(99, forged.pem.decode())),
    ]
    async with device(a, student) as s_ws, device(b, classroom) as c_ws:
        await frame(s_ws, "hello")
        await frame(c_ws, "hello")
        client = aioredis.Redis.from_url(redis.url)
        try:
            for data in junk:
                await client.publish(EVENTS, data)
                await client.publish("kg:to:i-b", data)
        finally:
            await client.aclose()
        await s_ws.send_str(relay({"sealed": "after the junk"}))
        # The first relay frame B delivers is the real one: the forged sender and the
        # oversized payload never reached the device.
        assert (await frame(c_ws, "relay"))["payload"] == {"sealed": "after the junk"}
    assert b.hub.crl is not None and b.hub.crl.number == 1  # the forged CRL was not used
    assert a.hub.backplane.healthy and b.hub.backplane.healthy
    assert "dropped a backplane message" in caplog.text
    assert "ignored a CRL from another instance" in caplog.text


async def test_redis_restarting_mid_run_refuses_then_recovers(
    two: tuple[RunningServer, RunningServer],
    fleet: TestFleet,
    redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    a, b = two
    student, classroom = fleet.pair()
    late, _ = fleet.pair()
    async with device(a, student) as s_ws, device(b, classroom) as c_ws:
        await frame(s_ws, "hello")
        await frame(c_ws, "hello")
        redis.stop()
        await wait_until(lambda: not a.hub.backplane.healthy and not b.hub.backplane.healthy)
        assert (await frame(c_ws, "presence"))["peer_online"] is False  # no split view
        assert await health(a) == 503  # a load balancer takes it out
        assert "backplane lost" in caplog.text and "Redis not reachable" in caplog.text
        async with device(a, late) as late_ws:  # a new device is sent elsewhere
            assert await closed_with(late_ws) == CloseCode.TRY_AGAIN
        redis.start()  # empty: the instances announce their devices again
        await wait_until(lambda: a.hub.backplane.healthy and b.hub.backplane.healthy, 10)
        assert await health(a) == 200
        assert (await frame(c_ws, "presence"))["peer_online"] is True
        await s_ws.send_str(relay({"sealed": "again"}))
        assert (await frame(c_ws, "relay"))["payload"] == {"sealed": "again"}


async def health(server: RunningServer) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.health_port}/health") as resp,
    ):
        return resp.status


# --- an instance that goes away: its devices move to the other ---------------------


async def cli_instance(fleet: TestFleet, redis: RedisServer) -> tuple[Any, int]:
    proc = await asyncio.create_subprocess_exec(
        *command(), "server", "--data", str(fleet.folder), "--port", "0", "--no-health",
        "--redis", redis.url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, await read_port(proc.stdout, "listening on port ")


async def connected_clients(
    fleet: TestFleet, urls: list[str]
) -> tuple[SignalingClient, SignalingClient]:
    clients = tuple(SignalingClient(urls, creds, start_at=0) for creds in fleet.pair())
    for client in clients:
        await client.start()
        await wait_until(lambda c=client: c.connected, 10)  # type: ignore[misc]
    return clients  # type: ignore[return-value]


async def relays_through(clients: tuple[SignalingClient, SignalingClient]) -> None:
    student, classroom = clients

    def relayed() -> Callable[[], bool]:
        seen: list[Any] = []

        def check() -> bool:
            while not classroom.events.empty():
                event = classroom.events.get_nowait()
                if isinstance(event, Relayed):
                    seen.append(event.payload)
            return {"n": "moved"} in seen

        return check

    check = relayed()

    async def resend() -> None:  # until the classroom's instance knows the student again
        while True:
            await student.send_relay({"n": "moved"})
            await asyncio.sleep(0.2)

    sender = asyncio.create_task(resend())
    try:
        await wait_until(check, 10)
    finally:
        sender.cancel()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
async def test_devices_of_an_instance_that_goes_move_to_the_other(
    fleet: TestFleet, redis: RedisServer, tmp_path: Path, how: signal.Signals
) -> None:
    shutil.copytree(fleet.folder, tmp_path / "fleet-b")
    proc, port = await cli_instance(fleet, redis)
    b = await instance(tmp_path / "fleet-b", redis, "i-b")
    urls = [f"wss://localhost:{port}/ws", f"wss://localhost:{b.port}/ws"]
    clients: tuple[SignalingClient, ...] = ()
    try:
        clients = await connected_clients(fleet, urls)
        assert all(c.url == urls[0] for c in clients)
        loop = asyncio.get_running_loop()
        started = loop.time()
        proc.send_signal(how)
        await wait_until(lambda: all(c.connected and c.url == urls[1] for c in clients), 10)
        assert loop.time() - started < 5.0
        assert len(b.hub) == 2
        await relays_through(clients)  # type: ignore[arg-type]
        code = await asyncio.wait_for(proc.wait(), 15)
        assert code == (0 if how is signal.SIGTERM else -signal.SIGKILL)
    finally:
        for client in clients:
            await client.stop()
        if proc.returncode is None:
            proc.kill()
        await proc.communicate()
        await b.stop()


async def test_an_instance_that_starts_later_learns_who_is_online(
    fleet: TestFleet, redis: RedisServer, tmp_path: Path
) -> None:
    shutil.copytree(fleet.folder, tmp_path / "fleet-b")
    a = await instance(fleet.folder, redis, "i-a")
    try:
        student, classroom = fleet.pair()
        async with device(a, student) as s_ws:
            await frame(s_ws, "hello")
            b = await instance(tmp_path / "fleet-b", redis, "i-b")  # reads A's hash
            try:
                assert b.hub.elsewhere(student.device_id.short) == "i-a"
                async with device(b, classroom) as c_ws:
                    assert (await frame(c_ws, "hello"))["peer_online"] is True
            finally:
                await b.stop()
    finally:
        await a.stop()


@pytest.mark.parametrize(
    "url", ["http://:{secret}@127.0.0.1:6379/0", "redis://:{secret}@127.0.0.1:6379/0?db=x"]
)
async def test_a_bad_redis_url_is_refused_in_dutch_and_changes_nothing(
    fleet: TestFleet, url: str
) -> None:
    before = tree(fleet.folder)
    secret = "redis-password-123"
    code, stdout, stderr = await run_server(
        "--data", str(fleet.folder), "--port", "0", "--no-health",
        "--redis", url.format(secret=secret),
    )  # fmt: skip
    assert code == 1, stderr
    assert "Het Redis-adres klopt niet" in stderr and "Traceback" not in stderr
    assert secret not in stderr + stdout  # the URL may hold a password: never echoed
    assert tree(fleet.folder) == before
