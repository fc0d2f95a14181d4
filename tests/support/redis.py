"""A real redis-server for the tests: the demo's own runner (app.demo.servers)."""

from __future__ import annotations

from pathlib import Path

from app.demo.servers import RedisProcess as RedisServer

__all__ = ["RedisServer", "redis_server"]


def redis_server(tmp_path: Path) -> RedisServer:
    """Not started yet: call ``start()`` (and ``stop()`` after)."""
    return RedisServer(tmp_path / "redis")
