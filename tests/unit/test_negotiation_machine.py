"""media.negotiation: the Negotiator driven message by message, with recording fakes.

A student's and a classroom's negotiator, each with a fake host (its session) and
fake links; the test carries every relayed payload across by hand, so it decides
the order: duplicates, stale calls and out-of-order steps are played on purpose.
Certificates and sealing are the real ones.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from media.handshake import Handshake, new_nonce, parse_handshake
from media.negotiation import CALL_SHORT, Negotiator
from media.peer import LinkEvents
from media.state import CallState, EndReason
from pairing.certificates import certificate_pem
from pairing.credentials import DeviceCredentials
from tests.support.machines import (
    ANSWER_SDP,
    OFFER_SDP,
    TCP_PLAN,
    UDP_PLAN,
    FakeLinks,
    Journal,
    NegotiationHostFake,
    Relay,
)
from tests.support.pki import TestFleet, self_signed_device


class Side:
    """One device's negotiator with its fakes, all recording into one journal."""

    def __init__(self, creds: DeviceCredentials, journal: Journal, name: str) -> None:
        self.creds, self.journal = creds, journal
        self.host = NegotiationHostFake(journal)
        self.links = FakeLinks(journal)
        self.relay = Relay(journal, f"{name}>")
        events = LinkEvents(lambda _m: None, lambda: None, lambda: None, lambda _w: None)
        self.neg = Negotiator(
            self.host, credentials=creds, links=self.links, events=events,
            send_relay=self.relay, crl=lambda: None,
        )  # fmt: skip

    async def receive(self, payload: dict[str, Any]) -> None:
        await self.neg.on_handshake(parse_handshake(payload))


@pytest.fixture
def pair(fleet: TestFleet) -> tuple[Side, Side, Journal]:
    journal = Journal()
    student, classroom = fleet.pair()
    return Side(student, journal, "s"), Side(classroom, journal, "c"), journal


def dropped(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "handshake message" in r.getMessage()]


async def test_the_four_steps_in_order(pair: tuple[Side, Side, Journal]) -> None:
    s, c, journal = pair
    await s.neg.begin()
    call = s.neg.attempt.call if s.neg.attempt else ""
    assert journal.take() == [("host", "attempt_begun"), ("s>", "hello", call)]
    assert s.host.state is CallState.CONNECTING

    await c.receive(s.relay.sent[-1])
    assert journal.take() == [
        ("host", "peer_verified", s.creds.info.device_id.short),
        ("host", "attempt_begun"),
        ("c>", "welcome", call),
    ]
    await s.receive(c.relay.sent[-1])
    assert journal.take() == [
        ("host", "peer_verified", c.creds.info.device_id.short),
        ("link", 1, "open", None),
        ("link", 1, "create_offer"),
        ("s>", "offer", call),
    ]
    await c.receive(s.relay.sent[-1])
    assert journal.take() == [
        ("link", 1, "open", None),
        ("link", 1, "accept_offer", OFFER_SDP),
        ("c>", "answer", call),
    ]
    await s.receive(c.relay.sent[-1])
    assert journal.take() == [("link", 1, "accept_answer", ANSWER_SDP)]
    assert s.neg.attempt is not None and s.neg.attempt.linked_at is not None


async def test_a_second_begin_while_an_attempt_runs_sends_nothing(
    pair: tuple[Side, Side, Journal],
) -> None:
    s, _c, journal = pair
    await s.neg.begin()
    journal.take()
    await s.neg.begin()
    s.host.state = CallState.LIVE
    assert journal.take() == []
    assert not s.neg.wants_attempt()


