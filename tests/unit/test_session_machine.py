"""media.session: CallSession's state machine with recording fakes, no aiortc.

Two sessions (student, classroom) with fake links and a relay the test carries by
hand; link events (connected, failed, control) are fired by the test. Each test
asserts the exact state transitions and what went out (relayed kinds, link
controls, paths), as magic-wormhole's machine tests do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

import media.features.messages
import media.session
from media.control import ControlMessage
from media.handshake import Handshake
from media.negotiation import Attempt
from media.peer import LocalMedia
from media.recovery import BEGIN, Recovery
from media.session import CallSession, SessionHooks, SessionSettings
from media.state import CallState
from tests.support.machines import FakeLinks, Journal, Relay, StateRecorder
from tests.support.pki import TestFleet

FAST = SessionSettings(
    peer_timeout=0.2, connect_timeout=1.0, reconnect_timeout=1.0,
    reconnect_backoff_max=0.05, backoff_initial=0.02, backoff_max=0.05, tick=0.01,
)  # fmt: skip


@dataclass
class Device:
    session: CallSession
    hooks: StateRecorder
    relay: Relay
    links: FakeLinks
    carried: int = 0  # relayed payloads already carried to the peer

    async def carry_to(self, other: Device) -> list[str]:
        """Deliver what this device relayed since the last carry; their kinds."""
        payloads = self.relay.sent[self.carried :]
        self.carried = len(self.relay.sent)
        for payload in payloads:
            await other.session.relayed(payload)
        return [p["t"] for p in payloads]


@dataclass
class Call:
    s: Device
    c: Device
    journal: Journal

    async def set_up(self) -> None:
        """Both online; the four steps carried across; both links connected."""
        await self.c.session.peer_online(True)
        await self.s.session.peer_online(True)
        assert await self.s.carry_to(self.c) == ["hello"]
        assert await self.c.carry_to(self.s) == ["welcome"]
        assert await self.s.carry_to(self.c) == ["offer"]
        assert await self.c.carry_to(self.s) == ["answer"]
        for device in (self.s, self.c):
            device.links.last.events.on_connected()


def device(creds: object, journal: Journal, name: str, settings: SessionSettings) -> Device:
    hooks = StateRecorder(journal, name)
    relay = Relay(journal, f"{name}>")
    links = FakeLinks(journal, name=f"{name}.link")
    session = CallSession(
        credentials=creds,  # type: ignore[arg-type]
        ice_servers=[],
        media=LocalMedia(),
        send_relay=relay,
        hooks=SessionHooks(
            on_state=hooks.on_state,
            on_control=hooks.on_control,
            on_path_lost=hooks.on_path_lost,
            admit=hooks.admit,
        ),
        settings=settings,
        links=links,
    )
    return Device(session, hooks, relay, links)


@pytest.fixture
async def call(fleet: TestFleet) -> AsyncIterator[Call]:
    journal = Journal()
    student, classroom = fleet.pair()
    pair = Call(device(student, journal, "s", FAST), device(classroom, journal, "c", FAST), journal)
    pair.s.session.start()
    pair.c.session.start()
    yield pair
    for d in (pair.s, pair.c):
        if d.session.state is not CallState.ENDED:
            await d.session.stop()


async def wait_for(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_set_up_goes_waiting_connecting_live_on_both_sides(call: Call) -> None:
    await call.set_up()
    assert call.s.hooks.states == [("waiting", None), ("connecting", None), ("live", None)]
    assert call.c.hooks.states == [("waiting", None), ("connecting", None), ("live", None)]
    assert call.s.session.peer is not None and call.c.session.peer is not None
    assert call.s.session.peer.device_id == call.c.session.peer.peer_id


async def test_a_silent_peer_is_lost_and_the_student_tries_again(call: Call) -> None:
    await call.set_up()
    call.journal.take()
    # Nothing more arrives on either link: both notice within peer_timeout + a tick.
    await wait_for(lambda: call.s.session.state is not CallState.LIVE)
    await wait_for(lambda: len(call.s.relay.sent) > 2)  # hello, offer, then the retry's hello
    student = [e for e in call.journal.take() if e[0] in ("s", "s>", "s.link", "s.link.path")]
    assert student[:4] == [
        ("s", "path_lost"),
        ("s.link", 1, "close"),
        ("s", "state", "reconnecting", None),
        ("s>", "hello", call.s.relay.sent[2]["call"]),
    ]
    assert call.s.relay.sent[2]["t"] == "hello"
    assert call.s.session.reconnects == 1
    assert call.s.session.state is CallState.RECONNECTING  # not "connecting": still a call


async def test_a_relayed_bye_ends_only_without_an_open_control_channel(call: Call) -> None:
    await call.set_up()
    link = call.c.links.last
    link.channels_open = True
    attempt = call.c.session.negotiation.attempt
    assert attempt is not None
    bye = Handshake("bye", attempt.call, reason="hangup").to_payload()
    await call.c.session.relayed(bye)  # anyone on the server's path could forge it
    assert call.c.session.state is CallState.LIVE
    link.channels_open = False
    await call.c.session.relayed(bye)
    assert call.c.hooks.states[-1] == ("ended", "hangup_remote")
    assert call.c.session.peer is None


async def test_a_relayed_bye_is_believed_when_the_link_dies_right_after_it(call: Call) -> None:
    """The peer's bye over the control channel can die in its own SCTP queue (it
    flooded the channel, or could not drain it before closing): the relayed copy,
    ignored while the channel was open, ends the call when the link then falls
    silent, instead of leaving the class reconnecting to a peer that hung up."""
    await call.set_up()
    link = call.c.links.last
    link.channels_open = True
    attempt = call.c.session.negotiation.attempt
    assert attempt is not None
    await call.c.session.relayed(Handshake("bye", attempt.call, reason="hangup").to_payload())
    assert call.c.session.state is CallState.LIVE
    # Nothing more arrives: the silence that would mean "reconnecting" ends it.
    await wait_for(lambda: call.c.session.state is not CallState.LIVE)
    assert call.c.hooks.states[-1] == ("ended", "hangup_remote")


async def test_an_old_relayed_bye_does_not_end_a_later_loss(
    call: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media.session, "HELD_BYE_WINDOW", 0.0)  # every held bye is old
    await call.set_up()
    call.c.links.last.channels_open = True
    attempt = call.c.session.negotiation.attempt
    assert attempt is not None
    await call.c.session.relayed(Handshake("bye", attempt.call, reason="hangup").to_payload())
    await wait_for(lambda: call.c.session.state is not CallState.LIVE)
    assert call.c.hooks.states[-1] == ("reconnecting", None)


async def test_a_relayed_bye_update_is_retried_not_believed(call: Call) -> None:
    await call.set_up()
    attempt = call.s.session.negotiation.attempt
    assert attempt is not None
    await call.s.session.relayed(Handshake("bye", attempt.call, reason="update").to_payload())
    assert call.s.hooks.states[-1] == ("reconnecting", None)


async def test_a_bye_over_the_link_is_bound_to_its_attempt(call: Call) -> None:
    await call.set_up()
    call.s.links.last.events.on_control(ControlMessage("bye", {"reason": "declined"}))
    await wait_for(lambda: call.s.session.state is CallState.ENDED)
    assert call.s.hooks.states[-1] == ("ended", "declined")


async def test_hangup_tells_the_peer_on_both_paths_then_rejoin_starts_again(call: Call) -> None:
    await call.set_up()
    attempt = call.s.session.negotiation.attempt
    assert attempt is not None
    call.journal.take()
    await call.s.session.hangup()
    assert call.journal.take() == [
        ("s.link", 1, "control", "bye", {"reason": "hangup"}),
        ("s>", "bye", attempt.call),
        ("s.link", 1, "close"),
        ("s", "state", "ended", "hangup_local"),
    ]
    await call.s.session.rejoin()
    new = call.s.relay.last("hello").call
    assert call.journal.take() == [
        ("s", "state", "waiting", None),
        ("s", "state", "connecting", None),
        ("s>", "hello", new),
    ]
    assert new != attempt.call


async def test_the_peer_going_offline_during_set_up_drops_the_attempt(call: Call) -> None:
    await call.c.session.peer_online(True)
    await call.s.session.peer_online(True)
    await call.s.carry_to(call.c)
    await call.c.carry_to(call.s)  # the student has a link now
    call.journal.take()
    await call.s.session.peer_online(False)
    assert call.journal.take() == [("s.link", 1, "close"), ("s", "state", "waiting", None)]
    assert call.s.session.negotiation.attempt is None


async def test_a_link_failing_with_update_ends_and_says_why(call: Call) -> None:
    await call.set_up()
    attempt = call.s.session.negotiation.attempt
    assert attempt is not None
    call.journal.take()
    call.s.links.last.events.on_failed("update")
    await wait_for(lambda: call.s.session.state is CallState.ENDED)
    assert call.journal.take() == [
        ("s.link", 1, "control", "bye", {"reason": "update"}),
        ("s>", "bye", attempt.call),
        ("s.link", 1, "close"),
        ("s", "state", "ended", "update_needed"),
    ]


async def test_after_revoked_nothing_blames_the_peer(call: Call) -> None:
    await call.set_up()
    link = call.s.links.last
    await call.s.session.revoked()
    link.events.on_failed("protocol")  # late: would be "peer untrusted"
    await asyncio.sleep(0.05)
    assert call.s.hooks.states[-1] == ("ended", "revoked")
    await call.s.session.rejoin()  # only a new bundle helps
    assert call.s.hooks.states[-1] == ("ended", "revoked")


async def test_stop_says_restarting_and_closes_the_links(call: Call) -> None:
    await call.set_up()
    attempt = call.c.session.negotiation.attempt
    assert attempt is not None
    call.journal.take()
    await call.c.session.stop()
    assert call.journal.take() == [
        ("c.link", 1, "control", "bye", {"reason": "restarting"}),
        ("c>", "bye", attempt.call),
        ("c.link", 1, "close"),
        ("c", "state", "ended", "stopped"),
    ]
    assert call.c.links.closed_all


async def test_a_hello_kept_back_while_live_is_answered_when_the_link_fails(
    call: Call,
) -> None:
    await call.set_up()
    call.c.links.last.channels_open = True
    call.s.session.negotiation.attempt = None  # the pupil crashed and comes back
    await call.s.session.network_changed()  # no attempt: nothing happens
    hello = Handshake("hello", "00112233aabbccdd", nonce=b"\0" * 16, cert="")
    payload = {**call.s.relay.sent[0], "call": hello.call}
    await call.c.session.relayed(payload)
    assert call.c.session.state is CallState.LIVE
    call.journal.take()
    call.c.links.last.events.on_failed("ice")
    await wait_for(lambda: bool(call.c.relay.sent) and call.c.relay.sent[-1]["t"] == "welcome"
                   and call.c.relay.sent[-1]["call"] == hello.call)  # fmt: skip
    # Reconnecting, and the kept hello answered at once: no "connecting" in between.
    assert [e for e in call.journal.take() if e[0] == "c"] == [("c", "state", "reconnecting", None)]


async def test_a_kept_hello_ends_a_live_link_once_the_peer_falls_briefly_silent(
    fleet: TestFleet,
) -> None:
    """The laptop changed network and says hello again: the class drops the live link
    after ``hello_silence`` (not ``peer_timeout``) and answers. While the peer still
    speaks, the hello (replayable: the certificate is public) ends nothing."""
    settings = SessionSettings(peer_timeout=5.0, connect_timeout=5.0, hello_silence=0.15, tick=0.01)
    journal = Journal()
    student, classroom = fleet.pair()
    call = Call(device(student, journal, "s", settings), device(classroom, journal, "c", settings),
                journal)  # fmt: skip
    call.s.session.start()
    call.c.session.start()
    try:
        await call.set_up()
        link = call.c.links.last
        link.channels_open = True
        hello = {**call.s.relay.sent[0], "call": "00112233aabbccdd"}
        link.events.on_life()
        await call.c.session.relayed(hello)
        for _ in range(30):  # 0.3 s of a peer that still speaks
            link.events.on_life()
            await asyncio.sleep(0.01)
        assert call.c.session.state is CallState.LIVE
        call.journal.take()
        silent = time.monotonic()  # nothing more arrives from here on
        await wait_for(lambda: bool(call.c.relay.sent) and call.c.relay.sent[-1]["t"] == "welcome")
        assert time.monotonic() - silent < 1.0  # peer_timeout would take 5 s
        assert call.c.relay.sent[-1]["call"] == hello["call"]
        events = [e for e in call.journal.take() if e[0] == "c"]
        # The signaling connection is checked, as for any silent peer (cheap: a ping).
        assert events[:2] == [("c", "path_lost"), ("c", "state", "reconnecting", None)]
    finally:
        for d in (call.s, call.c):
            await d.session.stop()


async def test_a_hello_that_supersedes_a_live_but_closed_link_shows_reconnecting(
    call: Call,
) -> None:
    """A dead path closes the live link's channels; a new hello then supersedes it at
    once. The class was live: it shows reconnecting (and counts it), not connecting."""
    await call.set_up()
    assert not call.c.links.last.channels_open
    hello = {**call.s.relay.sent[0], "call": "00112233aabbccdd"}
    await call.c.session.relayed(hello)
    assert call.c.hooks.states[-2:] == [("live", None), ("reconnecting", None)]
    assert call.c.session.reconnects == 1
    assert call.c.relay.sent[-1]["t"] == "welcome"


STANDBY = SessionSettings(
    peer_timeout=3.0, connect_timeout=5.0, hello_silence=0.05, standby_silence=0.1, tick=0.01
)


@pytest.fixture
async def standby_call(fleet: TestFleet) -> AsyncIterator[Call]:
    journal = Journal()
    student, classroom = fleet.pair()
    pair = Call(device(student, journal, "s", STANDBY), device(classroom, journal, "c", STANDBY),
                journal)  # fmt: skip
    pair.s.session.start()
    pair.c.session.start()
    await pair.set_up()
    for d in (pair.s, pair.c):
        d.links.last.channels_open = True
    yield pair
    for d in (pair.s, pair.c):
        await d.session.stop()


async def test_a_briefly_silent_link_gets_a_standby_that_takes_over_when_welcomed(
    standby_call: Call,
) -> None:
    """The home router changed its uplink: both links fall silent, nothing else tells
    the laptop. After standby_silence the pupil says hello beside the live link (still
    LIVE on screen); the class, silent too, welcomes it; only then does the pupil give
    the old link up, and the call is live again long before peer_timeout."""
    call, s, c = standby_call, standby_call.s, standby_call.c
    call.journal.take()
    s.links.last.events.on_life()  # media was flowing, then nothing more
    await wait_for(lambda: s.relay.sent[-1]["t"] == "hello")
    standby = s.relay.sent[-1]["call"]
    assert s.session.state is CallState.LIVE and s.session.link is s.links.made[0]
    assert await s.carry_to(c) == ["hello"]
    await wait_for(lambda: c.relay.sent[-1]["t"] == "welcome")
    assert await c.carry_to(s) == ["welcome"]
    assert s.session.state is CallState.RECONNECTING
    assert await s.carry_to(c) == ["offer"] and s.relay.sent[-1]["call"] == standby
    assert await c.carry_to(s) == ["answer"]
    for d in (s, c):
        d.links.last.events.on_connected()
    assert s.hooks.states[-2:] == [("reconnecting", None), ("live", None)]
    assert ("s.link", 1, "close") in call.journal.take()
    assert s.session.reconnects == 1


async def test_a_standby_is_forgotten_when_the_link_speaks_again(standby_call: Call) -> None:
    call, s = standby_call, standby_call.s
    link = s.links.made[0]
    link.events.on_life()
    await wait_for(lambda: s.relay.sent[-1]["t"] == "hello")
    for _ in range(20):  # the live link speaks again before any welcome
        link.events.on_life()
        await asyncio.sleep(0.005)
    assert s.session.negotiation.standby is None
    late = Handshake("welcome", s.relay.sent[-1]["call"], nonce=b"\0" * 16, cert="")
    call.journal.take()
    await s.session.relayed(late.to_payload())
    assert s.session.state is CallState.LIVE and s.session.link is link
    assert ("s.link", 1, "close") not in call.journal.take()


async def test_a_link_with_heartbeats_only_gets_no_standby_between_them(
    standby_call: Call,
) -> None:
    """No media either way: life comes once a heartbeat interval, longer than
    standby_silence; that is no break, so no standby hello goes out."""
    s = standby_call.s
    sent = len(s.relay.sent)
    for _ in range(4):
        await asyncio.sleep(0.15)  # > standby_silence (0.1 s), heartbeats' rhythm
        s.links.last.events.on_life()
    assert len(s.relay.sent) == sent and s.session.negotiation.standby is None
    assert s.session.state is CallState.LIVE


async def test_messages_of_an_older_attempt_change_nothing(call: Call) -> None:
    await call.set_up()
    old_answer, old_welcome = call.c.relay.sent[1], call.c.relay.sent[0]
    await call.s.session.network_changed()  # the link is gone: a new attempt follows
    await wait_for(lambda: len(call.s.relay.sent) > 2)
    call.journal.take()
    old_bye = Handshake("bye", old_answer["call"], reason="hangup").to_payload()
    for stale in (old_welcome, old_answer, old_bye):
        await call.s.session.relayed(stale)
    assert call.journal.take() == []
    assert call.s.session.state is CallState.RECONNECTING


async def test_a_bye_schedule_ends_and_passes_on_the_next_start(call: Call) -> None:
    await call.c.session.peer_online(True)
    call.c.hooks.refusal = "2026-12-07T08:30:00+01:00"  # school hours are over
    await call.s.session.peer_online(True)
    await call.s.carry_to(call.c)
    call.journal.take()
    await call.c.carry_to(call.s)
    assert call.journal.take() == [
        ("s", "control", "next_lesson", {"at": "2026-12-07T08:30:00+01:00"}),
        ("s", "state", "ended", "outside_schedule"),
    ]


def test_recovery_backs_off_doubling_to_its_cap_with_jitter() -> None:
    settings = SessionSettings(backoff_initial=0.25, backoff_max=8.0, reconnect_backoff_max=0.5)
    recovery = Recovery(settings)
    delays = []
    for _ in range(7):
        start = time.monotonic()
        delays.append(recovery.failed(peer_online=False) - start)
    for delay, full in zip(delays, (0.25, 0.5, 1, 2, 4, 8, 8), strict=True):
        assert full * 0.5 - 0.01 <= delay <= full + 0.01
    assert recovery.failed(peer_online=True) - time.monotonic() <= 0.5  # the peer is there
    recovery.reset()
    assert (recovery.failures, recovery.retry_at) == (0, None)


def test_recovery_next_step_table() -> None:
    recovery = Recovery(
        SessionSettings(peer_timeout=2.5, connect_timeout=10, reconnect_timeout=2.5)
    )
    now = time.monotonic()
    recovery.last_life = now - 1
    assert recovery.next_step(now, CallState.LIVE, None) is None
    assert recovery.next_step(now + 2, CallState.LIVE, None) == "peer silent"
    fresh = Attempt("0" * 16, b"", started=now, linked_at=now)
    assert recovery.next_step(now + 3, CallState.CONNECTING, fresh) is None
    assert recovery.next_step(now + 3, CallState.RECONNECTING, fresh) == "connect timeout"
    assert recovery.next_step(now + 11, CallState.CONNECTING, fresh) == "connect timeout"
    recovery.retry_at = now + 1
    assert recovery.next_step(now, CallState.RECONNECTING, None) is None
    assert recovery.next_step(now + 1, CallState.RECONNECTING, None) == BEGIN
    assert recovery.next_step(now + 2, CallState.RECONNECTING, None) is None  # once


async def test_stale_messages_still_counted_are_written_when_the_session_stops(
    call: Call, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await call.set_up()
    welcome = call.c.relay.sent[0]
    for _ in range(3):  # the relay repeats an old welcome
        await call.s.session.relayed(welcome)
    await call.s.session.stop()
    short = welcome["call"][:6]
    assert [r.getMessage() for r in caplog.records if "handshake message" in r.getMessage()] == [
        f"handshake message dropped: stale welcome (call {short}, live)",
        f"2 more handshake messages dropped: 2 stale welcome (call {short}, live)",
    ]
