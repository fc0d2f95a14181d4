"""The last call across instances on a real redis-server: one instance's device
reports, the others list it on /status, a later instance reads it from the reporting
instance's presence hash, a revocation drops it everywhere; and the hash never
loses its TTL. The in-memory backplane does the same."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from signaling.backplane import redisbus
from signaling.backplane.memory import MemoryBackplane, MemoryBus
from signaling.backplane.redisbus import HASH_TTL
from signaling.server import RunningServer, start_server
from tests.support.pki import TestFleet
from tests.support.redis import FAST, RedisServer, instance, running_redis
from tests.support.signaling import no_addresses_in_logs
from tests.support.wsdevice import device, frame, wait_until

CALL = {"v": 1, "type": "call", "start": 1_790_000_000, "duration_s": 1800,
        "end_reason": "hangup_remote", "quality": "good", "rtt_ms": 42, "loss_pct": 0.1,
        "candidate_type": "relay", "relay_protocol": "udp"}  # fmt: skip

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)


redis = pytest.fixture(running_redis)


async def test_a_last_call_is_shared_kept_in_the_hash_and_forgotten_on_revocation(
    fleet: TestFleet, redis: RedisServer, tmp_path: Path
) -> None:
    shutil.copytree(fleet.folder, tmp_path / "fleet-b")
    shutil.copytree(fleet.folder, tmp_path / "fleet-c")
    a = await instance(fleet.folder, redis, "i-a")
    b = await instance(tmp_path / "fleet-b", redis, "i-b")
    client = aioredis.Redis.from_url(redis.url)
    student, classroom = fleet.pair()
    key = (student.info.device_id.short, classroom.info.device_id.short)
    field = f"call|{key[0]}|{key[1]}"
    c: RunningServer | None = None
    try:
        async with device(a, student) as ws:
            await frame(ws, "hello")
            await ws.send_str(json.dumps(CALL))
            await wait_until(lambda: b.hub.calls.get(*key) is not None)
        # The device went offline: its presence left the hash, its last call did not.
        await wait_until(lambda: b.hub.elsewhere(key[0]) is None)
        assert await client.hexists("kg:inst:i-a", field)
        assert 0 < await client.ttl("kg:inst:i-a") <= HASH_TTL
        c = await instance(tmp_path / "fleet-c", redis, "i-c")  # reads A's hash
        entry = c.hub.calls.get(*key)
        assert entry is not None and entry.report.duration_s == 1800
        assert entry.report.relay_protocol == "udp"

        fleet.revoke(student.info.serial)  # A's folder; B and C hear it through Redis
        await wait_until(lambda: not b.hub.calls and not c.hub.calls and not a.hub.calls)
        async with asyncio.timeout(5):
            while await client.hexists("kg:inst:i-a", field):
                await asyncio.sleep(0.05)
    finally:
        await client.aclose()
        for running in (c, b, a):
            if running is not None:
                await running.stop()


async def test_a_write_after_the_hash_expired_gives_it_a_ttl_again(
    fleet: TestFleet, redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An instance whose loop stalled past HASH_TTL writes into a hash that is gone:
    the HSET makes a new one, which must not live for ever if the instance then dies."""
    monkeypatch.setattr(redisbus, "ALIVE_EVERY", 60.0)  # no beat renews it meanwhile
    a = await instance(fleet.folder, redis, "i-a")
    client = aioredis.Redis.from_url(redis.url)
    student, _ = fleet.pair()
    try:
        await client.delete("kg:inst:i-a")  # as if it had expired
        async with device(a, student) as ws:
            await frame(ws, "hello")  # its presence is written now
            async with asyncio.timeout(5):
                while not await client.exists("kg:inst:i-a"):
                    await asyncio.sleep(0.02)
            assert 0 < await client.ttl("kg:inst:i-a") <= HASH_TTL
    finally:
        await client.aclose()
        await a.stop()


async def test_a_later_call_on_another_instance_replaces_the_first_everywhere(
    fleet: TestFleet, redis: RedisServer, tmp_path: Path
) -> None:
    """A laptop that moved instance: the newer summary wins on both, and the old
    instance drops its now stale copy from its hash (never the newer one)."""
    shutil.copytree(fleet.folder, tmp_path / "fleet-b")
    a = await instance(fleet.folder, redis, "i-a")
    b = await instance(tmp_path / "fleet-b", redis, "i-b")
    client = aioredis.Redis.from_url(redis.url)
    student, classroom = fleet.pair()
    key = (student.info.device_id.short, classroom.info.device_id.short)
    field = f"call|{key[0]}|{key[1]}"
    later = {**CALL, "start": CALL["start"] + 3600, "end_reason": "stopped"}  # type: ignore[operator]
    try:
        async with device(a, student) as ws:
            await frame(ws, "hello")
            await ws.send_str(json.dumps(CALL))
            await wait_until(lambda: b.hub.calls.get(*key) is not None)
        async with device(b, student) as ws:
            await frame(ws, "hello")
            await ws.send_str(json.dumps(later))
            await wait_until(lambda: (e := a.hub.calls.get(*key)) is not None
                             and e.report.end_reason == "stopped")  # fmt: skip
        async with asyncio.timeout(5):
            while await client.hexists("kg:inst:i-a", field):
                await asyncio.sleep(0.05)
        assert await client.hexists("kg:inst:i-b", field)
        for running in (a, b):
            entry = running.hub.calls.get(*key)
            assert entry is not None and entry.instance == "i-b"
    finally:
        await client.aclose()
        await b.stop()
        await a.stop()


async def test_the_in_memory_backplane_shares_last_calls_the_same_way(
    fleet: TestFleet,
) -> None:
    """The reference backplane: a later instance learns what the others hold."""
    bus = MemoryBus()
    a = await start_server(fleet.folder, config=FAST, backplane=MemoryBackplane(bus, "i-a"))
    b = await start_server(fleet.folder, config=FAST, backplane=MemoryBackplane(bus, "i-b"))
    student, classroom = fleet.pair()
    key = (student.info.device_id.short, classroom.info.device_id.short)
    c: RunningServer | None = None
    try:
        async with device(a, student) as ws:
            await frame(ws, "hello")
            await ws.send_str(json.dumps(CALL))
            await wait_until(lambda: b.hub.calls.get(*key) is not None)
        c = await start_server(fleet.folder, config=FAST, backplane=MemoryBackplane(bus, "i-c"))
        entry = c.hub.calls.get(*key)
        assert entry is not None and entry.instance == "i-a"
    finally:
        for running in (c, b, a):
            if running is not None:
                await running.stop()