async def test_stale_duplicate_and_out_of_order_messages_are_dropped_and_logged(
    pair: tuple[Side, Side, Journal], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    s, c, journal = pair
    # Out of order: an offer before any hello reaches the classroom.
    stray = Handshake("offer", "00112233aabbccdd", sealed={"x": 1})
    await c.receive(stray.to_payload())
    await s.neg.begin()
    call = s.neg.attempt.call if s.neg.attempt else ""
    hello = s.relay.sent[-1]
    await c.receive(hello)
    welcome = c.relay.sent[-1]
    # Out of order: an answer before the student's offer (no link yet).
    early = Handshake("answer", call, sealed={"x": 1})
    await s.receive(early.to_payload())
    await s.receive(welcome)
    journal.take()
    await s.receive(welcome)  # duplicated by the relay: no second link, no second offer
    await s.receive({**welcome, "call": "ffffffffffffffff"})  # another call's
    await s.receive(Handshake("bye", "ffffffffffffffff", reason="hangup").to_payload())
    assert journal.take() == []  # nothing sent, nothing decided
    short = call[:CALL_SHORT]
    assert dropped(caplog) == [  # the first of each side at once, then counted
        "handshake message dropped: stale offer (call 001122, waiting)",
        f"handshake message dropped: stale answer (call {short}, connecting)",
    ]
    s.neg.dropped.close()
    c.neg.dropped.close()
    assert dropped(caplog)[2:] == [
        "3 more handshake messages dropped: "
        f"1 stale welcome (call {short}, connecting); "
        "1 stale welcome (call ffffff, connecting); "
        "1 stale bye (call ffffff, connecting)"
    ]


async def test_a_message_for_the_other_role_is_dropped_as_unexpected(
    pair: tuple[Side, Side, Journal], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    s, _c, journal = pair
    await s.receive(Handshake("offer", "0123456789abcdef", sealed={"x": 1}).to_payload())
    assert journal.take() == []
    assert dropped(caplog) == ["handshake message dropped: unexpected offer (call 012345, waiting)"]


async def test_a_bye_of_the_current_call_goes_to_the_session(
    pair: tuple[Side, Side, Journal],
) -> None:
    s, _c, journal = pair
    await s.neg.begin()
    call = s.neg.attempt.call if s.neg.attempt else ""
    journal.take()
    bye = Handshake("bye", call, reason="schedule", next="2026-12-07T08:30:00+01:00")
    await s.receive(bye.to_payload())
    assert journal.take() == [("host", "remote_bye", "schedule", "2026-12-07T08:30:00+01:00")]


async def test_an_untrusted_welcome_drops_the_attempt_and_ends(
    pair: tuple[Side, Side, Journal],
) -> None:
    s, c, journal = pair
    await s.neg.begin()
    call = s.neg.attempt.call if s.neg.attempt else ""
    journal.take()
    fake = self_signed_device(c.creds)
    pem = certificate_pem(fake.certificate).decode()
    await s.receive(Handshake("welcome", call, nonce=new_nonce(), cert=pem).to_payload())
    assert journal.take() == [("host", "peer_untrusted")]
    assert s.neg.attempt is None
    assert s.host.state is CallState.ENDED


async def test_a_hello_during_a_live_authenticated_call_is_kept_back(
    pair: tuple[Side, Side, Journal],
) -> None:
    s, c, journal = pair
    await s.neg.begin()
    await c.receive(s.relay.sent[-1])
    await s.receive(c.relay.sent[-1])
    await c.receive(s.relay.sent[-1])
    c.host.state = CallState.LIVE
    c.links.last.channels_open = True
    journal.take()
    replay = s.relay.last("hello")
    await c.receive(replay.to_payload())
    assert journal.take() == []  # not answered, the live link untouched
    assert c.neg.take_pending_hello(max_age=10.0) == replay
    assert c.neg.take_pending_hello(max_age=10.0) is None  # taken once


async def test_a_kept_hello_too_old_is_not_answered(pair: tuple[Side, Side, Journal]) -> None:
    s, c, _journal = pair
    await s.neg.begin()
    await c.receive(s.relay.sent[-1])
    await s.receive(c.relay.sent[-1])
    await c.receive(s.relay.sent[-1])
    c.host.state = CallState.LIVE
    c.links.last.channels_open = True
    await c.receive(s.relay.sent[0])
    await asyncio.sleep(0.01)
    assert c.neg.take_pending_hello(max_age=0.005) is None


@pytest.mark.parametrize(
    ("reason", "sent"),
    [(EndReason.HANGUP_LOCAL, [("c>", "bye", "declined")]), (EndReason.STOPPED, [])],
)
async def test_an_ended_classroom_declines_or_ignores_a_hello(
    pair: tuple[Side, Side, Journal], reason: EndReason, sent: list[tuple[str, ...]]
) -> None:
    s, c, journal = pair
    await s.neg.begin()
    journal.take()
    c.host.state, c.host.reason = CallState.ENDED, reason
    await c.receive(s.relay.sent[-1])
    assert [(name, kind, c.relay.last().reason) for name, kind, _call in journal.take()] == sent
    assert c.neg.attempt is None


async def test_outside_school_hours_a_hello_gets_bye_schedule(
    pair: tuple[Side, Side, Journal],
) -> None:
    s, c, journal = pair
    await s.neg.begin()
    journal.take()
    c.host.refusal = "2026-12-07T08:30:00+01:00"
    await c.receive(s.relay.sent[-1])
    bye = c.relay.last()
    assert (bye.kind, bye.reason, bye.next) == ("bye", "schedule", c.host.refusal)
    assert journal.take() == [("c>", "bye", bye.call)]


async def test_a_new_hello_supersedes_an_attempt_that_never_went_live(
    pair: tuple[Side, Side, Journal],
) -> None:
    s, c, journal = pair
    c.links.plans = [UDP_PLAN]
    await s.neg.begin()
    await c.receive(s.relay.sent[-1])
    await s.receive(c.relay.sent[-1])
    await c.receive(s.relay.sent[-1])  # the classroom's link 1 over UDP
    first = c.neg.attempt
    s.neg.attempt = None  # the pupil restarts: a new attempt, a new hello
    s.host.state = CallState.WAITING
    await s.neg.begin()
    journal.take()
    await c.receive(s.relay.sent[-1])
    assert journal.take() == [
        ("link.path", "failed", UDP_PLAN.protocol),
        ("link", 1, "close"),
        ("host", "peer_verified", s.creds.info.device_id.short),
        ("host", "attempt_begun"),
        ("c>", "welcome", s.relay.last("hello").call),
    ]
    assert c.neg.attempt is not first


async def test_no_relay_over_a_transport_tries_the_next_path_at_once(
    pair: tuple[Side, Side, Journal],
) -> None:
    s, c, journal = pair
    s.links.plans = [UDP_PLAN, TCP_PLAN]
    s.links.has_relay = [False, True]
    await s.neg.begin()
    await c.receive(s.relay.sent[-1])
    journal.take()
    await s.receive(c.relay.sent[-1])
    assert journal.take() == [
        ("host", "peer_verified", c.creds.info.device_id.short),
        ("link", 1, "open", "udp"),
        ("link", 1, "create_offer"),
        ("link.path", "failed", UDP_PLAN.protocol),
        ("link", 1, "close"),
        ("link", 2, "open", "tcp"),
        ("link", 2, "create_offer"),
        ("s>", "offer", s.relay.last().call),
    ]


async def test_an_attempt_dropped_while_gathering_sends_no_offer(
    pair: tuple[Side, Side, Journal], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    s, c, journal = pair
    await s.neg.begin()
    call = s.neg.attempt.call if s.neg.attempt else ""
    await c.receive(s.relay.sent[-1])
    original_open = s.links.open

    def open_and_drop(plan: Any, events: LinkEvents) -> Any:
        link = original_open(plan, events)

        async def drop() -> None:
            await s.neg.drop(bye=None)

        link.on_describe = drop
        return link

    s.links.open = open_and_drop  # type: ignore[method-assign]
    journal.take()
    await s.receive(c.relay.sent[-1])
    assert journal.take() == [
        ("host", "peer_verified", c.creds.info.device_id.short),
        ("link", 1, "open", None),
        ("link", 1, "create_offer"),
        ("link", 1, "close"),
    ]
    assert dropped(caplog) == [
        f"handshake message dropped: superseded welcome (call {call[:CALL_SHORT]}, connecting)"
    ]


async def test_drop_with_bye_tells_the_peer_on_both_paths(
    pair: tuple[Side, Side, Journal],
) -> None:
    s, c, journal = pair
    await s.neg.begin()
    call = s.neg.attempt.call if s.neg.attempt else ""
    await c.receive(s.relay.sent[-1])
    await s.receive(c.relay.sent[-1])
    journal.take()
    await s.neg.drop(bye="hangup")
    assert journal.take() == [
        ("link", 1, "control", "bye", {"reason": "hangup"}),
        ("s>", "bye", call),
        ("link", 1, "close"),
    ]
    await s.neg.drop(bye="hangup")  # nothing left to drop
    assert journal.take() == []
