"""A fleet that names one signaling URL per server instance: the URLs travel from
``fleet init`` through the bundle into the device, and the device reaches the instance
that is up when the first one it tries is not."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from app.runtime import DeviceRuntime
from signaling.client import SignalingClient
from signaling.config import ClientConfig
from signaling.events import Connected, Disconnected, DisconnectReason
from signaling.server import start_server
from tests.integration.test_cli_pairing import Cli
from tests.integration.test_signaling_client import expect
from tests.support.enrolled import new_fleet


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_device_from_a_two_url_bundle_reaches_the_instance_that_is_up(
    tmp_path: Path,
) -> None:
    live = dead_port()  # free now; the server takes it below
    urls = [f"wss://localhost:{dead_port()}/ws", f"wss://127.0.0.1:{live}/ws"]
    fleet = new_fleet(tmp_path, urls)
    device = fleet.enroll_student()
    runtime = DeviceRuntime.load(device, dev_keyring=True)
    assert runtime.signaling_urls == tuple(urls)  # what the engine's client is given
    server = await start_server(fleet.folder, "127.0.0.1", live)
    config = ClientConfig(backoff_initial=8.0, backoff_max=8.0, connect_timeout=3.0)
    client = SignalingClient(
        runtime.signaling_urls, runtime.device.credentials, config=config, start_at=0
    )
    try:
        await client.start()
        assert await expect(client, Disconnected) == Disconnected(DisconnectReason.UNREACHABLE)
        await expect(client, Connected, timeout=3.0)
        assert client.url == urls[1]  # the certificate names 127.0.0.1 as well
    finally:
        await client.stop()
        await server.stop()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_fleet_init_takes_one_url_per_instance(cli: Cli, tmp_path: Path) -> None:
    out = cli.ok(
        "fleet", "init", "--data", "fleet", "--server-name", "signal.school.nl",
        "--signaling-url", "wss://signal-a.school.nl/ws",
        "--signaling-url", "wss://signal-b.school.nl/ws",
    )  # fmt: skip
    assert "Signaleringsserver: wss://signal-a.school.nl/ws" in out
    assert "Signaleringsserver: wss://signal-b.school.nl/ws" in out
    settings = json.loads((tmp_path / "fleet" / "fleet.json").read_text())
    assert settings["signaling_url"] == [
        "wss://signal-a.school.nl/ws",
        "wss://signal-b.school.nl/ws",
    ]
    sheet = cli.ok("fleet", "it-sheet", "--data", "fleet")
    assert "| signal-a.school.nl | 443 |" in sheet and "| signal-b.school.nl | 443 |" in sheet
