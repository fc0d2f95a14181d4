"""The video frame buffer: a complete frame goes at once, holes wait (bounded), order is kept."""

from __future__ import annotations

import asyncio
import queue
from types import SimpleNamespace
from typing import Any

from aiortc import (
    RTCCertificate,
    RTCDtlsTransport,
    RTCIceGatherer,
    RTCIceTransport,
    RTCRtpCodecParameters,
    RTCRtpReceiver,
)
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from media import framebuffer
from media.framebuffer import CAPACITY, MAX_WAIT, RENACK_S, WAIT_LIMIT, FrameBuffer

PACKETS_PER_FRAME = 3


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _packet(seq: int, frame: int, last: bool) -> RtpPacket:
    packet = RtpPacket(payload_type=96, marker=int(last), sequence_number=seq & 0xFFFF,
                       timestamp=(frame * 3000) & 0xFFFFFFFF)  # fmt: skip
    packet._data = bytes([frame & 0xFF, seq & 0xFF])  # type: ignore[attr-defined]
    return packet


def _stream(frames: int, first_seq: int = 1000) -> list[RtpPacket]:
    """``frames`` frames of PACKETS_PER_FRAME packets each, the last one marked."""
    return [
        _packet(first_seq + f * PACKETS_PER_FRAME + i, f, i == PACKETS_PER_FRAME - 1)
        for f in range(frames)
        for i in range(PACKETS_PER_FRAME)
    ]


def _frame_of(data: bytes) -> int:
    return data[0]


def _feed(buffer: FrameBuffer | JitterBuffer, packets: list[RtpPacket]) -> list[int | None]:
    """Per packet: the frame number released on it, or None."""
    out: list[int | None] = []
    for packet in packets:
        frame = buffer.add(packet)[1]
        out.append(None if frame is None else _frame_of(frame.data))
    return out


def test_a_complete_frame_is_released_on_its_last_packet() -> None:
    packets = _stream(4)
    ours = _feed(FrameBuffer(), packets)
    # Released on the marked packet: positions 2, 5, 8, 11.
    assert ours == [None, None, 0, None, None, 1, None, None, 2, None, None, 3]
    # aiortc's releases frame n only on frame n+1's first packet, one frame later.
    theirs = _feed(JitterBuffer(capacity=512, is_video=True), packets)
    assert theirs == [None, None, None, 0, None, None, 1, None, None, 2, None, None]


def test_the_frame_holds_every_packet_in_order() -> None:
    buffer = FrameBuffer()
    packets = _stream(1)
    frames = [buffer.add(p)[1] for p in packets]
    assert frames[-1] is not None
    assert frames[-1].data == b"".join(p._data for p in packets)  # type: ignore[attr-defined]
    assert frames[-1].timestamp == packets[0].timestamp


def test_reordered_packets_within_a_frame_release_it_when_the_last_arrives() -> None:
    p = _stream(2)
    order = [p[0], p[2], p[1], p[3], p[5], p[4]]  # marked packet before the middle one
    buffer = FrameBuffer()
    released = _feed(buffer, order)
    assert released == [None, None, 0, None, None, 1]
    assert buffer.abandoned == 0


def test_a_frame_complete_before_an_earlier_one_waits_for_it() -> None:
    p = _stream(3)
    # Frame 0's middle packet comes last: frames 1 and 2 are complete before it.
    order = [p[0], p[2], *p[3:9], p[1]]
    buffer = FrameBuffer()
    released = _feed(buffer, order)
    assert released[:-1] == [None] * 8  # nothing overtakes frame 0
    assert released[-1] == 0
    assert buffer.pending == 2  # frames 1 and 2, handed on with the next packets
    following = _feed(buffer, _stream(5)[9:11])
    assert following == [1, 2]


