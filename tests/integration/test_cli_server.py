"""`klasgenoot server` as an operator runs it: a real process, a real client, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from signaling.client import SignalingClient
from signaling.events import Connected
from tests.support.pki import TestFleet

REPO = Path(__file__).resolve().parents[2]


def command() -> list[str]:
    """The installed entry point, or the module when the tree is not installed."""
    script = Path(sys.executable).parent / "klasgenoot"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "app.cli"]


async def read_port(stream: asyncio.StreamReader, prefix: str) -> int:
    line = (await asyncio.wait_for(stream.readline(), 30)).decode()
    assert line.startswith(prefix), line
    return int(line.rsplit(" ", 1)[1])


async def test_the_server_command_serves_and_stops_on_sigterm(fleet: TestFleet) -> None:
    args = ["server", "--data", str(fleet.folder), "--host", "127.0.0.1"]
    proc = await asyncio.create_subprocess_exec(
        *command(),
        *args,
        "--port",
        "0",
        "--health-port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert proc.stdout is not None
        port = await read_port(proc.stdout, "listening on port ")
        health_port = await read_port(proc.stdout, "health on port ")

        client = SignalingClient(f"wss://localhost:{port}/ws", fleet.pair()[0])
        await client.start()
        try:
            event = await asyncio.wait_for(client.events.get(), 10)
            assert isinstance(event, Connected)
        finally:
            await client.stop()

        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{health_port}/health") as resp,
        ):
            assert resp.status == 200
            assert (await resp.text()).startswith("ok ")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    assert b"127.0.0.1" not in stderr  # no address in the server's log


async def test_a_missing_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        *command(),
        "server",
        "--data",
        str(tmp_path / "none"),
        "--port",
        "0",
        "--no-health",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert b"Traceback" not in stderr
    assert "servermap" in stderr.decode()
