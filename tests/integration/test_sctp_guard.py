"""A paired but hostile peer driving its own SCTP: bounded reassembly, then the call ends.

The hostile side is a real aiortc peer (the student's link); the test writes DATA
chunks straight into its SCTP association, as a modified client would, e.g. the
fragments of one message without ever the last one (issue 15).
"""

from __future__ import annotations

from typing import Any

import pytest
from aiortc import rtcsctptransport as sctp

from media import sctpguard
from media.state import CallState, EndReason
from tests.support.calls import Recorder, make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

FRAGMENT = sctp.USERDATA_MAX_LENGTH
# What aiortc's own _send sets on each chunk it queues (rtcsctptransport.py).
_COUNTERS = (
    ("_abandoned", False), ("_acked", False), ("_expiry", None), ("_in_flight", False),
    ("_max_retransmits", None), ("_misses", 0), ("_retransmit", False), ("_sent_count", 0),
    ("_sent_time", None),
)  # fmt: skip


async def send_fragments(
    association: Any, stream_id: int, count: int, *, last: bool, ordered: bool = True
) -> None:
    """``count`` fragments of one message on ``stream_id``; the last flag only if asked."""
    seq = association._outbound_stream_seq.get(stream_id, 0) if ordered else 0
    for n in range(count):
        chunk = sctp.DataChunk()
        chunk.flags = 0 if ordered else sctp.SCTP_DATA_UNORDERED
        if n == 0:
            chunk.flags |= sctp.SCTP_DATA_FIRST_FRAG
        if last and n == count - 1:
            chunk.flags |= sctp.SCTP_DATA_LAST_FRAG
        chunk.tsn = association._local_tsn
        chunk.stream_id = stream_id
        chunk.stream_seq = seq
        chunk.protocol = sctp.WEBRTC_STRING
        chunk.user_data = b"x" * FRAGMENT
        for name, value in _COUNTERS:
            setattr(chunk, name, value)
        chunk._book_size = len(chunk.user_data)
        association._local_tsn = sctp.tsn_plus_one(association._local_tsn)
        association._outbound_queue.append(chunk)
    if last and ordered:
        association._outbound_stream_seq[stream_id] = (seq + 1) % 65536
    await association._transmit()


def held(association: Any) -> int:
    return sum(
        len(c.user_data) for s in association._inbound_streams.values() for c in s.reassembly
    )


@pytest.fixture
async def call(fleet: TestFleet) -> Any:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    es, _ = make_engine(student, relay.port)
    ec, rc = make_engine(classroom, relay.port)
    async with running(ec, es):
        await wait_until(lambda: rc.state is CallState.LIVE, 15, "live")
        await wait_until(
            lambda: es.session.link is not None and es.session.link.channels_open, 10, "channels"
        )
        yield es.session.link, ec.session.link, rc


def ended_untrusted(recorder: Recorder) -> bool:
    last = recorder.last
    return (
        last is not None
        and last.state is CallState.ENDED
        and (last.reason is EndReason.PEER_UNTRUSTED)
    )


async def test_fragments_without_the_last_end_the_call_and_are_dropped(
    call: Any, caplog: pytest.LogCaptureFixture
) -> None:
    hostile, victim, recorder = call
    stream = hostile._control.id
    for _ in range(4):  # 40 fragments, ~46 KB, of one message that never ends
        await send_fragments(hostile.pc.sctp, stream, 10, last=False)
        if sctpguard.violation_of(victim.pc.sctp):
            break
    await wait_until(lambda: ended_untrusted(recorder), 5, "the call to end")
    association = victim.pc.sctp
    assert sctpguard.violation_of(association) == "message over the maximum size"
    assert held(association) == 0
    assert (
        "peer broke the data channel rules (message over the maximum size): ending the call"
        in caplog.text
    )


async def test_data_on_a_stream_with_no_channel_ends_the_call(
    call: Any, caplog: pytest.LogCaptureFixture
) -> None:
    hostile, victim, recorder = call
    await send_fragments(hostile.pc.sctp, 99, 1, last=True)  # stream 99: never opened
    await wait_until(lambda: ended_untrusted(recorder), 5, "the call to end")
    assert sctpguard.violation_of(victim.pc.sctp) == "data on a stream with no channel"
    assert "(data on a stream with no channel)" in caplog.text


async def test_unordered_fragments_are_bounded_in_total(call: Any) -> None:
    hostile, victim, recorder = call
    stream = hostile._heartbeat.id
    for _ in range(10):  # unordered "messages" of 8 fragments, none ever complete
        await send_fragments(hostile.pc.sctp, stream, 8, last=False, ordered=False)
        if sctpguard.violation_of(victim.pc.sctp):
            break
    await wait_until(lambda: ended_untrusted(recorder), 5, "the call to end")
    assert sctpguard.violation_of(victim.pc.sctp) == "too much data held for reassembly"
    assert held(victim.pc.sctp) == 0


async def test_a_largest_allowed_message_still_passes(call: Any) -> None:
    hostile, victim, recorder = call
    # Four fragments: the control channel's maximum, refused only as content.
    hostile._control.send("y" * sctpguard.MAX_MESSAGE)
    await wait_until(lambda: victim.refusals.total >= 1, 5, "the message to arrive")
    assert sctpguard.violation_of(victim.pc.sctp) is None
    assert recorder.state is CallState.LIVE
