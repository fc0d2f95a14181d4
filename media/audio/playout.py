"""An audio jitter buffer whose delay comes back down after loss (issue 11, item 3).

aiortc's audio buffer (16 packets, a frame released after 4) waits on a lost
packet until 16 have queued behind it and then stays that deep: one loss burst
adds ~300 ms for the rest of the call (aiortc does not retransmit audio). This
one keeps aiortc's way of releasing frames but

- releases the oldest packet once PREFETCH packets wait behind it, holes or not
  (aiortc counts only an unbroken run, so a hole blocks it),
- skips a missing oldest packet once HOLE_PATIENCE packets wait behind it (the
  lost 20 ms is not coming; the decoder continues with the next frame), and
- drops the oldest queued packets when more than ``prefetch + SLACK`` wait, so a
  burst of late packets shrinks back to the normal depth instead of staying, and
- marks the packet released after given-up ones (:class:`media.audio.fec.AfterLoss`),
  so the decoder rebuilds them from its FEC copy or conceals them; packets dropped
  to shrink the delay are not marked (rebuilding them would undo the shrinking).

Each packet is one Opus frame (aiortc's Opus payloader), so skipping or dropping
never splits a frame. Installed on every audio receiver by :func:`install`
(aiortc has no API for it: the receiver's private buffer is replaced, so the
aiortc version is pinned and tests/integration/test_audio_delay.py checks it).
"""

from __future__ import annotations

import logging
from typing import Any

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

from media.audio.fec import AfterLoss

logger = logging.getLogger(__name__)

CAPACITY = 16
PREFETCH = 4  # aiortc's: the normal depth, ~80 ms
HOLE_PATIENCE = 2  # packets behind a hole before it is given up (40 ms)
SLACK = 2  # packets above the normal depth before the oldest go


class PlayoutBuffer(JitterBuffer):
    def __init__(self) -> None:
        super().__init__(capacity=CAPACITY, prefetch=PREFETCH)
        self.skipped = 0  # lost packets given up
        self.dropped = 0  # late packets dropped to shrink the delay
        self._lost = 0  # given up just before the next packet to release

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        if self._origin is None:
            self._origin = packet.sequence_number
        elif 0 < uint16_add(self._origin, -packet.sequence_number) < 4 * CAPACITY:
            return False, None  # older than what was released or given up: too late
        delta = uint16_add(packet.sequence_number, -self._origin)
        if delta >= CAPACITY:  # far ahead (a long gap): make room for it
            self.remove(min(CAPACITY, delta - CAPACITY + 1))
            self._lost = 0  # a long gap: nothing to rebuild
            if delta >= 2 * CAPACITY:
                self._origin = packet.sequence_number
        self._packets[packet.sequence_number % CAPACITY] = packet
        self._skip_hole()
        self._shrink()
        return False, self._release()

    def _present(self) -> list[int]:
        """Offsets from the origin of the packets held."""
        assert self._origin is not None
        return [i for i in range(CAPACITY) if self._packets[(self._origin + i) % CAPACITY]]

    def _skip_hole(self) -> None:
        """A missing oldest packet with HOLE_PATIENCE packets behind it is not coming."""
        present = self._present()
        if len(present) >= HOLE_PATIENCE and present[0] > 0:
            self.skipped += present[0]
            self._lost += present[0]
            self.remove(present[0])

    def _shrink(self) -> None:
        present = self._present()
        excess = len(present) - (PREFETCH + SLACK)
        if excess > 0:
            self.dropped += excess
            self._lost = 0
            self.remove(present[excess - 1] + 1)

    def _release(self) -> JitterFrame | None:
        """The oldest packet (one Opus frame) once PREFETCH more wait behind it."""
        assert self._origin is not None
        present = self._present()
        if len(present) <= PREFETCH or present[0] != 0:
            return None
        packet = self._packets[self._origin % CAPACITY]
        assert packet is not None
        self.remove(1)
        data: bytes = packet._data  # type: ignore[attr-defined]  # aiortc's depayloaded
        lost, self._lost = self._lost, 0
        if lost:
            return AfterLoss(data=data, timestamp=packet.timestamp, lost=lost)
        return JitterFrame(data=data, timestamp=packet.timestamp)


def install(pc: Any) -> None:
    """Give every audio receiver of ``pc`` a PlayoutBuffer (before media flows)."""
    for transceiver in pc.getTransceivers():
        if transceiver.kind == "audio":
            receiver = transceiver.receiver
            receiver._RTCRtpReceiver__jitter_buffer = PlayoutBuffer()
