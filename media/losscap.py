"""A video bitrate cap from the loss the receiver reports (issue 10 item 5).

aiortc's receiver estimate (REMB) is delay-based and barely moves when a link's
queue is a rate limiter that drops (a home router, `tc tbf` in the lab): the
encoder kept sending ~1.3 Mbit/s into a 1 Mbit/s link, a quarter of the packets
were lost, keyframes never arrived whole and video froze for seconds
(docs/performance.md). Every RTCP receiver report carries the fraction of our
packets lost since the previous one (aiortc sends one every 0.5-1.5 s), so the
sender can see the link's limit: what got through is what it sent times
(1 - loss).

The rules follow GCC's loss-based controller (the WebRTC one) with one change: on
loss above HIGH_LOSS the cap goes straight to the rate that got through, less a
margin for audio and retransmissions, instead of halving the loss step by step,
because each bitrate change costs aiortc's encoder a keyframe. Below LOW_LOSS the
cap grows by GROWTH per report, so a lifted limit is found again within seconds;
in between (random loss on Wi-Fi, which NACK and FEC repair) it holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable

HIGH_LOSS = 0.10  # above: the link is over its limit
LOW_LOSS = 0.02  # below: room to grow
MARGIN = 0.85  # of what got through, for audio, RTX and the encoder's overshoot
GROWTH = 1.08  # per clean report (about one a second)
CUT_HOLD_S = 2.0  # a report covers ~1 s sent before the last cut: do not cut twice for it


class LossCap:
    """The highest video bitrate the reported loss allows, in bit/s."""

    def __init__(self, start: int, *, floor: int, ceiling: int, clock: Callable[[], float]) -> None:
        self.value = start
        self._floor, self._ceiling = floor, ceiling
        self._clock = clock
        self._cut_at = -math.inf

    def report(self, fraction_lost: float, sending: int) -> bool:
        """Take one receiver report (loss 0..1) while the encoder targets ``sending``
        bit/s. Returns True when the link is congested and the cap was cut now."""
        now = self._clock()
        if fraction_lost > HIGH_LOSS:
            if now - self._cut_at < CUT_HOLD_S:
                return False
            through = sending * (1.0 - fraction_lost) * MARGIN
            self.value = max(self._floor, min(self.value, int(through)))
            self._cut_at = now
            return True
        if fraction_lost < LOW_LOSS:
            self.value = min(self._ceiling, int(self.value * GROWTH))
        return False
