"""A lost video packet is resent at most once per round trip (issue 10 item 5).

aiortc's receiver names every packet still missing in each NACK, and sends a NACK
each time a new gap shows; aiortc's sender resends every packet named. When a
full-rate call dropped onto a 1 Mbit/s link with 150 ms round trip, dozens of
packets stayed missing for a round trip while dozens of NACKs came in, and the
sender put 6-9 Mbit/s of retransmissions (RTX) into the 1 Mbit/s link: the
router's queue dropped audio for 0.7-0.8 s and video froze (docs/performance.md).
A resend cannot arrive before a round trip has passed, so naming a packet again
sooner asks for nothing new. Even so, under 30-40 % loss the resends reached
1.5 Mbit/s for a 0.8 Mbit/s stream, so they also get a budget, BUDGET_SHARE of the
encoder's target.

The budget goes to the oldest packet the receiver still waits for first: its frame
buffer hands frames on in order, so the oldest hole holds every frame behind it.
aiortc's receiver keeps naming a packet until 128 newer ones have arrived, long
after its frame was given up (media.framebuffer waits at most MAX_WAIT from when a
hole shows), so a packet first sent more than MAX_WAIT ago is not resent. Newest
first (the rule before) starved the oldest hole: after a drop onto 1 Mbit/s + 2 %
+ 150 ms, one packet's resend came 0.6 s after its frame, and the 14 complete frames
behind it reached the pupil together, 0.42-0.82 s late (docs/performance.md).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable

from media.framebuffer import MAX_WAIT

MIN_WAIT_S = 0.1  # below any useful round trip here: the receiver's NACKs come faster
ROUND_TRIPS = 1.2  # a resend may come again after this many round trips
REMEMBERED = 1024  # packets (aiortc keeps 128 in its history)
BUDGET_SHARE = 0.5  # of the encoder's target: 10 % loss resent 5 times over
BUDGET_S = 0.2  # the budget saved up at most, in seconds at its rate
PACKET_BITS = 1200 * 8  # a video packet, as aiortc's packetizer fills it
STALE_S = MAX_WAIT  # a packet first sent longer ago: the receiver has given its frame up


class Resends:
    """Which of the packets a NACK names may be resent now."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._sent_at: OrderedDict[int, float] = OrderedDict()  # last resent
        self._first_at: OrderedDict[int, float] = OrderedDict()  # first sent (media.pacer)
        self._budget = 0.0  # bits
        self._budget_at: float | None = None

    def sent(self, seq: int) -> None:
        """A packet of the stream left (a resend without RTX keeps its first time)."""
        if seq in self._first_at:  # the 1024 remembered are gone long before seq wraps
            return
        self._first_at[seq] = self._clock()
        while len(self._first_at) > REMEMBERED:
            self._first_at.popitem(last=False)

    def due(self, sequence_numbers: list[int], rtt: float | None, target: int) -> list[int]:
        """The packets to resend now, the oldest sent first (unknown ones in the NACK's
        order), while ``target`` bit/s is sent."""
        now = self._clock()
        wait = max(MIN_WAIT_S, ROUND_TRIPS * rtt) if rtt is not None else MIN_WAIT_S
        rate = BUDGET_SHARE * target
        since = BUDGET_S if self._budget_at is None else now - self._budget_at
        self._budget = min(rate * BUDGET_S, self._budget + rate * since)
        self._budget_at = now
        due = []
        first_at = self._first_at
        oldest_first = sorted(sequence_numbers, key=lambda s: first_at.get(s, -math.inf))
        for seq in oldest_first:  # aiortc's numeric order is wrong across a wrap
            last = self._sent_at.get(seq)
            if last is not None and now - last < wait:
                continue
            first = first_at.get(seq)
            if first is not None and now - first > STALE_S:
                continue
            if self._budget < PACKET_BITS:
                break
            self._budget -= PACKET_BITS
            due.append(seq)
            self._sent_at[seq] = now
            self._sent_at.move_to_end(seq)
        while len(self._sent_at) > REMEMBERED:
            self._sent_at.popitem(last=False)
        return due
