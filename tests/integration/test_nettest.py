"""The network self-test against the real signaling server and a real coturn on loopback."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from common.paths import ensure_private_dir, write_private_file
from media.netcheck import CheckName, NetReport, Outcome, Step, lines
from media.nettest import run_nettest
from signaling.config import ServerConfig
from signaling.server import RunningServer
from tests.support.coturn import Coturn, free_port, running_coturn
from tests.support.pki import TestFleet
from tests.support.signaling import no_addresses_in_logs, serve

FAST = ServerConfig(close_timeout=1.0, crl_poll=0.2)
RELAYS = (CheckName.TURN_UDP, CheckName.TURN_TCP, CheckName.TURN_TLS)

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)


@pytest.fixture
def coturn(tmp_path: Path, fleet: TestFleet) -> Iterator[Coturn]:
    folder = tmp_path / "coturn"
    folder.mkdir()
    with running_coturn(folder, fleet.ca) as relay:
        yield relay


def with_turn_secret(fleet: TestFleet, secret: bytes) -> None:
    turn = ensure_private_dir(fleet.folder / "turn")
    write_private_file(turn / "turn-secret", secret + b"\n")
    write_private_file(turn / "pseudonym-key", bytes(range(32)).hex().encode() + b"\n")


@contextlib.asynccontextmanager
async def server_of(fleet: TestFleet) -> AsyncIterator[RunningServer]:
    async for server in serve(fleet, FAST):
        yield server


def ice(relay: Coturn) -> list[dict[str, Any]]:
    return [{"urls": [f"stun:127.0.0.1:{relay.port}", *relay.urls().values()]}]


def outcomes(report: NetReport) -> dict[CheckName, Outcome]:
    return {check.name: check.outcome for check in report.checks}


async def test_all_green_with_progress_for_every_check(fleet: TestFleet, coturn: Coturn) -> None:
    with_turn_secret(fleet, coturn.secret)
    student, _ = fleet.pair()
    steps: list[Step] = []
    async with server_of(fleet) as server:
        started = time.monotonic()
        report = await run_nettest(
            student, [f"wss://localhost:{server.port}/ws"], ice(coturn), steps.append
        )
        took = time.monotonic() - started
    assert outcomes(report) == dict.fromkeys(CheckName, Outcome.OK), lines(report)
    assert report.call_possible and took < 20
    throughput = report.get(CheckName.THROUGHPUT)
    assert throughput is not None and throughput.kbit_s is not None
    assert throughput.kbit_s >= 2000  # loopback carries the whole capped rate
    assert "heen en terug" in throughput.text
    rtt = report.get(CheckName.ROUND_TRIP)
    assert rtt is not None and rtt.ms is not None and 0 < rtt.ms < 150
    # Each check is announced, then reported, in order.
    started_names = [s.name for s in steps if s.check is None]
    finished_names = [s.name for s in steps if s.check is not None]
    assert finished_names == list(CheckName)
    assert set(started_names) == set(CheckName)
    dns = report.get(CheckName.DNS)
    assert dns is not None and "localhost is gevonden" in dns.text


async def test_without_turn_a_clear_warning(fleet: TestFleet, coturn: Coturn) -> None:
    student, _ = fleet.pair()  # the fleet folder holds no TURN secret
    async with server_of(fleet) as server:
        report = await run_nettest(student, [f"wss://127.0.0.1:{server.port}/ws"], ice(coturn))
    credential = report.get(CheckName.CREDENTIAL)
    assert credential is not None and credential.outcome is Outcome.WARNING
    assert "TURN" in credential.text and "fleet turn" in credential.advice
    dns = report.get(CheckName.DNS)
    assert dns is not None and dns.outcome is Outcome.OK and "IP-adres" in dns.text
    assert all(outcomes(report)[name] is Outcome.SKIPPED for name in RELAYS)
    assert report.call_possible  # direct paths may still work; the warning says so


async def test_server_down_is_a_failure_with_advice(fleet: TestFleet) -> None:
    student, _ = fleet.pair()
    port = free_port()  # nothing listens there
    report = await run_nettest(student, [f"wss://localhost:{port}/ws"], [])
    tcp = report.get(CheckName.TCP)
    assert tcp is not None and tcp.outcome is Outcome.FAILED
    assert f"poort {port}" in tcp.text and "Is de server gestart?" in tcp.advice
    assert outcomes(report)[CheckName.TLS] is Outcome.SKIPPED
    assert not report.call_possible
    assert "lukt een gesprek niet" in lines(report)[-1]


async def test_a_revoked_device_is_told_so(fleet: TestFleet, coturn: Coturn) -> None:
    with_turn_secret(fleet, coturn.secret)
    student, _ = fleet.pair()
    fleet.revoke(student.info.serial)
    async with server_of(fleet) as server:
        report = await run_nettest(student, [f"wss://localhost:{server.port}/ws"], ice(coturn))
    credential = report.get(CheckName.CREDENTIAL)
    assert credential is not None and credential.outcome is Outcome.FAILED
    assert "ingetrokken" in credential.text
    assert not report.call_possible


async def test_a_wrong_turn_secret_is_named(fleet: TestFleet, coturn: Coturn) -> None:
    with_turn_secret(fleet, b"0123456789abcdef0123456789abcdef")  # not coturn's
    student, _ = fleet.pair()
    async with server_of(fleet) as server:
        report = await run_nettest(student, [f"wss://localhost:{server.port}/ws"], ice(coturn))
    for name in RELAYS:
        check = report.get(name)
        assert check is not None and check.outcome is Outcome.FAILED
        assert "weigert de inloggegevens" in check.text and "TURN-geheim" in check.advice
    assert not report.call_possible


async def test_the_whole_test_keeps_to_its_budget(fleet: TestFleet, coturn: Coturn) -> None:
    with_turn_secret(fleet, coturn.secret)
    student, _ = fleet.pair()
    async with server_of(fleet) as server:
        started = time.monotonic()
        report = await run_nettest(
            student, [f"wss://localhost:{server.port}/ws"], ice(coturn), budget=3.0
        )
        took = time.monotonic() - started
    assert took < 4.0  # the throughput run shrinks to what is left
    assert report.get(CheckName.THROUGHPUT) is not None


async def test_every_server_of_the_bundle_is_tried(fleet: TestFleet, coturn: Coturn) -> None:
    """A bundle with several servers (issue 14): the device moves to another when its
    own goes away, so one that cannot be reached from here is worth a warning."""
    with_turn_secret(fleet, coturn.secret)
    student, _ = fleet.pair()
    down = free_port()  # nothing listens there
    async with server_of(fleet) as one, server_of(fleet) as two:
        both = [f"wss://localhost:{one.port}/ws", f"wss://localhost:{two.port}/ws"]
        report = await run_nettest(student, both, ice(coturn))
        assert outcomes(report) == dict.fromkeys(CheckName, Outcome.OK), lines(report)
        tls = report.get(CheckName.TLS)
        assert tls is not None and tls.text.startswith("Alle 2 servers:")
        first_down = [f"wss://localhost:{down}/ws", f"wss://localhost:{two.port}/ws"]
        report = await run_nettest(student, first_down, ice(coturn))
    tcp = report.get(CheckName.TCP)
    assert tcp is not None and tcp.outcome is Outcome.WARNING, lines(report)
    assert tcp.text.startswith("1 van de 2 servers:") and f"poort {down}" in tcp.text
    assert "uitwijken" in tcp.text and f"TCP {down}" in tcp.advice
    assert outcomes(report)[CheckName.TLS] is Outcome.OK  # the one that answered
    assert outcomes(report)[CheckName.CREDENTIAL] is Outcome.OK
    assert report.call_possible
    assert "niet alles werkt" in report.summary
