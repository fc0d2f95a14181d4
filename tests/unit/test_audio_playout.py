"""The audio playout buffer: as deep as the reordering seen, holes given up, depth back down.

Each test scripts the order in which packets arrive (aiortc's receiver calls the
buffer once per arriving packet) and reads which frames come out, and how far
behind the newest arrival each one is: that lag, times 20 ms, is the delay the
buffer adds.
"""

from __future__ import annotations

import random

from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from media.audio.playout import (
    MAX_DEPTH,
    MIN_DEPTH,
    QUIET_LEVEL,
    QUIET_WAIT,
    SHRINK_EVERY,
    WINDOW,
    PlayoutBuffer,
)


def _packet(seq: int, quiet: bool = False) -> RtpPacket:
    packet = RtpPacket(payload_type=111, sequence_number=seq & 0xFFFF, timestamp=seq * 960)
    packet._data = bytes([seq & 0xFF])  # type: ignore[attr-defined]  # aiortc's depayloaded
    if quiet:
        packet.extensions.audio_level = (False, QUIET_LEVEL + 20)
    return packet


def _feed(buffer: JitterBuffer, seqs: list[int], quiet: frozenset[int] = frozenset()) -> list[int]:
    released = []
    for seq in seqs:
        frame = buffer.add(_packet(seq, seq in quiet))[1]
        if frame is not None:
            released.append(frame.timestamp // 960)
    return released


def _lags(buffer: JitterBuffer, seqs: list[int]) -> list[int]:
    """Per arrival that released a frame: newest sequence number seen - the one released."""
    lags, newest = [], seqs[0]
    for seq in seqs:
        newest = max(newest, seq)
        frame = buffer.add(_packet(seq))[1]
        if frame is not None:
            lags.append(newest - frame.timestamp // 960)
    return lags


def _late(count: int, every: int, places: int, start: int = 0) -> list[int]:
    """``count`` packets from ``start`` in order, except that every ``every``-th one
    arrives after the ``places`` packets that follow it (a jittery link that reorders)."""
    order = list(range(start, start + count))
    for i in range(every, count - places, every):
        late = order.pop(i)
        order.insert(i + places, late)
    return order


def test_a_steady_stream_is_released_one_packet_behind() -> None:
    buffer = PlayoutBuffer()
    assert set(_lags(buffer, list(range(200)))) == {MIN_DEPTH}  # 20 ms, not aiortc's 80
    assert buffer.depth.value == MIN_DEPTH == 1
    assert buffer.skipped == buffer.dropped == 0


def test_a_single_swap_is_played_at_the_shallowest_depth() -> None:
    buffer = PlayoutBuffer()
    released = _feed(buffer, _late(100, 10, 1))
    assert released == list(range(99))  # in order, none lost
    assert buffer.depth.value == MIN_DEPTH and buffer.skipped == 0


def test_packets_that_arrive_later_deepen_the_buffer_so_the_next_ones_are_played() -> None:
    buffer = PlayoutBuffer()
    order = _late(100, 10, 2)  # every 10th packet two places late
    released = _feed(buffer, order)
    # The first one came after it was given up (its FEC copy stood in for it): the
    # depth went to 2 at once, and every later one was played.
    assert buffer.too_late == 1 and buffer.skipped == 1
    assert buffer.depth.value == 2
    assert released == [s for s in range(98) if s != 10]
    assert max(_lags(PlayoutBuffer(), order)[20:]) <= 2 + 2  # never aiortc's 4 + jitter


def test_loss_alone_keeps_the_buffer_shallow() -> None:
    """A lost packet does not come: waiting longer for it only adds delay, and its FEC
    copy is in the packet after it, which the give-up already has in hand."""
    rng = random.Random(3)
    seqs = [s for s in range(500) if rng.random() > 0.05]
    buffer = PlayoutBuffer()
    released = _feed(buffer, seqs)
    assert buffer.depth.value == MIN_DEPTH and buffer.depth.grown == 0
    assert released == seqs[: len(released)] and released[-1] == seqs[-1 - MIN_DEPTH]
    aiortcs = _feed(JitterBuffer(capacity=16, prefetch=4), seqs)
    assert aiortcs[-1] <= seqs[-1] - 14  # aiortc's stalls on the first hole for good


def test_a_burst_of_loss_and_late_packets_grows_the_depth_then_it_shrinks_back() -> None:
    buffer = PlayoutBuffer()
    rng = random.Random(5)
    burst = [s for s in _late(150, 7, 3, start=100) if rng.random() > 0.05]
    seqs = [*range(100), *burst, *range(250, 250 + WINDOW + 3 * (SHRINK_EVERY + QUIET_WAIT))]
    lags = _lags(buffer, seqs)
    assert buffer.depth.grown >= 1
    assert buffer.depth.shrunk == 3 - MIN_DEPTH  # one frame at a time, 3 → 1
    assert buffer.dropped == 3 - MIN_DEPTH
    assert buffer.depth.value == MIN_DEPTH
    assert lags[-1] == MIN_DEPTH  # back to 20 ms behind
    assert max(lags) <= 3 + 2  # the depth, plus a lost packet just given up


def test_the_depth_stays_up_while_late_packets_keep_coming() -> None:
    buffer = PlayoutBuffer()
    _feed(buffer, _late(3 * WINDOW, WINDOW // 3, 3))  # one late packet a second
    assert buffer.depth.value == 3 and buffer.depth.shrunk == 0


def test_stepping_down_drops_a_quiet_frame_when_one_comes() -> None:
    buffer = PlayoutBuffer()
    _feed(buffer, _late(40, 10, 2))  # depth 2
    assert buffer.depth.value == 2
    quiet = frozenset(range(40 + WINDOW + 20, 40 + WINDOW + 400, 17))
    released = _feed(buffer, list(range(40, 40 + WINDOW + 400)), quiet)
    assert buffer.depth.value == MIN_DEPTH and buffer.dropped == 1
    missing = set(range(40, released[-1])) - set(released)
    assert missing and missing <= quiet


def test_a_packet_too_late_for_any_depth_does_not_deepen_the_buffer() -> None:
    buffer = PlayoutBuffer()
    order = list(range(60))
    order.insert(50, order.pop(10))  # packet 10 arrives 40 places (800 ms) late
    _feed(buffer, order)
    assert buffer.depth.value == MIN_DEPTH and buffer.too_late == 1
    assert MAX_DEPTH < 40


def test_sequence_numbers_wrap() -> None:
    buffer = PlayoutBuffer()
    seqs = [(65530 + i) & 0xFFFF for i in range(12)]
    released = _feed(buffer, seqs)
    assert released and released[-1] == (65530 + 11 - MIN_DEPTH) & 0xFFFF
    assert buffer.depth.value == MIN_DEPTH
