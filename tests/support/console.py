"""The helpdesk console's tests: a real fleet, the real signaling server and console
processes, and the ``klasgenoot`` command as an operator or technician runs it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyotp

KLASGENOOT = shutil.which("klasgenoot", path=str(Path(sys.executable).parent)) or "klasgenoot"
PASS = "correct horse battery"
PASSWORD = "a long enough password"


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KLASGENOOT_")}
    return base | {
        "KLASGENOOT_FLEET_PASSPHRASE": PASS,
        "KLASGENOOT_CONSOLE_PASSWORD": PASSWORD,
        "KLASGENOOT_DEV_KEYRING": "1",
        "QT_QPA_PLATFORM": "offscreen",
        **extra,
    }


def run(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KLASGENOOT, *args], env=env(), capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip


def ok(*args: str) -> str:
    done = run(*args)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Account:
    name: str
    totp: pyotp.TOTP

    def code(self) -> str:
        """A code for a login; waits for the next time step if this one was used."""
        return self.totp.now()


def add_user(fleet: Path, name: str, role: str) -> Account:
    out = ok("console", "user", "add", name, "--role", role, "--data", str(fleet))
    uri = next(line for line in out.splitlines() if line.startswith("otpauth://"))
    return Account(name, pyotp.parse_uri(uri))  # type: ignore[arg-type]


@dataclass
class Started:
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)


def _start(args: list[str], want: list[str], timeout: float = 60) -> tuple[Started, list[int]]:
    proc = subprocess.Popen(
        [KLASGENOOT, *args], env=env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    started, ports = Started(proc), []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while len(ports) < len(want):
        assert time.monotonic() < deadline, f"{args[0]} did not start"
        line = proc.stdout.readline()
        assert line, f"{args[0]} ended: {proc.wait()}"
        started.lines.append(line)
        match = re.match(rf"{want[len(ports)]} on port (\d+)", line)
        if match:
            ports.append(int(match.group(1)))
    return started, ports


def _stop(started: Started) -> None:
    if started.proc.poll() is None:
        started.proc.terminate()
        try:
            started.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            started.proc.kill()
            started.proc.wait()


@dataclass(frozen=True)
class Services:
    fleet: Path
    console_port: int
    health_port: int

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.console_port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def init_fleet(folder: Path) -> int:
    """A fleet whose bundles point at a free port; returns that port for the server."""
    port = free_port()
    ok("fleet", "init", "--data", str(folder), "--signaling-url", f"wss://localhost:{port}/ws")
    return port


@contextmanager
def services(fleet: Path, signaling_port: int) -> Iterator[Services]:
    """The signaling server and the console next to it, on loopback ports."""
    server, (_, health) = _start(
        ["server", "--data", str(fleet), "--port", str(signaling_port), "--health-port", "0"],
        ["listening", "health"],
    )
    try:
        console, (port,) = _start(
            ["console", "--data", str(fleet), "--port", "0",
             "--status-url", f"http://127.0.0.1:{health}/status"],
            ["listening"],
        )  # fmt: skip
        try:
            yield Services(fleet, port, health)
        finally:
            _stop(console)
    finally:
        _stop(server)


@contextmanager
def device(role: str, config: Path) -> Iterator[subprocess.Popen[str]]:
    """A real device process (the kiosk app with synthetic camera and sound)."""
    proc = subprocess.Popen(
        [KLASGENOOT, role, "--config", str(config), "--synthetic"], env=env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        yield proc
    finally:
        _stop(Started(proc))
