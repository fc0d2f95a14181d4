"""``klasgenoot nettest`` as a technician runs it: the real command against the real
server and a real coturn on loopback; exit 0 when a call is possible, 1 when not."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from signaling.server import start_server
from tests.support.coturn import free_port, running_coturn
from tests.support.enrolled import new_fleet

KLASGENOOT = Path(sys.executable).with_name("klasgenoot")


async def nettest(device: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(KLASGENOOT), "nettest", "--config", str(device), "--dev-keyring",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
def port() -> int:
    return free_port()


async def test_a_working_network_exits_0_with_progress(tmp_path: Path, port: int) -> None:
    fleet = new_fleet(tmp_path, f"wss://localhost:{port}/ws")
    folder = tmp_path / "coturn"
    folder.mkdir()
    with running_coturn(folder, fleet.ca) as relay:
        device = fleet.enroll_student(
            [{"urls": [f"stun:127.0.0.1:{relay.port}", *relay.urls().values()]}]
        )
        fleet.set_turn_secret(relay.secret)
        server = await start_server(fleet.folder, "127.0.0.1", port)
        try:
            code, out, err = await nettest(device)
        finally:
            await server.stop()
    assert code == 0, out + err
    assert "… Naam van de server opzoeken (DNS)" in err  # progress while it runs
    assert "OK: Doorvoer via de TURN-server" in err
    assert "[OK] TURN-server via TLS: Werkt" in out
    assert "Alles werkt: Klasgenoot kan vanaf dit netwerk bellen." in out
    assert "Traceback" not in err
    assert "127.0.0.1" not in err  # log lines and progress: no address


async def test_server_down_exits_1_with_advice(tmp_path: Path, port: int) -> None:
    device = new_fleet(tmp_path, f"wss://localhost:{port}/ws").enroll_student()  # nobody listens
    code, out, err = await nettest(device)
    assert code == 1
    assert f"[MISLUKT] Verbinding met de server (TCP): localhost poort {port}" in out
    assert "Advies:" in out and "Vanaf dit netwerk lukt een gesprek niet" in out
    assert "Traceback" not in err


async def test_a_folder_that_is_not_enrolled_is_one_dutch_sentence(tmp_path: Path) -> None:
    code, _out, err = await nettest(tmp_path)
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("klasgenoot: Dit apparaat is nog niet gekoppeld")
    assert "Traceback" not in err
