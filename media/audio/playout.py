"""An audio jitter buffer only as deep as the link needs (issue 11, item 3).

aiortc's audio buffer (16 packets, a frame released after 4) waits on a lost
packet until 16 have queued behind it and then stays that deep: one loss burst
adds ~300 ms for the rest of the call (aiortc does not retransmit audio). And
its fixed depth of 4 packets is 80 ms of the ~88 ms mouth-to-ear delay on
loopback (``bench.audio_budget``).

aiortc's receiver hands this buffer a packet when one arrives and decodes what
it returns; nothing runs in between. So the buffer cannot smooth *when* audio
comes out: a late packet comes out late whatever the depth, and a steady
consumer's own buffer (the speaker's ring, app.av.speaker) is what absorbs
timing jitter. What depth buys here is order: a packet that arrives after ``n``
of its successors is still played if ``n`` packets wait behind the one
released (the *depth*), and the packet after a lost one, which carries its FEC
copy, is in hand when the loss is given up. So the depth follows the
reordering actually seen:

- it starts at MIN_DEPTH (one packet, 20 ms: a single swap is still played);
- a packet that arrives ``n`` places late raises the depth to ``n`` at once
  (up to MAX_DEPTH), so the next such packet is played, not given up;
- when no packet in the last WINDOW arrivals needed the depth, it comes down
  one packet at a time, at most every SHRINK_EVERY arrivals, by dropping one
  frame: a quiet one (the sender's RTP audio level, RFC 6464) if one comes
  within QUIET_WAIT arrivals, else the next;
- a missing oldest packet is given up once ``depth + 1`` packets wait behind it
  (a packet that late would not be played anyway), and the packet released
  after it is marked (:class:`media.audio.fec.AfterLoss`) so the decoder
  rebuilds the lost frames from its FEC copy or conceals them; frames dropped
  to shrink the delay are not marked (rebuilding them would undo the shrinking).

Each packet is one Opus frame (aiortc's Opus payloader), so skipping or dropping
never splits a frame. Installed on every audio receiver by :func:`install`
(aiortc has no API for it: the receiver's private buffer is replaced, so the
aiortc version is pinned and tests/integration/test_audio_delay.py checks it).
"""

from __future__ import annotations

import collections
import logging
from typing import Any

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

from media.audio.fec import AfterLoss

logger = logging.getLogger(__name__)

CAPACITY = 16
MIN_DEPTH = 1  # packets behind the one released: 20 ms
MAX_DEPTH = 6  # 120 ms: reordering beyond that is given up and rebuilt
WINDOW = 150  # arrivals (3 s) over which a late packet keeps the depth up
SHRINK_EVERY = 25  # arrivals (0.5 s) between two steps down
QUIET_WAIT = 50  # arrivals (1 s) a step down waits for a quiet frame
QUIET_LEVEL = 50  # RFC 6464 level (-dBov) at or above which a frame counts as quiet


class Depth:
    """The number of packets kept behind the one released, from the reordering seen."""

    def __init__(self) -> None:
        self.value = MIN_DEPTH
        self._arrivals = 0
        self._late: collections.deque[tuple[int, int]] = collections.deque()  # (arrival, places)
        self._changed = 0  # arrival at the last change
        self._due: int | None = None  # arrival since which a step down waits for quiet
        self.grown = self.shrunk = 0

    def arrived(self, places_late: int) -> None:
        """One packet arrived, ``places_late`` after a successor (0: in order)."""
        self._arrivals += 1
        while self._late and self._late[0][0] <= self._arrivals - WINDOW:
            self._late.popleft()
        if places_late > 0:
            self._late.append((self._arrivals, places_late))
            if places_late > self.value and self.value < MAX_DEPTH:
                self._set(min(places_late, MAX_DEPTH), "late packet")
                self.grown += 1

    def shrink(self, quiet: bool) -> bool:
        """Whether to drop one frame now and be a packet shallower (then it is)."""
        needed = max((places for _, places in self._late), default=0)
        if self.value <= max(MIN_DEPTH, needed) or self._arrivals - self._changed < SHRINK_EVERY:
            self._due = None
            return False
        if self._due is None:
            self._due = self._arrivals  # from now on a quiet frame goes
        if not quiet and self._arrivals - self._due < QUIET_WAIT:
            return False
        self._set(self.value - 1, "quiet frame dropped" if quiet else "frame dropped")
        self.shrunk += 1
        return True

    def _set(self, value: int, why: str) -> None:
        logger.debug("playout depth %d -> %d (%s)", self.value, value, why)
        self.value, self._changed, self._due = value, self._arrivals, None


