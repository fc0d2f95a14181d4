"""media.paths / media.turnurls: one TURN transport per attempt, chosen and remembered."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest

from media.paths import PathChooser, PathPlan
from media.turnprobe import ProbeResult
from media.turnurls import RelayProtocol, TurnEndpoint, attempt_servers, split

UDP, TCP, TLS = RelayProtocol.UDP, RelayProtocol.TCP, RelayProtocol.TLS
FLEET = [
    {
        "urls": [
            "stun:relay.example:3478",
            "turn:relay.example:3478?transport=udp",
            "turn:relay.example:3478?transport=tcp",
            "turns:relay.example:443?transport=tcp",
        ]
    }
]


@dataclass(frozen=True)
class Login:
    username: str = "1700000000:pseud"
    password: str = "c2VjcmV0"
    expires_at: float = time.time() + 3600


class FakeProber:
    """Answers as a network that lets through only ``open``; records each probe."""

    def __init__(self, open_: set[RelayProtocol]) -> None:
        self.open = open_
        self.calls: list[list[RelayProtocol]] = []

    async def __call__(
        self, endpoints: list[TurnEndpoint], login: object, tls: object
    ) -> dict[RelayProtocol, ProbeResult]:
        self.calls.append([e.protocol for e in endpoints])
        return {
            e.protocol: ProbeResult(e.protocol, e.protocol in self.open, 1.0, None)
            for e in endpoints
        }


def chooser(prober: FakeProber, network: list[str] | None = None) -> PathChooser:
    net = network if network is not None else ["net-a"]
    return PathChooser(FLEET, tls=None, prober=prober, network=lambda: net[0])


def test_split_finds_one_url_per_transport() -> None:
    relays = split(FLEET)
    assert relays.stun == ("stun:relay.example:3478",)
    assert [e.protocol for e in relays.endpoints()] == [UDP, TCP, TLS]
    assert relays.turn[TLS].port == 443
    assert relays.turn[TCP].host == "relay.example"


def test_attempt_servers_name_exactly_one_turn_url_with_the_credential() -> None:
    relays, login = split(FLEET), Login()
    udp = attempt_servers(relays, UDP, login)
    assert udp[0] == {"urls": ["stun:relay.example:3478"]}
    assert udp[1]["urls"] == ["turn:relay.example:3478?transport=udp"]
    assert udp[1]["username"] == login.username and udp[1]["credential"] == login.password
    tls = attempt_servers(relays, TLS, login)
    assert tls == [
        {
            "urls": ["turns:relay.example:443?transport=tcp"],
            "username": login.username,
            "credential": login.password,
        }
    ]  # no STUN: UDP to the relay did not get through
    assert attempt_servers(relays, UDP, None) == [{"urls": ["stun:relay.example:3478"]}]


async def test_a_school_that_lets_out_only_tls_starts_on_tls() -> None:
    prober = FakeProber({TLS})
    paths = chooser(prober)
    paths.set_login(Login())
    plan = await paths.plan()
    assert plan.protocol is TLS
    assert len(prober.calls) == 1


async def test_the_ladder_moves_on_after_a_failed_attempt_and_remembers_success() -> None:
    prober = FakeProber({UDP, TCP, TLS})
    paths = chooser(prober)
    paths.set_login(Login())
    first = await paths.plan()
    assert first.protocol is UDP
    paths.failed(first)
    second = await paths.plan()
    assert second.protocol is TCP
    paths.succeeded(second)
    probes = len(prober.calls)
    for _ in range(3):
        assert (await paths.plan()).protocol is TCP  # remembered, no new probe
    assert len(prober.calls) == probes


async def test_after_every_path_failed_the_ladder_starts_again() -> None:
    paths = chooser(FakeProber({UDP, TCP, TLS}))
    paths.set_login(Login())
    seen = []
    for _ in range(4):
        plan = await paths.plan()
        seen.append(plan.protocol)
        paths.failed(plan)
    assert seen == [UDP, TCP, TLS, UDP]


async def test_a_new_network_is_probed_afresh() -> None:
    prober = FakeProber({UDP, TCP, TLS})
    network = ["wifi"]
    paths = chooser(prober, network)
    paths.set_login(Login())
    paths.succeeded(await paths.plan())
    assert (await paths.plan()).protocol is UDP
    prober.open = {TCP}
    network[0] = "4g"
    plan = await paths.plan()
    assert plan.protocol is TCP
    assert plan.network == "4g"


async def test_a_network_change_probes_the_new_network_before_the_next_attempt() -> None:
    """Wi-Fi → 4G: the probe starts when the address goes, so the attempt that follows
    (after a hello and welcome round trip) does not wait for it."""
    prober = FakeProber({UDP, TCP, TLS})
    network = ["wifi"]
    paths = chooser(prober, network)
    paths.set_login(Login())
    paths.succeeded(await paths.plan())
    assert len(prober.calls) == 1
    prober.open = {TLS}
    network[0] = "4g"
    paths.network_changed()
    await asyncio.sleep(0)  # the probe task runs; no attempt has asked for a plan yet
    assert len(prober.calls) == 2
    plan = await paths.plan()
    assert (plan.protocol, plan.network, len(prober.calls)) == (TLS, "4g", 2)
    paths.network_changed()  # a network already known: nothing to probe
    await asyncio.sleep(0)
    assert len(prober.calls) == 2


async def test_no_credential_means_an_attempt_without_relay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("media.paths.LOGIN_WAIT", 0.05)
    prober = FakeProber({UDP})
    paths = chooser(prober)
    plan = await paths.plan()
    assert plan == PathPlan(None, [{"urls": ["stun:relay.example:3478"]}], "net-a")
    assert prober.calls == []


async def test_an_almost_expired_credential_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("media.paths.LOGIN_WAIT", 0.05)
    paths = chooser(FakeProber({UDP}))
    paths.set_login(Login(expires_at=time.time() + 5))
    assert (await paths.plan()).protocol is None


async def test_nothing_reachable_gives_a_direct_attempt() -> None:
    paths = chooser(FakeProber(set()))
    paths.set_login(Login())
    plan = await paths.plan()
    assert plan.protocol is None
    assert all("turn" not in url for s in plan.ice_servers for url in s["urls"])


async def test_a_fleet_without_turn_never_probes_or_waits() -> None:
    prober = FakeProber({UDP})
    paths = PathChooser([{"urls": ["stun:relay.example"]}], tls=None, prober=prober)
    started = time.monotonic()
    plan = await paths.plan()
    assert plan.protocol is None and prober.calls == []
    assert time.monotonic() - started < 0.5