def test_a_missing_packet_waits_for_retransmission_then_gives_up() -> None:
    clock = _Clock()
    buffer = FrameBuffer(clock=clock)
    p = _stream(4)
    lost = p[4]  # frame 1's middle packet
    released = _feed(buffer, [x for x in p[:8] if x is not lost])
    assert released == [None, None, 0, None, None, None, None]  # frame 2 waits behind 1
    clock.now += WAIT_LIMIT / 2
    assert buffer.add(p[8]) == (False, None)  # still waiting: a retransmission may come
    clock.now += WAIT_LIMIT
    pli, frame = buffer.add(p[9])  # frame 3's first packet: the hole is given up
    assert pli, "the decoder misses a picture: a keyframe is asked for"
    assert frame is not None and _frame_of(frame.data) == 2
    assert buffer.abandoned == 1
    assert _feed(buffer, p[10:12]) == [None, 3]
    assert buffer.add(lost) == (False, None) and buffer.late == 1  # too late now


def test_a_retransmission_in_time_fills_the_hole() -> None:
    clock = _Clock()
    buffer = FrameBuffer(clock=clock)
    p = _stream(3)
    _feed(buffer, [p[0], p[2], p[3]])
    clock.now += WAIT_LIMIT * 0.9
    pli, frame = buffer.add(p[1])
    assert not pli and frame is not None and _frame_of(frame.data) == 0
    assert buffer.abandoned == 0


def test_a_frame_still_arriving_is_not_a_hole() -> None:
    clock = _Clock()
    buffer = FrameBuffer(clock=clock)
    p = _stream(1)
    buffer.add(p[0])
    clock.now += 10 * WAIT_LIMIT  # a slow sender: nothing after the gap, nothing lost
    assert _feed(buffer, p[1:]) == [None, 0]
    assert buffer.abandoned == 0


def test_sequence_numbers_wrap_around() -> None:
    packets = _stream(6, first_seq=65536 - 7)
    released = _feed(FrameBuffer(), packets)
    assert [r for r in released if r is not None] == [0, 1, 2, 3, 4, 5]
    assert released[2] == 0 and released[8] == 2  # across 65535 → 0 without delay


def test_a_lost_packet_across_the_wrap_is_given_up() -> None:
    clock = _Clock()
    buffer = FrameBuffer(clock=clock)
    p = _stream(4, first_seq=65536 - 4)  # frame 1 holds 65535, 0 and 1
    _feed(buffer, p[:3])
    _feed(buffer, [p[3], p[5], *p[6:9]])  # 0 lost
    clock.now += 2 * WAIT_LIMIT
    assert _feed(buffer, p[9:]) == [2, None, 3]
    assert buffer.abandoned == 1


def test_a_jump_far_ahead_restarts_and_asks_for_a_keyframe() -> None:
    buffer = FrameBuffer()
    _feed(buffer, _stream(2))
    far = _stream(1, first_seq=1000 + 6 + CAPACITY * 2)
    pli, _ = buffer.add(far[0])
    assert pli
    assert _feed(buffer, far[1:]) == [None, 0]


def test_a_given_up_packet_arriving_late_makes_the_buffer_wait_longer() -> None:
    clock = _Clock()
    buffer = FrameBuffer(clock=clock)
    p = _stream(12)
    _feed(buffer, [x for x in p[:9] if x is not p[4]])
    clock.now += 2 * WAIT_LIMIT
    _feed(buffer, p[9:10])
    assert buffer.abandoned == 1
    buffer.add(p[3])  # a duplicate of a released packet: not a sign of slow retransmission
    assert buffer.wait_limit == WAIT_LIMIT
    buffer.add(p[4])  # the given-up one, after all
    assert buffer.wait_limit == 2 * WAIT_LIMIT
    _feed(buffer, [x for x in p[10:16] if x is not p[13]])  # another hole, in frame 4
    clock.now += 1.5 * WAIT_LIMIT
    assert _feed(buffer, p[16:17]) == [None]  # waited out before; now it is still waited for
    assert buffer.abandoned == 1
    for _ in range(5):
        buffer.add(p[4])
    assert buffer.wait_limit == 2 * WAIT_LIMIT  # counted once per given-up packet
    assert MAX_WAIT >= 2 * WAIT_LIMIT


