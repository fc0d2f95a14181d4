"""A real redis-server for the tests (the demo's own runner, app.demo.servers), and a
signaling instance on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from app.demo.servers import RedisProcess as RedisServer
from signaling.backplane.redisbus import RedisBackplane
from signaling.config import ServerConfig
from signaling.server import RunningServer, start_server
from tests.support.wsdevice import wait_until

__all__ = ["FAST", "RedisServer", "instance", "redis_server", "running_redis"]

# Quick heartbeats, closes and CRL polls: the backplane tests wait on all three.
FAST = ServerConfig(heartbeat=5.0, close_timeout=1.0, crl_poll=0.2)


def redis_server(tmp_path: Path) -> RedisServer:
    """Not started yet: call ``start()`` (and ``stop()`` after)."""
    return RedisServer(tmp_path / "redis")


def running_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A started server, stopped after the test. Use as
    ``redis = pytest.fixture(running_redis)``."""
    server = redis_server(tmp_path)
    server.start()
    yield server
    server.stop()


async def instance(
    folder: Path, redis: RedisServer, name: str, config: ServerConfig = FAST
) -> RunningServer:
    """A signaling instance of the fleet in ``folder`` on ``redis``, once it is healthy."""
    backplane = RedisBackplane(redis.url, name)
    running = await start_server(folder, "127.0.0.1", 0, config, backplane=backplane,
                                 health_port=0)  # fmt: skip
    await wait_until(lambda: backplane.healthy)
    return running
