"""A video jitter buffer that hands a frame on as soon as it is complete (issue 11, item 4).

aiortc's video buffer knows a frame has ended only when the first packet of the
next one arrives, so every frame waits one frame interval (~33 ms at 30 fps)
before it is decoded, in bare aiortc too. The sender sets the RTP marker bit on a
frame's last packet (aiortc's ``RTCRtpSender``, as RFC 7741 asks for VP8), so this
buffer releases a frame the moment every packet from its first to the marked one
is present, in sequence-number order. It waits only when a packet is known to be
missing (a later one has arrived): NACK asks the sender again and the
retransmission fills the hole; after the wait limit the frame is given up, the
buffer skips to the next frame whose start is certain, and asks for a keyframe
(PLI), since the decoder cannot continue cleanly without the lost picture. The
limit starts at WAIT_LIMIT; a given-up packet that arrives after all shows that
this link's retransmissions take longer, and doubles it (up to MAX_WAIT). The
wait counts from when the hole became known (the first packet after it arrived),
so holes queued behind the head are not waited for one after the other: under
steady loss at 0.6 s each, the buffer fell seconds behind (issue 10 item 5).

aiortc's receiver takes one frame per packet from its buffer. When a
retransmission completes several frames at once, the later ones would wait for
the next packets; at a low bitrate a frame is one packet, so that backlog never
drained and grew with every loss: seconds of delay on a 1 Mbit/s link with 2 %
loss (docs/performance.md, issue 10 item 5). So after each packet the receiver
hands every frame that is ready to its decoder (:func:`install` wraps its packet
handler).

A complete keyframe makes every frame before it useless: the decoder starts afresh
from it. So a head frame with a hole is dropped at once, with everything up to the
newest keyframe held whose every packet, up to its marked last one, is here: after a
drop onto 1 Mbit/s + 2 % + 150 ms a complete keyframe waited 0.28 s behind such a
hole and 23 frames went on together, 0.41-1.05 s late. Only a complete one: skipping
to a keyframe that had only begun to arrive (tried before) left nothing to decode
when it was given up in turn, and lengthened freezes past 1 s.

aiortc's receiver sends a NACK only when a new gap shows. When the retransmission
is lost as well (or the NACK), the next NACK naming the packet came with the next
lost packet: at 2 % loss ~0.7 s later, past MAX_WAIT, so the hole held every frame
behind it for MAX_WAIT and was then given up anyway. So a hole still waited for is
named again RENACK_S after its last NACK (:meth:`FrameBuffer.renack`, sent by the
wrapped packet handler); the sender resends a packet at most once per round trip
(media.resend).

Installed on every video receiver by :func:`install` (aiortc has no API for it:
the receiver's private buffer is replaced, so the aiortc version is pinned and
tests/integration/test_video_latency.py checks it).
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc.codecs import is_rtx
from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket

logger = logging.getLogger(__name__)

CAPACITY = 512  # packets held at most, aiortc's too: a 720p keyframe is ~75
# How long a known hole may hold the stream up. NACK asks at once and the
# retransmission needs one round trip; 150 ms covers a slow 4G round trip and a
# second chance, and is far below aiortc's (a full buffer: seconds at 1 Mbit/s).
WAIT_LIMIT = 0.15
MAX_WAIT = 0.6  # beyond this a keyframe (PLI round trip + encode) is the quicker way back
_GIVEN_UP_KEPT = 64  # given-up sequence numbers remembered, to notice them arriving late
# A hole is named again this long after its last NACK: a retransmission takes a round
# trip (0.15 s here, 0.25-0.36 s behind a full router queue); the sender ignores a
# name repeated within its own round trip (media.resend).
RENACK_S = 0.2
_HALF = 0x8000


def _after(seq: int, base: int) -> int:
    """How far ``seq`` lies after ``base``, modulo 2**16 (negative: before)."""
    offset = (seq - base) & 0xFFFF
    return offset - 0x10000 if offset >= _HALF else offset


class FrameBuffer:
    """Assembles VP8 frames from RTP packets; the interface of aiortc's JitterBuffer."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, wait_limit: float = WAIT_LIMIT
    ) -> None:
        self._clock = clock
        self._wait_limit = wait_limit
        self._packets: dict[int, RtpPacket] = {}
        self._head: int | None = None  # sequence number of the next frame's first packet
        # When each held packet arrived: a hole's wait counts from the first packet
        # after it, not from when it reached the head (holes behind the head would
        # otherwise wait one after the other, each the full limit).
        self._arrived: dict[int, float] = {}
        self._ready: collections.deque[JitterFrame] = collections.deque()
        self._given_up: collections.deque[int] = collections.deque(maxlen=_GIVEN_UP_KEPT)
        self._named_at: dict[int, float] = {}  # when a hole was last named again
        self.ssrc: int | None = None  # the stream's, for a NACK
        self.released = 0  # frames handed on
        self.abandoned = 0  # frames given up after WAIT_LIMIT
        self.late = 0  # packets that came after their frame was released or given up
        self.skipped = 0  # head frames with a hole dropped for a complete keyframe
        self._keyframes: set[int] = set()  # held packets that begin a keyframe

    @property
    def capacity(self) -> int:
        return CAPACITY

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        """Take one packet; (ask for a keyframe, the next complete frame or None)."""
        seq = packet.sequence_number
        self.ssrc = packet.ssrc
        if self._head is None:
            self._head = seq
        offset = _after(seq, self._head)
        pli = False
        if -CAPACITY <= offset < 0 and not self.released and not self.abandoned:
            self._head, offset = seq, 0  # the stream's first packets came out of order
        if -CAPACITY <= offset < 0:
            self.late += 1
            if seq in self._given_up:  # its retransmission was on its way: wait longer
                self._given_up.remove(seq)
                self._wait_limit = min(MAX_WAIT, 2 * self._wait_limit)
            return False, self._next_ready()
        if not 0 <= offset < CAPACITY:  # a jump: the sender restarted or a long outage
            logger.debug("video sequence jumped by %d: buffer restarted", offset)
            self._restart(seq)
            pli = True
        self._packets[seq] = packet
        self._arrived[seq] = self._clock()
        if _begins_keyframe(packet):
            self._keyframes.add(seq)
        pli = self._collect() or pli
        return pli, self._next_ready()

    def renack(self) -> list[int]:
        """The holes still waited for whose last NACK is RENACK_S old: name them again."""
        if self._head is None or not self._packets:
            return []
        head = self._head
        newest = max(_after(seq, head) for seq in self._packets)
        if len(self._packets) > newest:
            return []  # every packet from the head to the newest is here: no hole
        now = self._clock()
        due = []
        for i in range(newest):
            seq = (head + i) & 0xFFFF
            if seq in self._packets:
                continue
            named = self._named_at.get(seq)
            if named is None:  # the hole shows now, and aiortc names it now
                self._named_at[seq] = now
            elif now - named >= RENACK_S:
                due.append(seq)
                self._named_at[seq] = now
        return due

    @property
    def wait_limit(self) -> float:
        """How long a known hole may hold the stream up now (s)."""
        return self._wait_limit

    @property
    def pending(self) -> int:
        """Complete frames waiting for the receiver to take them."""
        return len(self._ready)

    # -- assembly -------------------------------------------------------------------

    def _collect(self) -> bool:
        """Move every complete frame at the head to the ready queue; True: ask for a keyframe."""
        pli = False
        while self._packets:
            assert self._head is not None
            end, missing = self._scan()
            if end is not None:
                self._release(end)
                continue
            if missing is None or not self._hole_known(missing):
                break  # the frame is still arriving: nothing lost yet
            if self._skip_to_keyframe():
                continue
            if self._clock() - self._hole_seen(missing) < self._wait_limit or not self._give_up():
                break
            pli = True
        return pli

    def _scan(self) -> tuple[int | None, int | None]:
        """(last packet of the complete head frame, None) or (None, first missing packet)."""
        assert self._head is not None
        timestamp = None
        for i in range(CAPACITY):
            seq = (self._head + i) & 0xFFFF
            packet = self._packets.get(seq)
            if packet is None:
                return None, seq
            if timestamp is None:
                timestamp = packet.timestamp
            elif packet.timestamp != timestamp:
                return (seq - 1) & 0xFFFF, None  # a sender that sets no marker bit
            if packet.marker:
                return seq, None
        return None, None

    def _hole_seen(self, missing: int) -> float:
        """When the first packet after ``missing`` arrived (the hole became known)."""
        for i in range(1, CAPACITY):
            arrived = self._arrived.get((missing + i) & 0xFFFF)
            if arrived is not None:
                return arrived
        return self._clock()

    def _hole_known(self, missing: int) -> bool:
        """Whether a packet after ``missing`` has arrived (so it is lost or reordered)."""
        return any(_after(seq, missing) > 0 for seq in self._packets)

    def _release(self, end: int) -> None:
        assert self._head is not None
        count = _after(end, self._head) + 1
        seqs = [(self._head + i) & 0xFFFF for i in range(count)]
        packets = [self._packets.pop(seq) for seq in seqs]
        for seq in seqs:
            self._arrived.pop(seq, None)
            self._keyframes.discard(seq)
        self._head = (end + 1) & 0xFFFF
        self._forget_named()
        data = b"".join(p._data for p in packets)  # type: ignore[attr-defined]  # depayloaded
        if data:  # padding alone is no picture
            self._ready.append(JitterFrame(data=data, timestamp=packets[0].timestamp))
            self.released += 1

    def _give_up(self) -> bool:
        """Drop the incomplete head frame up to the next certain frame start, if one is here."""
        start = self._next_start()
        if start is None:
            return False  # nothing to skip to yet: keep waiting for the hole or a start
        self._given_up.extend(self._drop_before(start))
        self.abandoned += 1
        logger.debug("video frame incomplete after %.0f ms: given up", self._wait_limit * 1000)
        return True

    def _skip_to_keyframe(self) -> bool:
        """Drop everything before the newest complete keyframe held, if there is one.
        Not counted as given up: a skipped packet arriving late says nothing about how
        long retransmissions take, and no keyframe need be asked for."""
        assert self._head is not None
        head = self._head
        for start in sorted(self._keyframes, key=lambda s: _after(s, head), reverse=True):
            if _after(start, head) > 0 and self._complete_from(start):
                self._drop_before(start)
                self.skipped += 1
                logger.debug("video frames dropped for a complete keyframe")
                return True
        return False

    def _complete_from(self, start: int) -> bool:
        """Whether the frame beginning at ``start`` has all its packets, the marked one too."""
        timestamp = self._packets[start].timestamp
        for i in range(CAPACITY):
            packet = self._packets.get((start + i) & 0xFFFF)
            if packet is None or packet.timestamp != timestamp:
                return False
            if packet.marker:
                return True
        return False

    def _drop_before(self, start: int) -> list[int]:
        """Drop every packet from the head up to ``start``; the ones never here."""
        assert self._head is not None
        missing = []
        for i in range(_after(start, self._head)):
            seq = (self._head + i) & 0xFFFF
            self._arrived.pop(seq, None)
            self._keyframes.discard(seq)
            if self._packets.pop(seq, None) is None:
                missing.append(seq)
        self._head = start
        self._forget_named()
        return missing

    def _next_start(self) -> int | None:
        """The earliest packet whose predecessor is here and ended a frame."""
        assert self._head is not None
        head = self._head
        for seq in sorted(self._packets, key=lambda s: _after(s, head)):
            before = self._packets.get((seq - 1) & 0xFFFF)
            if before is not None and (
                before.marker or before.timestamp != self._packets[seq].timestamp
            ):
                return seq
        return None

    def _restart(self, seq: int) -> None:
        self._packets.clear()
        self._arrived.clear()
        self._named_at.clear()
        self._keyframes.clear()
        self._head = seq

    def _forget_named(self) -> None:
        if self._named_at:
            head = self._head
            assert head is not None
            self._named_at = {s: t for s, t in self._named_at.items() if _after(s, head) >= 0}

    def _next_ready(self) -> JitterFrame | None:
        return self._ready.popleft() if self._ready else None


