"""`klasgenoot server` as an operator runs it: a real process, a real client, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import stat
import sys
from pathlib import Path

import aiohttp
import pytest

from privacy.files import logs_dir, state_dir
from signaling.client import SignalingClient
from signaling.errors import AddressNotLocal, PortInUse, ServerConfigError
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


async def run_server(*args: str) -> tuple[int | None, str, str]:
    """A server start that is expected to end by itself: exit code, stdout, stderr."""
    proc = await asyncio.create_subprocess_exec(
        *command(),
        "server",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    return proc.returncode, stdout.decode(), stderr.decode()


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder below ``folder`` (folders as None)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in folder.rglob("*")
    }


def one_refusal(code: int | None, stderr: str, message: str) -> None:
    """Exit 1 and nothing on stderr but the one Dutch sentence."""
    assert code == 1, stderr
    assert stderr.startswith(f"klasgenoot: {message}"), stderr
    assert stderr.count("\n") == 1, stderr


async def test_a_missing_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    code, _, stderr = await run_server(
        "--data", str(tmp_path / "none"), "--port", "0", "--no-health"
    )
    one_refusal(code, stderr, ServerConfigError.message())
    assert "servermap" in stderr
    assert not (tmp_path / "none").exists()


async def test_an_empty_data_folder_is_refused_and_left_empty(tmp_path: Path) -> None:
    code, _, stderr = await run_server("--data", str(tmp_path), "--port", "0", "--no-health")
    one_refusal(code, stderr, ServerConfigError.message())
    assert "ca.pem" in stderr  # it names what is missing
    assert tree(tmp_path) == {}


async def test_a_port_in_use_is_named_and_changes_nothing(fleet: TestFleet) -> None:
    before = tree(fleet.folder)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, stdout, stderr = await run_server(
            "--data", str(fleet.folder), "--port", port, "--no-health"
        )
        one_refusal(code, stderr, PortInUse.message())
        code, stdout, stderr = await run_server(
            "--data", str(fleet.folder), "--port", "0", "--health-port", port
        )
        one_refusal(code, stderr, PortInUse.message())
        assert "health port" in stderr
    assert stdout == ""  # no "listening on port": it never listened
    assert tree(fleet.folder) == before  # no state/, no log


async def test_an_address_of_another_machine_is_not_called_in_use(fleet: TestFleet) -> None:
    code, _, stderr = await run_server(
        "--data", str(fleet.folder), "--host", "192.0.2.1", "--port", "0", "--no-health"
    )  # TEST-NET-1: never an address of this machine
    one_refusal(code, stderr, AddressNotLocal.message())
    assert "gebruik" not in stderr


@pytest.mark.parametrize(
    "option", [("--port", "99999"), ("--port", "-1"), ("--health-port", "70000"), ("--port", "x")]
)
async def test_a_port_out_of_range_is_a_usage_error(
    fleet: TestFleet, option: tuple[str, str]
) -> None:
    before = tree(fleet.folder)
    code, stdout, stderr = await run_server("--data", str(fleet.folder), *option)
    assert code == 2, stderr
    assert f"{option[0]}: '{option[1]}' is geen poortnummer (0 tot en met 65535" in stderr
    assert "Traceback" not in stderr and stdout == ""
    assert tree(fleet.folder) == before


@pytest.mark.parametrize("count", ["9", "-1", "x"])
async def test_a_handshake_thread_count_out_of_range_is_a_usage_error(
    fleet: TestFleet, count: str
) -> None:
    before = tree(fleet.folder)
    code, stdout, stderr = await run_server(
        "--data", str(fleet.folder), "--handshake-threads", count
    )
    assert code == 2, stderr
    assert f"--handshake-threads: '{count}' is geen aantal threads (0 tot en met 8)" in stderr
    assert "Traceback" not in stderr and stdout == ""
    assert tree(fleet.folder) == before


async def start(fleet: TestFleet, *extra: str) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(
        *command(),
        "server", "--data", str(fleet.folder), "--port", "0", "--no-health", *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, await read_port(proc.stdout, "listening on port ")


async def stop(proc: asyncio.subprocess.Process) -> str:
    proc.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_the_server_logs_to_its_file_and_to_stderr_only_when_asked(
    fleet: TestFleet,
) -> None:
    log = logs_dir(state_dir(fleet.folder)) / "klasgenoot.log"
    proc, port = await start(fleet)
    stderr = await stop(proc)
    assert stderr == ""  # not one log line: they went to the file
    assert f"signaling server listening on port {port}" in log.read_text()

    proc, port = await start(fleet, "--log-console")
    stderr = await stop(proc)
    assert stderr.count(f"signaling server listening on port {port}") == 1  # once, not twice
    assert stderr.count("signaling server stopped") == 1
    assert log.read_text().count(f"signaling server listening on port {port}") == 1


async def test_the_state_folder_is_private(fleet: TestFleet) -> None:
    proc, _ = await start(fleet)
    await stop(proc)
    for folder in (state_dir(fleet.folder), logs_dir(state_dir(fleet.folder))):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
