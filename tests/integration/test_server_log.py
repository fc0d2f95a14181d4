"""The server's own log: a redacted file in the fleet's state folder, and revoking a
device removes what it says about it (`fleet revoke`, and the server itself)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
from aiohttp import WSMsgType

from pairing.ca import new_key
from pairing.enrollment import create_request
from pairing.fleet import init_fleet, pair, revoke
from pairing.roles import Role
from privacy.files import logs_dir, state_dir
from signaling.tls import client_context
from tests.support.pki import TestFleet

KLASGENOOT = Path(sys.executable).with_name("klasgenoot")
PASS = "correct horse battery"


def _pairing(data: Path, out: Path) -> tuple[str, str, str]:
    s, c = new_key(), new_key()
    result = pair(data, PASS, create_request(s, Role.STUDENT), create_request(c, Role.CLASSROOM),
                  until=dt.date.today() + dt.timedelta(days=30), out_dir=out)  # fmt: skip
    return result.pairing_id, result.student_id.short, result.classroom_id.short


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KLASGENOOT_FLEET_PASSPHRASE": PASS}
    return subprocess.run([str(KLASGENOOT), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip


def test_server_writes_its_own_redacted_log(tmp_path: Path) -> None:
    data = tmp_path / "fleet"
    init_fleet(data, PASS)
    proc = subprocess.Popen(
        [str(KLASGENOOT), "server", "--data", str(data), "--host", "127.0.0.1", "--port", "0",
         "--no-health"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("listening on port")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = (logs_dir(state_dir(data)) / "klasgenoot.log").read_text()
    assert "signaling server listening" in text and "127.0.0.1" not in text


def test_revoke_purges_the_server_log_about_those_devices(tmp_path: Path) -> None:
    data = tmp_path / "fleet"
    init_fleet(data, PASS)
    gone = _pairing(data, tmp_path / "a")
    kept = _pairing(data, tmp_path / "b")
    log = logs_dir(state_dir(data)) / "klasgenoot.log"
    log.parent.mkdir(parents=True)
    lines = [f"INFO signaling.hub: device {short} online (student)\n" for short in gone[1:]]
    lines += [f"INFO signaling.hub: device {short} online (student)\n" for short in kept[1:]]
    lines.append("INFO signaling.server: signaling server listening on port 8443\n")
    log.write_text("".join(lines))

    result = _run("fleet", "revoke", "--data", str(data), gone[0])
    assert result.returncode == 0, result.stderr
    assert "2 regels" in result.stdout
    text = log.read_text()
    assert all(short not in text for short in gone[1:])
    assert all(short in text for short in kept[1:]) and "listening" in text


async def _serve(data: Path) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(
        str(KLASGENOOT), "server", "--data", str(data), "--port", "0", "--no-health",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    assert line.startswith("listening on port "), line
    return proc, int(line.rsplit(" ", 1)[1])


async def _stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 0, stderr.decode()


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def _text(log: Path) -> str:
    return log.read_text() if log.exists() else ""


async def test_the_server_purges_what_it_logs_about_a_device_it_sees_revoked(
    fleet: TestFleet,
) -> None:
    # No issued.json here: the server knows the device from its certificate alone.
    student, classroom = fleet.pair()
    log = logs_dir(state_dir(fleet.folder)) / "klasgenoot.log"
    proc, port = await _serve(fleet.folder)
    url = f"wss://localhost:{port}/ws"
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(url, ssl=client_context(student)) as s_ws,
            session.ws_connect(url, ssl=client_context(classroom)),
        ):
            shorts = (student.device_id.short, classroom.device_id.short)
            await _until(lambda: all(f"device {s} online" in _text(log) for s in shorts))
            fleet.revoke(student.info.serial)
            async with asyncio.timeout(5):
                while (msg := await s_ws.receive()).type is not WSMsgType.CLOSE:
                    assert msg.type is not WSMsgType.CLOSED
            assert msg.data == 4003  # the close frame's code (a late reply makes close_code 1006)
            await _until(lambda: "purged" in _text(log))
            # Gone: "online", and also "closing …: revoked" and "offline", written after.
            assert student.device_id.short not in _text(log)
            assert f"device {classroom.device_id.short} online" in _text(log)
    finally:
        await _stop(proc)
    assert student.device_id.short not in _text(log)


async def test_the_server_purges_at_start_what_a_crl_revoked_while_it_was_stopped(
    tmp_path: Path,
) -> None:
    data = tmp_path / "fleet"
    init_fleet(data, PASS)
    gone = _pairing(data, tmp_path / "a")
    kept = _pairing(data, tmp_path / "b")
    log = logs_dir(state_dir(data)) / "klasgenoot.log"
    log.parent.mkdir(parents=True)
    log.write_text(
        "".join(f"INFO signaling.hub: device {s} offline\n" for s in gone[1:] + kept[1:])
    )
    revoke(data, PASS, gone[0])  # the library call: nothing purges the log here
    assert gone[1] in log.read_text()

    proc, _ = await _serve(data)  # it finds the devices behind the serials in issued.json
    try:
        await _until(lambda: "purged 2 log lines" in _text(log))
    finally:
        await _stop(proc)
    text = log.read_text()
    assert all(short not in text for short in gone[1:])
    assert all(short in text for short in kept[1:])
