"""`klasgenoot server` under systemd's notify protocol (Type=notify, WatchdogSec=): a
real server process against a fake notify socket, and under `systemd-run` where a
running systemd is there."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.test_cli_server import REPO, command, read_port
from tests.support.pki import TestFleet


async def test_the_server_says_ready_feeds_the_watchdog_and_says_stopping(
    fleet: TestFleet, tmp_path: Path
) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "NOTIFY_SOCKET": str(tmp_path / "notify"),
        "WATCHDOG_USEC": "1000000",  # WatchdogSec=1: a ping every half second
    }
    env.pop("WATCHDOG_PID", None)
    proc = await asyncio.create_subprocess_exec(
        *command(), "server", "--data", str(fleet.folder), "--host", "127.0.0.1",
        "--port", "0", "--no-health",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=REPO, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        await read_port(proc.stdout, "listening on port ")
        messages = []
        started = time.monotonic()
        while messages.count(b"WATCHDOG=1") < 3:
            messages.append(await asyncio.wait_for(loop.sock_recv(sock, 4096), 10))
        assert messages[0] == b"READY=1"  # readiness first, once it listens
        assert time.monotonic() - started < 5  # ~0.5 s apart, well within WatchdogSec
        proc.send_signal(signal.SIGTERM)
        while (message := await asyncio.wait_for(loop.sock_recv(sock, 4096), 10)) != (
            b"STOPPING=1"
        ):
            assert message == b"WATCHDOG=1"
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 15)
        sock.close()
    assert proc.returncode == 0, stderr.decode()


@pytest.mark.skipif(
    shutil.which("systemd-run") is None or not Path("/run/systemd/system").is_dir(),
    reason="no running systemd here (a container): the fake socket above stands in",
)
def test_under_systemd_run_the_unit_becomes_active_only_when_ready(fleet: TestFleet) -> None:
    unit = f"klasgenoot-test-{os.getpid()}"
    # Type=notify: systemd-run returns only once the unit is active, that is after
    # READY=1, or fails when the server never says it.
    start = subprocess.run(
        ["systemd-run", f"--unit={unit}", "--property=Type=notify",
         "--property=WatchdogSec=5", f"--setenv=PYTHONPATH={REPO}",
         *command(), "server", "--data", str(fleet.folder), "--host", "127.0.0.1",
         "--port", "0", "--no-health"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    try:
        assert start.returncode == 0, start.stderr
        time.sleep(6)  # past WatchdogSec: still active, so the pings arrive
        assert subprocess.run(["systemctl", "is-active", unit], check=False).returncode == 0
    finally:
        subprocess.run(["systemctl", "stop", unit], check=False, timeout=30)