class PlayoutBuffer(JitterBuffer):
    def __init__(self) -> None:
        super().__init__(capacity=CAPACITY, prefetch=MIN_DEPTH)
        self.depth = Depth()
        self.skipped = 0  # lost packets given up
        self.dropped = 0  # frames dropped to shrink the delay
        self.too_late = 0  # packets that came after they were released or given up
        self.levelled = 0  # packets with the sender's audio level: quiet frames can be told
        self._lost = 0  # given up just before the next packet to release
        self._highest: int | None = None  # newest sequence number seen

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        seq = packet.sequence_number
        self.depth.arrived(self._places_late(seq))
        self.levelled += packet.extensions.audio_level is not None
        if self._origin is None:
            self._origin = seq
        elif 0 < uint16_add(self._origin, -seq) < 4 * CAPACITY:
            self.too_late += 1
            return False, None  # older than what was released or given up: too late
        delta = uint16_add(seq, -self._origin)
        if delta >= CAPACITY:  # far ahead (a long gap): make room for it
            self.remove(min(CAPACITY, delta - CAPACITY + 1))
            self._lost = 0  # a long gap: nothing to rebuild
            if delta >= 2 * CAPACITY:
                self._origin = seq
        self._packets[seq % CAPACITY] = packet
        self._skip_hole()
        self._shrink()
        return False, self._release()

    def _places_late(self, seq: int) -> int:
        """How many newer packets arrived before this one (0: in order, or too late for
        any depth to have played it)."""
        if self._highest is not None:
            behind = uint16_add(self._highest, -seq)
            if behind < 4 * CAPACITY:  # a duplicate (0) or a late one
                return behind if behind <= MAX_DEPTH else 0
        self._highest = seq
        return 0

    def _present(self) -> list[int]:
        """Offsets from the origin of the packets held."""
        assert self._origin is not None
        return [i for i in range(CAPACITY) if self._packets[(self._origin + i) % CAPACITY]]

    def _skip_hole(self) -> None:
        """A missing oldest packet with depth + 1 packets behind it would not be played."""
        present = self._present()
        if len(present) > self.depth.value and present[0] > 0:
            self.skipped += present[0]
            self._lost += present[0]
            self.remove(present[0])

    def _shrink(self) -> None:
        """Drop the oldest frame when the depth steps down (Depth.shrink decides)."""
        assert self._origin is not None
        present = self._present()
        head = self._packets[self._origin % CAPACITY] if present and present[0] == 0 else None
        if head is not None and len(present) > self.depth.value and self.depth.shrink(_quiet(head)):
            self.dropped += 1
            self._lost = 0
            self.remove(1)

    def _release(self) -> JitterFrame | None:
        """The oldest packet (one Opus frame) once ``depth`` more wait behind it."""
        assert self._origin is not None
        present = self._present()
        if len(present) <= self.depth.value or present[0] != 0:
            return None
        packet = self._packets[self._origin % CAPACITY]
        assert packet is not None
        self.remove(1)
        data: bytes = packet._data  # type: ignore[attr-defined]  # aiortc's depayloaded
        lost, self._lost = self._lost, 0
        if lost:
            return AfterLoss(data=data, timestamp=packet.timestamp, lost=lost)
        return JitterFrame(data=data, timestamp=packet.timestamp)


def _quiet(packet: RtpPacket) -> bool:
    """Whether the sender marked this frame quiet (RFC 6464; aiortc sends the level)."""
    level = packet.extensions.audio_level
    return level is not None and level[1] >= QUIET_LEVEL


def install(pc: Any) -> None:
    """Give every audio receiver of ``pc`` a PlayoutBuffer (before media flows)."""
    for transceiver in pc.getTransceivers():
        if transceiver.kind == "audio":
            receiver = transceiver.receiver
            receiver._RTCRtpReceiver__jitter_buffer = PlayoutBuffer()