def _begins_keyframe(packet: RtpPacket) -> bool:
    """Whether the packet is the first of a VP8 keyframe (RFC 7741: S set, partition 0,
    the payload header's P bit clear)."""
    try:
        descriptor, rest = VpxPayloadDescriptor.parse(packet.payload)
    except ValueError:
        return False
    return bool(
        descriptor.partition_start and descriptor.partition_id == 0 and rest and not rest[0] & 1
    )


def install(pc: Any) -> None:
    """Give every video receiver of ``pc`` a FrameBuffer (before media flows)."""
    for transceiver in pc.getTransceivers():
        if transceiver.kind == "video":
            receiver = transceiver.receiver
            if isinstance(receiver._RTCRtpReceiver__jitter_buffer, FrameBuffer):
                continue  # installed already: wrap its handler once
            buffer = FrameBuffer()
            receiver._RTCRtpReceiver__jitter_buffer = buffer
            receiver._handle_rtp_packet = _draining(receiver, buffer)


def _draining(receiver: Any, buffer: FrameBuffer) -> Callable[..., Awaitable[None]]:
    """The receiver's packet handler, then every further ready frame to its decoder."""
    handle = receiver._handle_rtp_packet  # aiortc's, bound

    async def handle_rtp_packet(packet: RtpPacket, arrival_time_ms: int) -> None:
        await handle(packet, arrival_time_ms=arrival_time_ms)
        if buffer.pending:
            hand_on_ready(receiver, buffer, packet.payload_type)
        lost = buffer.renack()
        if lost and buffer.ssrc is not None:
            await receiver._send_rtcp_nack(buffer.ssrc, lost)

    return handle_rtp_packet


def hand_on_ready(receiver: Any, buffer: FrameBuffer, payload_type: int) -> None:
    """Queue the buffer's ready frames for decoding, as aiortc does with the one it takes."""
    codecs = receiver._RTCRtpReceiver__codecs
    codec = codecs.get(payload_type)
    if codec is not None and is_rtx(codec):  # a retransmission completed them
        codec = codecs.get(codec.parameters.get("apt"))
    if codec is None or receiver._RTCRtpReceiver__decoder_thread is None:
        return
    mapper = receiver._RTCRtpReceiver__timestamp_mapper
    while (frame := buffer._next_ready()) is not None:
        frame.timestamp = mapper.map(frame.timestamp)
        receiver._RTCRtpReceiver__decoder_queue.put((codec, frame))
