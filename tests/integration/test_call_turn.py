"""A call relayed by a real coturn over each transport: UDP, TCP, and TLS checked
against the fleet CA only (never the system store)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from media.session import SessionSettings
from media.state import CallState
from media.turnprobe import probe, turn_tls_context
from media.turnurls import split
from pairing.ca import create_ca
from privacy.export import open_for_reading, read_rows
from privacy.store import ConnectionLog
from tests.support.calls import make_engine, running, wait_until
from tests.support.coturn import Coturn, running_coturn
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Coturn, TestFleet]]:
    folder = tmp_path_factory.mktemp("coturn")
    fleet = TestFleet(folder / "fleet")
    with running_coturn(folder, fleet.ca) as turn:
        yield turn, fleet


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
async def test_a_relayed_call_over_each_transport(
    coturn: tuple[Coturn, TestFleet], transport: str, tmp_path: Path
) -> None:
    turn, fleet = coturn
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    servers = [{"urls": [turn.urls()[transport]]}]
    settings = SessionSettings(relay_only=True)  # no host path: only the relay can carry it
    log = ConnectionLog.open(tmp_path / "student")
    es, rs = make_engine(
        student, relay.port, settings=settings, stats_interval=0.2, ice_servers=servers,
        connection_log=log,
    )  # fmt: skip
    ec, rc = make_engine(
        classroom, relay.port, settings=settings, stats_interval=0.2, ice_servers=servers
    )
    await es.turn_received(turn.login())
    await ec.turn_received(turn.login())
    async with running(ec, es):
        await wait_until(
            lambda: rs.state is CallState.LIVE and rc.state is CallState.LIVE, 20, "live"
        )
        await wait_until(lambda: bool(rs.video_times and rc.video_times), 10, "frames")
        await wait_until(
            lambda: bool(rs.stats) and rs.stats[-1].relay_protocol == transport, 10, "stats"
        )
        assert rs.stats[-1].candidate_type == "relay"
    # The connection log keeps the path: the candidate type and how the relay was reached.
    conn = open_for_reading(tmp_path / "student")
    assert conn is not None
    sessions = read_rows(conn, "sessions")
    conn.close()
    assert [(s["candidate_type"], s["relay_protocol"]) for s in sessions] == [("relay", transport)]


async def test_tls_to_the_relay_trusts_only_the_fleet_ca(
    coturn: tuple[Coturn, TestFleet],
) -> None:
    turn, fleet = coturn
    endpoint = split([{"urls": [turn.urls()["tls"]]}]).endpoints()[0]
    ours = await probe(endpoint, turn.login(), turn_tls_context(fleet.ca.certificate))
    assert ours.ok, ours
    other_ca = turn_tls_context(create_ca().certificate)
    refused = await probe(endpoint, turn.login(), other_ca)
    assert not refused.ok and refused.error == "tls"
    system = await probe(endpoint, turn.login(), ssl.create_default_context())
    assert not system.ok
    no_context = await probe(endpoint, turn.login(), None)
    assert not no_context.ok and no_context.error == "no-tls-context"


async def test_an_expired_or_forged_credential_gets_no_allocation(
    coturn: tuple[Coturn, TestFleet],
) -> None:
    turn, fleet = coturn
    endpoint = split([{"urls": [turn.urls()["udp"]]}]).endpoints()[0]
    tls = turn_tls_context(fleet.ca.certificate)
    assert (await probe(endpoint, turn.login(), tls)).ok
    expired = await probe(endpoint, turn.login(lifetime=-60), tls)
    forged = await probe(endpoint, turn.login(secret=b"not the secret"), tls)
    assert not expired.ok and not forged.ok
