"""A real redis-server on a free loopback port, in a temporary folder, never persisted.

Started and stopped by the tests themselves (Debian's ``redis-server``; ./dev installs
it). ``restart`` keeps the port, as a restarted Redis behind the same name would.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

READY_WITHIN = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        command += ["--logfile", str(self.folder / "redis.log")]
        self._proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError("redis-server ended at start")
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer")

    def _answers(self) -> bool:
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


def redis_server(tmp_path: Path) -> RedisServer:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (./dev setup installs it)")
    return RedisServer(tmp_path / "redis")
