"""A compromised relay cannot end or downgrade a call for good (issue 15, item 4).

Call ids travel in clear, so whoever runs the server can forge a `bye` for the
current call, or a `hello` of another handshake version. During a live call only
the authenticated control channel may end it; before that, such a message makes the
student try again later, never "update needed" for good.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from media.state import CallState, EndReason
from tests.support.calls import Recorder, make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


def _live(*recs: Recorder) -> bool:
    return all(r.state is CallState.LIVE for r in recs)


def _channels_open(*engines: Any) -> bool:
    links = [e.session.link for e in engines]
    return all(link is not None and link.channels_open for link in links)


def _current_call(relay: MemoryRelay) -> str:
    return str([p for p in relay.seen if p.get("t") == "answer"][-1]["call"])


async def _inject(relay: MemoryRelay, payload: dict[str, Any]) -> None:
    """The server sends this to both devices, as if each came from the other."""
    for port in relay.ports:
        if port.online:
            await port.handler.relayed(dict(payload))


async def _still_live_with_media(rs: Recorder, rc: Recorder, seconds: float) -> None:
    since = time.monotonic()
    await asyncio.sleep(seconds)
    assert _live(rs, rc)
    assert CallState.ENDED not in [c.state for t, c in rs.changes + rc.changes if t >= since]
    await wait_until(
        lambda: (
            any(t > since + seconds for t in rs.video_times)
            and any(t > since + seconds for t in rc.video_times)
        ),
        3,
        "media both ways after the forgery",
    )


@pytest.mark.parametrize("reason", ["hangup", "update", "untrusted", "declined"])
async def test_forged_relayed_bye_does_not_end_a_live_call(fleet: TestFleet, reason: str) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: _live(rs, rc) and _channels_open(es, ec), 10, "live")
        await _inject(relay, {"hs": 1, "t": "bye", "call": _current_call(relay), "reason": reason})
        await _still_live_with_media(rs, rc, 1.0)


async def test_relayed_hello_of_another_version_does_not_end_a_live_call(
    fleet: TestFleet,
) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: _live(rs, rc) and _channels_open(es, ec), 10, "live")
        await _inject(relay, {"hs": 2, "t": "hello", "call": _current_call(relay)})
        await _still_live_with_media(rs, rc, 1.0)
        reasons = [c.reason for _, c in rs.changes + rc.changes]
        assert EndReason.UPDATE_NEEDED not in reasons


@pytest.mark.parametrize(
    "forgery",
    [
        lambda p: {**p, "hs": 2},  # the welcome "speaks" another version
        lambda p: {"hs": 1, "t": "bye", "call": p["call"], "reason": "update"},
        lambda p: {"hs": 1, "t": "bye", "call": p["call"], "reason": "untrusted"},
    ],
    ids=["welcome-v2", "bye-update", "bye-untrusted"],
)
async def test_forgery_while_connecting_is_retried_not_final(
    fleet: TestFleet, forgery: Any
) -> None:
    student, classroom = fleet.pair()
    forged: list[str] = []

    def tamper(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if kind == "welcome" and not forged:
            forged.append(payload["call"])
            return dict(forgery(payload))
        return payload

    relay = MemoryRelay(tamper)
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: _live(rs, rc), 15, "live after a retry")
        assert forged, "the forgery was sent"
        assert CallState.ENDED not in [c.state for _, c in rs.changes]
        assert CallState.RECONNECTING in [c.state for _, c in rs.changes]  # it backed off


async def test_rejoin_after_update_needed_works(fleet: TestFleet) -> None:
    """Even a genuine "update needed" (control channel) may be retried by a person."""
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: _live(rs, rc) and _channels_open(es, ec), 10, "live")
        await es.session._end(EndReason.UPDATE_NEEDED)  # as on a control mismatch
        await wait_until(
            lambda: rc.last is not None and rc.last.reason is EndReason.UPDATE_NEEDED, 2, "told"
        )
        assert rs.last is not None and rs.last.reason is EndReason.UPDATE_NEEDED
        await es.rejoin()
        await wait_until(lambda: _live(rs, rc), 10, "live again after Opnieuw meedoen")


async def test_a_replayed_hello_does_not_tear_down_a_live_call(fleet: TestFleet) -> None:
    """The pupil's own hello, replayed by the server: its certificate is public."""
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: _live(rs, rc) and _channels_open(es, ec), 10, "live")
        link = ec.session.link
        hello = next(p for p in relay.seen if p.get("t") == "hello")
        (classroom_port,) = [p for p in relay.ports if p.handler is ec]
        await classroom_port.handler.relayed(dict(hello))
        await classroom_port.handler.relayed({**hello, "call": "0123456789abcdef"})
        await _still_live_with_media(rs, rc, 1.0)
        assert ec.session.link is link  # the same, authenticated link


async def test_a_pupil_back_after_a_crash_is_answered_when_the_old_link_dies(
    fleet: TestFleet,
) -> None:
    """Its hello arrives while the classroom still thinks the call is live: kept, and
    answered as soon as the silence is noticed (not after the pupil's 10 s timeout)."""
    from media.impair import Impairment

    student, classroom = fleet.pair()
    relay = MemoryRelay()
    cut = Impairment()
    es, rs = make_engine(student, relay.port, impairment=cut)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec):
        async with running(es):
            await wait_until(lambda: _live(rs, rc) and _channels_open(es, ec), 10, "live")
            cut.drop_all = True  # the laptop "crashes": no bye, nothing more arrives
            es.session.negotiation.attempt = None  # and forgets its call (a killed process)
        assert rc.state is CallState.LIVE  # the classroom has not noticed yet
        es2, rs2 = make_engine(student, relay.port)
        async with running(es2):
            await wait_until(lambda: rs2.state is CallState.CONNECTING, 5, "hello sent")
            started = time.monotonic()
            await wait_until(lambda: rs2.state is CallState.LIVE, 15, "back in class")
            assert time.monotonic() - started < 6.0  # silence (<= 3 s) + set-up
