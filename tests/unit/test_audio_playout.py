"""The audio playout buffer: holes do not block, a lost packet is given up, bursts shrink."""

from __future__ import annotations

from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from media.audio.playout import PREFETCH, SLACK, PlayoutBuffer


def _packet(seq: int) -> RtpPacket:
    packet = RtpPacket(payload_type=111, sequence_number=seq & 0xFFFF, timestamp=seq * 960)
    packet._data = bytes([seq & 0xFF])  # type: ignore[attr-defined]  # aiortc's depayloaded
    return packet


def _feed(buffer: JitterBuffer, seqs: list[int]) -> list[int]:
    released = []
    for seq in seqs:
        frame = buffer.add(_packet(seq))[1]
        if frame is not None:
            released.append(frame.timestamp // 960)
    return released


def test_steady_stream_is_released_in_order_after_the_normal_depth() -> None:
    released = _feed(PlayoutBuffer(), list(range(20)))
    assert released == list(range(20 - PREFETCH - 1 + 1))


def test_a_lost_packet_does_not_add_delay_for_the_rest_of_the_call() -> None:
    seqs = [s for s in range(60) if s != 10]  # packet 10 lost
    ours = _feed(PlayoutBuffer(), seqs)
    aiortcs = _feed(JitterBuffer(capacity=16, prefetch=4), seqs)
    # Ours releases packet s when s + PREFETCH has arrived, before and after the loss.
    assert 10 not in ours and ours[-1] == 59 - PREFETCH
    # aiortc's stalls on the hole and then stays ~15 packets (300 ms) behind.
    assert aiortcs[-1] <= 59 - 14


def test_a_burst_shrinks_back_to_the_normal_depth() -> None:
    buffer = PlayoutBuffer()
    _feed(buffer, list(range(10)))
    # Packets 10..19 arrive; a hole at 10 is filled late, after the others.
    released = _feed(buffer, [*range(11, 20), 10])
    assert buffer.skipped == 1  # 10 was given up; arriving afterwards it is too late
    assert released[-1] >= 19 - PREFETCH
    assert len(buffer._present()) <= PREFETCH + SLACK


def test_sequence_numbers_wrap() -> None:
    released = _feed(PlayoutBuffer(), [65530 + i for i in range(12)])
    assert released and released[-1] == (65530 + 11 - PREFETCH)
