"""The demo's signaling: one embedded server, or several instances on a Redis of their own.

``--servers 2`` starts Debian's ``redis-server`` on a free loopback port in a
temporary folder (never persisted) and two instances sharing it, exactly as
``klasgenoot server --redis URL`` runs them in the field; the two devices of the demo
pair then connect to different instances. Everything stops again afterwards.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from common.errors import KlasgenootError
from signaling.backplane.redisbus import RedisBackplane
from signaling.server import RunningServer, start_server

READY_WITHIN = 10.0


class RedisMissing(KlasgenootError):
    """Voor meer dan één server heeft de demo redis-server nodig. Installeer het pakket
    redis-server (./dev setup doet dat)."""


class RedisProcess:
    """A redis-server on 127.0.0.1 and a free port; ``restart`` keeps the port."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            raise RedisMissing("redis-server")
        self.folder = folder
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # A fixed command: redis-server by name from PATH, our own port and folder.
        self._proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            if self.answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RedisMissing("redis-server did not start")

    def command(self) -> list[str]:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        return [*command, "--logfile", str(self.folder / "redis.log")]

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def restart(self) -> None:
        self.stop()
        self.start()


class DemoServers:
    """The running instances and, with more than one, their Redis."""

    def __init__(self) -> None:
        self.running: list[RunningServer] = []
        self._redis: RedisProcess | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    async def start(cls, data: Path, count: int) -> DemoServers:
        servers = cls()
        try:
            if count == 1:
                servers.running.append(await start_server(data, "127.0.0.1", 0))
                return servers
            servers._folder = tempfile.TemporaryDirectory(prefix="klasgenoot-redis-")
            servers._redis = RedisProcess(Path(servers._folder.name))
            servers._redis.start()
            for n in range(1, count + 1):
                backplane = RedisBackplane(servers._redis.url, f"instance-{n}")
                servers.running.append(
                    await start_server(data, "127.0.0.1", 0, backplane=backplane)
                )
                await asyncio.wait_for(backplane.up_once.wait(), READY_WITHIN)
        except BaseException:
            await servers.stop()
            raise
        return servers

    @property
    def urls(self) -> list[str]:
        return [f"wss://127.0.0.1:{server.port}/ws" for server in self.running]

    def instances(self) -> dict[str, str]:
        """Role -> the instance that holds that device's connection right now."""
        return {
            link.info.role.value: server.hub.instance
            for server in self.running
            for link in server.hub.links()
        }

    async def stop(self) -> None:
        for server in self.running:
            await server.stop()
        self.running.clear()
        if self._redis is not None:
            self._redis.stop()
        if self._folder is not None:
            self._folder.cleanup()
