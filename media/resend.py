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
encoder's target, spent on the newest packets first (the oldest belong to frames
the receiver is about to give up).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

MIN_WAIT_S = 0.1  # below any useful round trip here: the receiver's NACKs come faster
ROUND_TRIPS = 1.2  # a resend may come again after this many round trips
REMEMBERED = 1024  # packets (aiortc keeps 128 in its history)
BUDGET_SHARE = 0.5  # of the encoder's target: 10 % loss resent 5 times over
BUDGET_S = 0.2  # the budget saved up at most, in seconds at its rate
PACKET_BITS = 1200 * 8  # a video packet, as aiortc's packetizer fills it


class Resends:
    """Which of the packets a NACK names may be resent now."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._sent_at: OrderedDict[int, float] = OrderedDict()
        self._budget = 0.0  # bits
        self._budget_at: float | None = None

    def due(self, sequence_numbers: list[int], rtt: float | None, target: int) -> list[int]:
        """The packets to resend now, newest first, while ``target`` bit/s is sent."""
        now = self._clock()
        wait = max(MIN_WAIT_S, ROUND_TRIPS * rtt) if rtt is not None else MIN_WAIT_S
        rate = BUDGET_SHARE * target
        since = BUDGET_S if self._budget_at is None else now - self._budget_at
        self._budget = min(rate * BUDGET_S, self._budget + rate * since)
        self._budget_at = now
        due = []
        for seq in reversed(sequence_numbers):
            last = self._sent_at.get(seq)
            if last is not None and now - last < wait:
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
