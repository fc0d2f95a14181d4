"""Calls across the network lab: a home NAT, a carrier NAT and a hospital Wi-Fi that
blocks UDP, each to a school that lets out only TCP 443, through the real coturn.

Needs root (namespaces): CI runs as root and `./dev` installs iproute2, iptables and
coturn, so there these tests run; only a developer without root skips them.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aioice.stun import TransactionFailed
from aioice.turn import TurnClientUdpProtocol

import netlab
from app.demo.network import lab_network, run_network_demo
from app.demo.workspace import Workspace, prepare
from pairing.turnfiles import TURN_DIR, TURN_SECRET
from signaling.turn import mint

if os.geteuid() != 0:
    pytest.skip("the network lab needs root (CI runs as root)", allow_module_level=True)

KLASGENOOT = Path(sys.executable).with_name("klasgenoot")


@pytest.fixture(scope="module")
def workspace() -> Iterator[Workspace]:
    made, _ = prepare(None, lab_network())
    try:
        yield made
    finally:
        made.cleanup()


def _check_call(report: dict[str, Any]) -> None:
    assert report["connected"] is True
    assert report["peer_verified"] == {"student": True, "classroom": True}
    for direction in ("classroom_to_student", "student_to_classroom"):
        assert report[direction]["frames_received"] > 0, direction
        assert report[direction]["audio_frames_received"] > 0, direction
    assert report["candidate_type"] == "relay"
    assert report["lab_leaks"] == 0  # nothing left the lab's own addresses


def test_home_to_school_goes_through_the_relay_over_tls_on_443() -> None:
    """The done-when command, as a person runs it."""
    report_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"kg-net-{os.getpid()}.json"
    try:
        done = subprocess.run(
            [str(KLASGENOOT), "demo", "--headless", "--network", "home-school",
             "--seconds", "4", "--report", str(report_path)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads(report_path.read_text())
    finally:
        report_path.unlink(missing_ok=True)
    _check_call(report)
    assert report["relay_protocol"] == "tls"
    assert report["paths"]["classroom"]["relay_protocol"] == "tls"  # the school: 443 only
    assert report["network"] == "home-school"


def test_a_carrier_nat_reaches_the_school_through_a_relay(workspace: Workspace) -> None:
    report = run_network_demo(workspace, 3, "cgnat-school")
    _check_call(report)
    # Every flow of a carrier NAT gets a new port: no direct or reflexive path.
    assert report["paths"]["classroom"]["relay_protocol"] == "tls"


def test_a_hospital_that_blocks_udp_uses_tcp_or_tls(workspace: Workspace) -> None:
    report = run_network_demo(workspace, 3, "hospital-school")
    _check_call(report)
    assert report["paths"]["student"]["relay_protocol"] in ("tcp", "tls")
    assert report["paths"]["classroom"]["relay_protocol"] == "tls"


def test_without_the_lab_tools_the_demo_says_what_is_missing_in_one_sentence() -> None:
    done = subprocess.run(
        [str(KLASGENOOT), "demo", "--headless", "--network", "home-school"],
        env={**os.environ, "PATH": "/nonexistent"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    text = done.stderr.strip()
    assert text.startswith("klasgenoot: Het netwerklab kan op deze computer niet worden gebouwd")
    assert "iptables" in text and "turnserver" in text
    assert text.count(".") == 1 and "Traceback" not in text


async def _channel_bind(secret: str, peer: str) -> int | None:
    """Allocate from the home PC and ask for a channel to ``peer``: coturn's answer."""
    credential = mint(secret.encode(), "labtest", now=__import__("time").time(), lifetime=600)
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: TurnClientUdpProtocol(
            (netlab.TURN_IP, 3478),
            username=credential.username,
            password=credential.password,
            lifetime=600,
            channel_refresh_time=500,
        ),
        remote_addr=(netlab.TURN_IP, 3478),
    )
    try:
        await asyncio.wait_for(protocol.connect(), 5)
        try:
            # A channel binding sends nothing to the peer: no packet leaves for it.
            await asyncio.wait_for(protocol.channel_bind(0x4000, (peer, 9)), 5)
        except TransactionFailed as exc:
            return int(exc.response.attributes["ERROR-CODE"][0])
        return None
    finally:
        transport.close()


def test_the_relay_refuses_loopback_the_core_and_private_lans(workspace: Workspace) -> None:
    secret = (workspace.server / TURN_DIR / TURN_SECRET).read_text().strip()
    with netlab.Lab(sites=("home", "school")) as lab:
        lab.start_coturn(workspace.turn_config)
        home = lab.loop("home")

        def answer(peer: str) -> int | None:
            return home.run(_channel_bind(secret, peer), 20)

        assert answer("127.0.0.1") == 403
        assert answer(netlab.SERVER_IP) == 403  # the signaling server next to the relay
        assert answer(lab.device_ip("school")) == 403  # a private LAN behind a NAT
        assert answer("10.0.0.1") == 403
        assert answer(lab.public_ip("school")) is None  # a site's public address: granted
        assert answer(netlab.TURN_IP) is None  # relay to relay
        assert lab.leaks() == 0