def test_the_first_packets_out_of_order_still_make_the_first_frame() -> None:
    p = _stream(2)
    buffer = FrameBuffer()
    released = _feed(buffer, [p[1], p[0], p[2], *p[3:]])
    assert released == [None, None, 0, None, None, 1]
    assert buffer.late == 0


def test_frames_completed_together_all_reach_the_decoder_at_once() -> None:
    # At a low bitrate a frame is one packet; aiortc's receiver takes one frame per
    # packet, so the frames a retransmission completes used to queue for good.
    async def run() -> list[list[int]]:
        dtls = RTCDtlsTransport(RTCIceTransport(RTCIceGatherer()),
                                [RTCCertificate.generateCertificate()])  # fmt: skip
        receiver = RTCRtpReceiver("video", dtls)
        vp8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
        receiver._RTCRtpReceiver__codecs = {96: vp8}  # type: ignore[attr-defined]
        receiver._RTCRtpReceiver__decoder_thread = object()  # type: ignore[attr-defined]
        decoder: queue.Queue[Any] = receiver._RTCRtpReceiver__decoder_queue  # type: ignore[attr-defined]
        pc = SimpleNamespace(
            getTransceivers=lambda: [SimpleNamespace(kind="video", receiver=receiver)]
        )
        framebuffer.install(pc)
        framebuffer.install(pc)  # a second call wraps nothing twice

        def one_packet_frame(frame: int) -> RtpPacket:
            packet = RtpPacket(payload_type=96, marker=1, sequence_number=500 + frame,
                               timestamp=frame * 3000, ssrc=1234)  # fmt: skip
            # VP8 descriptor: start of a frame; payload header: frame 0 a keyframe
            packet.payload = b"\x10" + bytes([int(frame > 0), frame])
            return packet

        queued = []
        for frame in (0, 2, 3, 4, 1, 5):  # frame 1 retransmitted after 2-4
            await receiver._handle_rtp_packet(one_packet_frame(frame), arrival_time_ms=0)
            queued.append(decoder.qsize())
        return [queued]

    (queued,) = asyncio.run(run())
    assert queued == [1, 1, 1, 1, 5, 6]  # frames 1-4 at once, then one per packet


def test_holes_seen_together_are_given_up_together() -> None:
    # Each hole's wait counts from when it became known, not from when it reached
    # the head: under steady loss, holes used to wait one after the other and the
    # buffer fell seconds behind (docs/performance.md, link adaptation).
    clock = _Clock()
    buffer = FrameBuffer(clock=clock)
    p = _stream(6)
    lost = {1, 4}  # a packet of frame 0 and one of frame 1
    _feed(buffer, [x for i, x in enumerate(p[:12]) if i not in lost])
    assert buffer.released == 0
    clock.now += WAIT_LIMIT * 1.1
    buffer.add(p[12])  # the next packet: both holes are past the limit
    assert buffer.abandoned == 2
    assert buffer.released == 2  # frames 2 and 3 at once, not WAIT_LIMIT later


def test_a_hole_still_waited_for_is_named_again_after_a_round_trip() -> None:
    # aiortc's receiver names a packet again only when a new gap shows: at 2 % loss
    # ~0.7 s later, past MAX_WAIT, when the first retransmission was lost too.
    clock = _Clock()
    buffer = FrameBuffer(clock=clock, wait_limit=MAX_WAIT)
    p = _stream(6)
    _feed(buffer, [p[0], p[2], p[3]])  # packet 1 lost: aiortc names it now
    assert buffer.renack() == []
    clock.now += RENACK_S / 2
    buffer.add(p[4])
    assert buffer.renack() == []  # its retransmission may still come
    clock.now += RENACK_S / 2 + 0.001
    buffer.add(p[5])
    assert buffer.renack() == [p[1].sequence_number]
    assert buffer.renack() == []  # once per RENACK_S
    clock.now += RENACK_S
    buffer.add(p[6])
    assert buffer.renack() == [p[1].sequence_number]
    clock.now += MAX_WAIT
    buffer.add(p[7])  # given up: no longer waited for
    assert buffer.abandoned == 1
    assert buffer.renack() == []


