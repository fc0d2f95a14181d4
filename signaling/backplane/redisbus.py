"""The Redis backplane: ``klasgenoot server --redis URL`` on several instances.

What Redis holds (docs/operations.md, "Several instances"): per instance one hash
``kg:inst:<instance>`` of its online devices ("short DeviceId|peer's short DeviceId"
-> "role|since") and of the last call its devices reported ("call|<device>|<peer>"
-> the CallNews, signaling.lastcall), expiring unless renewed every second; the
newest CRL (``kg:crls``, public and CA-signed, the highest number kept); and, only
while in flight, pub/sub messages: presence on ``kg:events`` and relays on
``kg:to:<instance>``. No log, no address, no certificate.

One supervisor task keeps a session: connect, subscribe, read what the others hold,
announce our own devices, then read, write and beat until an error; then
``healthy`` is False (the hub refuses new devices and forgets remote ones) and it
reconnects with capped, jittered backoff. Nothing read from Redis is trusted: a
message that does not parse is dropped and counted (:mod:`.wire`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from common.backoff import Backoff
from signaling.backplane.base import Backplane, BackplaneHost
from signaling.backplane.redisfail import failure_reason
from signaling.backplane.redisurl import check_url
from signaling.backplane.wire import (
    Alive,
    BusMessage,
    BusMessageInvalid,
    Bye,
    CallGone,
    CallNews,
    CrlNews,
    Down,
    RelayTo,
    Up,
    decode,
    encode,
)

logger = logging.getLogger(__name__)

EVENTS = "kg:events"
CRL_KEY = "kg:crls"  # sorted by CRL number: the highest wins, whoever wrote last
ALIVE_EVERY = 1.0  # seconds between our Alive beats (and hash renewals)
GONE_AFTER = 5.0  # an instance silent this long is gone, and so are its devices
HASH_TTL = 10  # seconds our presence hash outlives us if we die without a Bye
OUTBOX = 20_000  # messages waiting for Redis; beyond it they are dropped and counted
BATCH = 512  # messages per pipeline round trip
BACKOFF_INITIAL, BACKOFF_MAX = 0.2, 5.0
DROP_SUMMARY_EVERY = 60.0


def _hash_key(instance: str) -> str:
    return f"kg:inst:{instance}"


def _inbox(instance: str) -> str:
    return f"kg:to:{instance}"


class SessionLost(Exception):
    """Redis went away (inside a session only)."""


class RedisBackplane(Backplane):
    def __init__(self, url: str, instance: str | None = None) -> None:
        super().__init__(instance)
        check_url(url)  # a bad URL now, not in every reconnect later
        self._url = url  # may hold a password: never logged
        self._host: BackplaneHost | None = None
        self._healthy = False
        self._outbox: asyncio.Queue[tuple[str, BusMessage]] = asyncio.Queue(OUTBOX)
        self._seen: dict[str, float] = {}  # other instance -> when last heard
        self._task: asyncio.Task[None] | None = None
        self._client: aioredis.Redis | None = None
        self._dropped: dict[str, int] = {}
        self._drops_logged = 0.0
        self._reset_backoff = False  # a session came up: the next retry starts fast
        self.up_once = asyncio.Event()  # set at the first healthy session

    @property
    def healthy(self) -> bool:
        return self._healthy

    def others_alive(self) -> bool:
        return self._healthy and bool(self._seen)  # beats heard in the last GONE_AFTER

    async def start(self, host: BackplaneHost) -> None:
        self._host = host
        self._task = asyncio.create_task(self._supervise())

    async def stop(self) -> None:
        client = self._client
        if client is not None and self._healthy:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                async with asyncio.timeout(2.0):
                    await client.delete(_hash_key(self.instance))
                    await client.publish(EVENTS, encode(Bye(self.instance)))
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._host = None

    def publish(self, message: BusMessage) -> None:
        self._queue(EVENTS, message)

    def send(self, instance: str, message: RelayTo) -> bool:
        if instance not in self._seen:
            return False
        return self._queue(_inbox(instance), message)

    def _queue(self, channel: str, message: BusMessage) -> bool:
        if not self._healthy:
            return False  # presence is announced again whole once Redis is back
        try:
            self._outbox.put_nowait((channel, message))
        except asyncio.QueueFull:
            self._drop("outbox full")
            return False
        return True

    # -- the session -------------------------------------------------------------
    async def _supervise(self) -> None:
        backoff = Backoff(BACKOFF_INITIAL, BACKOFF_MAX)
        warned, last_reason = -DROP_SUMMARY_EVERY, ""
        while True:
            try:
                await self._session()
            except (RedisError, OSError, TimeoutError, SessionLost) as exc:
                # The text of a Redis error may name host and port: a fixed phrase only.
                reason = failure_reason(exc)
                self._lost(reason)
                # once a minute, and at once when the reason changes (Redis is back,
                # but now refuses the password)
                if reason != last_reason or time.monotonic() - warned > DROP_SUMMARY_EVERY:
                    warned, last_reason = time.monotonic(), reason
                    logger.warning("backplane: Redis not reachable (%s), retrying", reason)
            except Exception:  # a bug must not end the backplane for good
                logger.exception("backplane session failed")
                self._lost("error")
            if self._reset_backoff:
                backoff.reset()
                self._reset_backoff = False
            await asyncio.sleep(backoff.next())

    async def _session(self) -> None:
        client = aioredis.Redis.from_url(
            self._url, socket_connect_timeout=2.0, socket_timeout=5.0, health_check_interval=0
        )
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await client.ping()
            await pubsub.subscribe(EVENTS, _inbox(self.instance))
            await self._catch_up(client)
            self._client = client
            self._healthy = True
            self._reset_backoff = True
            self.up_once.set()
            logger.info("backplane up (instance %s)", self.instance)
            if self._host is not None:
                self._host.backplane_changed(True)
            tasks = [
                asyncio.create_task(self._read(pubsub)),
                asyncio.create_task(self._write(client)),
                asyncio.create_task(self._beat(client)),
            ]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            raise SessionLost
        finally:
            self._client = None
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    def _lost(self, why: str) -> None:
        was = self._healthy
        self._healthy = False
        while not self._outbox.empty():  # stale: presence is announced whole again
            self._outbox.get_nowait()
        self._seen.clear()
        if was:
            logger.warning("backplane lost (%s): refusing new devices until it is back", why)
            if self._host is not None:
                self._host.backplane_changed(False)

    async def _catch_up(self, client: aioredis.Redis) -> None:
        """Read the devices the others hold and the newest CRL; announce ours."""
        host = self._host
        assert host is not None
        now = time.monotonic()
        async for key in client.scan_iter(match="kg:inst:*", count=500):
            instance = key.decode(errors="replace").removeprefix("kg:inst:")
            if instance == self.instance:
                continue
            for device, value in (await client.hgetall(key)).items():
                if _is_call(device):
                    self._take(value, now)
                else:
                    self._take(_up_json(instance, device, value), now)
        for crl in await client.zrange(CRL_KEY, 0, 0, desc=True):
            if isinstance(crl, bytes | str):
                self._take(crl, now)
        ours = dict(_presence_entry(up) for up in host.local_presence())
        ours.update(_call_entry(call) for call in host.local_calls())
        key = _hash_key(self.instance)
        async with client.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if ours:
                pipe.hset(key, mapping=ours)  # type: ignore[arg-type]
            pipe.expire(key, HASH_TTL)
            for up in host.local_presence():
                pipe.publish(EVENTS, encode(up))
            await pipe.execute()

    async def _read(self, pubsub: aioredis.client.PubSub) -> None:
        async for message in pubsub.listen():
            data = message.get("data")
            if isinstance(data, bytes | str):
                self._take(data, time.monotonic())

    def _take(self, data: bytes | str, now: float) -> None:
        try:
            message = decode(data)
        except BusMessageInvalid as exc:
            self._drop(str(exc))
            return
        instance = getattr(message, "instance", "")
        if instance == self.instance or self._host is None:
            return  # our own broadcast coming back
        if instance:
            self._seen[instance] = now
        if isinstance(message, Bye):
            self._seen.pop(instance, None)
            self._host.instance_gone(instance)
        elif not isinstance(message, Alive):
            self._host.bus_message(message)

    async def _write(self, client: aioredis.Redis) -> None:
        key = _hash_key(self.instance)
        while True:
            batch = [await self._outbox.get()]
            while len(batch) < BATCH and not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            async with client.pipeline(transaction=False) as pipe:
                for channel, message in batch:
                    if isinstance(message, Up):
                        pipe.hset(key, *_presence_entry(message))
                    elif isinstance(message, CallNews):
                        pipe.hset(key, *_call_entry(message))
                    elif isinstance(message, CallGone):
                        pipe.hdel(key, _call_entry(message)[0])
                    elif isinstance(message, Down):
                        pipe.hdel(key, f"{message.device}|{message.peer}")
                    elif isinstance(message, CrlNews):
                        pipe.zadd(CRL_KEY, {encode(message): message.number})
                        pipe.zremrangebyrank(CRL_KEY, 0, -2)
                    pipe.publish(channel, encode(message))
                # An HSET on a hash that expired (the loop stalled past HASH_TTL) makes
                # a new one without a TTL, that would outlive us: set it every time.
                pipe.expire(key, HASH_TTL)
                await pipe.execute()

    async def _beat(self, client: aioredis.Redis) -> None:
        while True:
            async with client.pipeline(transaction=False) as pipe:
                pipe.publish(EVENTS, encode(Alive(self.instance)))
                pipe.expire(_hash_key(self.instance), HASH_TTL)
                await pipe.execute()
            now = time.monotonic()
            for instance, seen in list(self._seen.items()):
                if now - seen > GONE_AFTER:
                    del self._seen[instance]
                    logger.info("instance %s fell silent: its devices are offline", instance)
                    if self._host is not None:
                        self._host.instance_gone(instance)
            self._summarise_drops(now)
            await asyncio.sleep(ALIVE_EVERY)

    # -- what was dropped --------------------------------------------------------
    def _drop(self, reason: str) -> None:
        if not self._dropped and time.monotonic() - self._drops_logged > DROP_SUMMARY_EVERY:
            logger.warning("dropped a backplane message: %s", reason)
            self._drops_logged = time.monotonic()
            return
        self._dropped[reason] = self._dropped.get(reason, 0) + 1

    def _summarise_drops(self, now: float) -> None:
        if self._dropped and now - self._drops_logged > DROP_SUMMARY_EVERY:
            parts = ", ".join(f"{n} {reason}" for reason, n in sorted(self._dropped.items()))
            logger.warning("dropped backplane messages: %s", parts)
            self._dropped.clear()
            self._drops_logged = now


def _presence_entry(up: Up) -> tuple[str, str]:
    return f"{up.device}|{up.peer}", f"{up.role}|{up.since}"


def _call_entry(call: CallNews | CallGone) -> tuple[str, str]:
    value = encode(call).decode() if isinstance(call, CallNews) else ""
    return f"call|{call.device}|{call.peer}", value


def _is_call(field: bytes | str) -> bool:
    return (field.encode() if isinstance(field, str) else field).startswith(b"call|")


def _up_json(instance: str, device: bytes | str, value: bytes | str) -> bytes:
    """A hash entry as the Up message it stands for (parsed and checked like one)."""
    try:
        text = value.decode() if isinstance(value, bytes) else value
        field = device.decode() if isinstance(device, bytes) else device
        name, peer = field.split("|", 1)
        role, since = text.split("|", 1)
        body = {"k": "up", "instance": instance, "device": name, "peer": peer,
                "role": role, "since": int(since)}  # fmt: skip
    except (ValueError, UnicodeDecodeError):
        return b"{}"  # dropped as invalid by the caller
    return json.dumps(body).encode()
