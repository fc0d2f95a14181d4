"""Two real engines on loopback: loss of the peer, recovery, hangup, confinement."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest

from media.control import CONTROL_VERSION
from media.impair import Impairment
from media.state import CallState, EndReason
from tests.support.calls import Recorder, make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


def _first(rec: Recorder, state: CallState, after: float = 0.0) -> float:
    return next(t for t, c in rec.changes if c.state is state and t >= after)


async def test_silent_peer_is_gone_within_3s_and_call_recovers(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    impairment = Impairment()
    es, rs = make_engine(student, relay.port, impairment=impairment)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: rs.state is CallState.LIVE and rc.video_times, 10, "live")
        impairment.drop_all = True  # packets vanish: no goodbye, no close
        dropped = time.monotonic()
        await wait_until(lambda: rc.state is CallState.RECONNECTING, 5, "classroom notices")
        await wait_until(lambda: rs.state is CallState.RECONNECTING, 5, "student notices")
        assert _first(rc, CallState.RECONNECTING, dropped) - dropped <= 3.0
        assert _first(rs, CallState.RECONNECTING, dropped) - dropped <= 3.0
        # The signaling connection may run over the same dead link: both check it.
        await wait_until(
            lambda: es._signaling.checks >= 1 and ec._signaling.checks >= 1,  # type: ignore[attr-defined]
            2,
            "both check their signaling connection",
        )

        impairment.drop_all = False
        healed = time.monotonic()
        await wait_until(
            lambda: rs.state is CallState.LIVE and rc.state is CallState.LIVE, 30, "recovery"
        )
        await wait_until(lambda: any(t > healed for t in rc.video_times), 5, "frames again")
        assert es.session.reconnects >= 1


@pytest.mark.parametrize("who", ["student", "classroom"])
async def test_hangup_from_either_side_ends_both_within_1s(fleet: TestFleet, who: str) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(
            lambda: rs.state is CallState.LIVE and rc.state is CallState.LIVE, 10, "live"
        )
        engine, other = (es, rc) if who == "student" else (ec, rs)
        start = time.monotonic()
        await engine.hangup()
        await wait_until(lambda: other.state is CallState.ENDED, 1.0, "peer to end")
        assert time.monotonic() - start <= 1.0
        assert other.last is not None and other.last.reason is EndReason.HANGUP_REMOTE
        assert engine.session.link is None
        await es.rejoin()
        if who == "student":  # the classroom accepts the pupil again by itself
            await wait_until(lambda: rs.state is CallState.LIVE, 10, "rejoined")
        else:  # the classroom ended it: it declines until it rejoins itself
            await wait_until(
                lambda: rs.last is not None and rs.last.reason is EndReason.DECLINED, 5, "declined"
            )
            await ec.rejoin()
            await es.rejoin()
            await wait_until(lambda: rs.state is CallState.LIVE, 10, "rejoined")


async def test_engine_contacts_only_configured_addresses(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: rs.video_times and rc.video_times, 10, "media")
        for engine in (es, ec):
            link = engine.session.link
            assert link is not None
            config = link.pc._RTCPeerConnection__configuration
            assert config.iceServers == []  # never None: that would mean Google's STUN
            from media.ice import ice_connections, local_candidate_hosts

            assert local_candidate_hosts(link.pc) == {"127.0.0.1"}
            for conn in ice_connections(link.pc):
                assert conn.stun_server is None and conn.turn_server is None
                assert {c.host for c in conn.remote_candidates} == {"127.0.0.1"}
                assert {p.remote_addr[0] for p in conn._check_list} == {"127.0.0.1"}


async def test_control_version_mismatch_ends_in_update_needed(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(
            lambda: es.session.link is not None and es.session.link.channels_open, 10, "channels"
        )
        link: Any = es.session.link
        link._control.send(f'{{"v": {CONTROL_VERSION + 1}, "type": "hello", "app": "9"}}')
        await wait_until(lambda: rc.state is CallState.ENDED, 2, "classroom to stop")
        assert rc.last is not None and rc.last.reason is EndReason.UPDATE_NEEDED
        await wait_until(lambda: rs.state is CallState.ENDED, 2, "student told")
        assert rs.last is not None and rs.last.reason is EndReason.UPDATE_NEEDED


async def test_a_local_address_that_goes_away_ends_the_link_at_once(
    fleet: TestFleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wi-Fi → 4G on the laptop itself: the engine sees its address go (network_poll,
    by default 4 times a second) and starts over at once, redialling signaling,
    without waiting for silence."""
    addresses = {"127.0.0.1", "198.18.5.2"}  # the second is the Wi-Fi that will go
    looked: list[float] = []

    def local_addresses() -> frozenset[str]:
        looked.append(time.monotonic())
        return frozenset(addresses)

    monkeypatch.setattr("media.paths.local_addresses", local_addresses)
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)  # the default poll
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: rs.state is CallState.LIVE and bool(rc.video_times), 10, "live")
        await wait_until(lambda: len(looked) > 8, 10, "a few looks at the addresses")
        addresses.discard("198.18.5.2")
        gone = time.monotonic()
        await wait_until(lambda: rs.state is not CallState.LIVE, 1.5, "the pupil starts over")
        assert _first(rs, CallState.RECONNECTING, gone) - gone < 0.6  # not 2.5 s of silence
        # Every look, each engine's: none waits a whole second (the old poll) for the next.
        gaps = [b - a for a, b in itertools.pairwise(sorted(t for t in looked if t < gone))]
        assert len(gaps) > 4 and max(gaps) < 0.4, max(gaps, default=None)
        assert es._signaling.reconnects >= 1  # type: ignore[attr-defined]
        await wait_until(lambda: rs.state is CallState.LIVE, 15, "live again")