def test_the_receiver_sends_the_repeated_nack(monkeypatch: Any) -> None:
    monkeypatch.setattr(framebuffer, "RENACK_S", 0.0)
    sent: list[tuple[int, list[int]]] = []

    async def run() -> None:
        dtls = RTCDtlsTransport(RTCIceTransport(RTCIceGatherer()),
                                [RTCCertificate.generateCertificate()])  # fmt: skip
        receiver = RTCRtpReceiver("video", dtls)
        vp8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
        receiver._RTCRtpReceiver__codecs = {96: vp8}  # type: ignore[attr-defined]

        async def send_nack(media_ssrc: int, lost: list[int]) -> None:
            sent.append((media_ssrc, lost))

        receiver._send_rtcp_nack = send_nack  # type: ignore[method-assign]
        pc = SimpleNamespace(
            getTransceivers=lambda: [SimpleNamespace(kind="video", receiver=receiver)]
        )
        framebuffer.install(pc)
        for seq in (500, 502, 503):  # 501 lost
            packet = RtpPacket(payload_type=96, marker=0, sequence_number=seq,
                               timestamp=3000, ssrc=1234)  # fmt: skip
            packet.payload = b"\x10\x00" if seq == 500 else b"\x00\x00"
            await receiver._handle_rtp_packet(packet, arrival_time_ms=0)

    asyncio.run(run())
    assert sent == [(1234, [501]), (1234, [501])]  # old code: aiortc's own, on the gap, only


def _vp8_stream(keyframes: set[int], frames: int) -> list[RtpPacket]:
    """Like _stream, with VP8 descriptors: the frames in ``keyframes`` are keyframes."""
    packets = _stream(frames)
    for i, packet in enumerate(packets):
        frame, first = i // PACKETS_PER_FRAME, i % PACKETS_PER_FRAME == 0
        header = 0 if frame in keyframes else 1  # the payload header's P bit
        packet.payload = bytes([0x10 if first else 0x00, header])
    return packets


def test_a_hole_is_dropped_at_once_for_a_complete_keyframe_behind_it() -> None:
    # After a drop onto 1 Mbit/s + 2 % + 150 ms a complete keyframe waited 0.28 s
    # behind a hole and 23 frames reached the pupil together, 0.41-1.05 s late.
    clock = _Clock()
    buffer = FrameBuffer(clock=clock)
    p = _vp8_stream({3}, 5)
    released = _feed(buffer, [x for i, x in enumerate(p[:12]) if i != 4])  # frame 1's hole
    assert released[-1] == 3  # on the keyframe's last packet, not WAIT_LIMIT later
    assert [released[2]] == [0] and buffer.released == 2  # frames 1 and 2 dropped
    assert buffer.skipped == 1 and buffer.abandoned == 0  # no keyframe asked for
    assert _feed(buffer, p[12:15]) == [None, None, 4]


def test_an_unfinished_keyframe_is_not_skipped_to() -> None:
    # Skipping to a keyframe that had only begun to arrive left nothing to decode
    # when it was given up in turn: freezes over 1 s (docs/performance.md, fifth round).
    clock = _Clock()
    buffer = FrameBuffer(clock=clock)
    p = _vp8_stream({3}, 5)
    released = _feed(buffer, [x for i, x in enumerate(p[:11]) if i != 4])  # no marker yet
    assert released == [None, None, 0, *[None] * 7]
    assert buffer.skipped == 0
    clock.now += WAIT_LIMIT * 0.5
    assert _feed(buffer, [p[4]]) == [1]  # the retransmission: frames 1 and 2 go on
    assert buffer.pending == 1
