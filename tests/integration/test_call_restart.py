"""A device that stops for a restart says so; its peer waits and reconnects by itself
(issue 15, item 9). A person's hangup stays a hangup."""

from __future__ import annotations

import time
from typing import Any

import pytest

from media.state import CallState, EndReason
from tests.support.calls import make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


def _open(engine: object) -> bool:
    link = engine.session.link  # type: ignore[attr-defined]
    return link is not None and link.channels_open


async def test_classroom_restart_student_reconnects_without_a_button(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(es):
        async with running(ec):
            await wait_until(
                lambda: rs.state is CallState.LIVE and _open(es) and _open(ec), 10, "live"
            )
            stopping = time.monotonic()
        # The classroom unit stopped (SIGTERM: logout, update): it said why, on both paths.
        byes = [p["reason"] for p in relay.seen if p.get("t") == "bye"]
        assert byes == ["restarting"]
        assert rc.last is not None and rc.last.reason is EndReason.STOPPED
        await wait_until(lambda: rs.state is CallState.RECONNECTING, 2, "pupil waits")
        # Told over the control channel: well before the 2.5 s of silence would say it.
        told = next(t for t, c in rs.changes if c.state is CallState.RECONNECTING)
        assert told - stopping < 1.0
        assert CallState.ENDED not in [c.state for _, c in rs.changes]

        ec2, rc2 = make_engine(classroom, relay.port)  # the same device, started again
        async with running(ec2):
            await wait_until(
                lambda: rs.state is CallState.LIVE and rc2.state is CallState.LIVE,
                15,
                "reconnected by itself",
            )
            assert CallState.ENDED not in [c.state for _, c in rs.changes]


async def test_student_restart_classroom_waits_for_it(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, _rs = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec):
        async with running(es):
            await wait_until(
                lambda: rc.state is CallState.LIVE and _open(es) and _open(ec), 10, "live"
            )
        await wait_until(lambda: rc.state is CallState.RECONNECTING, 2, "class waits")
        es2, _rs2 = make_engine(student, relay.port)
        async with running(es2):
            await wait_until(lambda: rc.state is CallState.LIVE, 15, "pupil back")
        assert EndReason.HANGUP_REMOTE not in [c.reason for _, c in rc.changes]


async def test_a_first_attempt_to_a_peer_that_goes_away_starts_afresh(
    fleet: TestFleet,
) -> None:
    """The classroom vanishes while the pupil's first hello waits for an answer: the
    pupil waits (not "connecting" for ever) and calls the next classroom at once."""
    student, classroom = fleet.pair()
    swallow = [True]

    def tamper(kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        return None if kind == "welcome" and swallow[0] else payload

    relay = MemoryRelay(tamper)
    es, rs = make_engine(student, relay.port)
    ec, _rc = make_engine(classroom, relay.port)
    async with running(es):
        async with running(ec):
            await wait_until(lambda: rs.state is CallState.CONNECTING, 5, "hello sent")
        await wait_until(lambda: rs.state is CallState.WAITING, 2, "waiting again")
        assert es.session.link is None
        swallow[0] = False
        ec2, _rc2 = make_engine(classroom, relay.port)
        async with running(ec2):
            # well within the 10 s an abandoned attempt would have to time out first
            await wait_until(lambda: rs.state is CallState.LIVE, 6, "live with the new one")
