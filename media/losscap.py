"""A video bitrate cap from what the receiver reports: loss, round trip, REMB (issue 10 item 5).

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
because each bitrate change costs aiortc's encoder a keyframe. In between (random
loss on Wi-Fi, which NACK and FEC repair) it holds.

Once the cap has been cut it, not REMB, leads the encoder: after a limit lifts,
aiortc's REMB climbs additively (~40 kbit/s per second: its rate control stays
"near max") and held the call at ~600 kbit/s 10 s after the cap lifted, against
~1400 unimpaired. So the cap grows by GROWTH_PER_S a second while the reports are
clean *and* the round trip stays near its recent floor (no queue is building: a
full router queue adds up to ~100 ms before it drops), at most to 1.5 times what
is sent, and by FAST_GROWTH_PER_S once they have been so for FAST_AFTER_S (a limit
has lifted; at 2 % loss the reports are seldom clean that long); a REMB that falls
(its detector saw a queue grow) still cuts it.

A report comes 1-2 s after a full-rate call drops onto a slower link; NACKs come
a round trip after the first loss. So :class:`NackCount` also measures the loss
over the last NACK_WINDOW_S from the packets the receiver newly names, and more
than HIGH_LOSS of them cuts the cap the same way. A cut is held CUT_HOLD_S against
reports and NACKs about packets sent before it; but once the NACK window holds only
packets sent after the cut and still shows more than HIGH_LOSS, the cut was not
deep enough and it is cut again at once (waiting out the hold kept 20-28 % loss,
resends and keyframe requests for 2 s after a full-rate call fell onto 1 Mbit/s).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

HIGH_LOSS = 0.10  # above: the link is over its limit
LOW_LOSS = 0.02  # below: room to grow
MARGIN = 0.85  # of what got through, for audio, RTX and the encoder's overshoot
GROWTH_PER_S = 1.15  # multiplicative while clean, for the first FAST_AFTER_S
# ... then this: from the cut at 50 % of REMB (~470 kbit/s) 15 %/s alone had the call
# below its unimpaired rate 10 s after a limit lifted in 8 of 13 runs (sixth round);
# as GCC speeds up its increase when far from its last overuse, a link clean this
# long is past the limit that cut the cap (docs/performance.md, seventh round).
FAST_GROWTH_PER_S = 1.3
FAST_AFTER_S = 2.0
GROWTH_MAX_S = 1.5  # a late report grows the cap for at most this long
AHEAD = 1.5  # the cap grows to at most this many times the encoder's target
CUT_HOLD_S = 2.0  # a report covers ~1 s sent before the last cut: do not cut twice for it
RTT_WINDOW_S = 10.0  # the round trip's floor is the lowest seen this long
QUEUE_S = 0.05  # a round trip this far over its floor: a queue builds, do not grow
REMB_FALL = 0.9  # a REMB below this share of the previous one: its detector saw a queue
REMB_OVERUSE = 0.7  # before any cut, a REMB below this share of the previous one engages the cap
# ... at this share of it (~40 % of what arrived): video, its resends (up to half the
# target) and a keyframe after the cut must fit the link while the router's queue
# drains. At 0.7 (738-814 kbit/s on 1 Mbit/s) 20-28 % loss held for 2 s; at 0.6 the
# new 960x540 keyframe itself was lost in the full queue and held every frame behind
# it; at 0.5 (~470-580 kbit/s, 640x360 below 518 kbit/s) p95 was met in every run
# (docs/performance.md, sixth round).
REMB_CUT = 0.5
NACK_WINDOW_S = 0.5  # NACKed packets against packets sent over this long
NACK_MIN_SENT = 40  # fewer sent in the window: too few to judge (20 cut 330 kbit/s at 2 % loss)
# A full router queue's round trip (150 ms link + 100 ms queue, measured 0.25-0.36 s):
# NACKs for packets sent before a cut come in up to this long after it.
QUEUED_RTT_S = 0.35


class LossCap:
    """The highest video bitrate the receiver's reports allow, in bit/s."""

    def __init__(self, start: int, *, floor: int, ceiling: int, clock: Callable[[], float]) -> None:
        self.value = start
        self.engaged = False  # the link has shown a limit: the cap leads, not REMB
        self._floor, self._ceiling = floor, ceiling
        self._clock = clock
        self._cut_at = -math.inf
        self._grown_at: float | None = None
        self._clean_since: float | None = None  # the reports have been clean since then
        self._rtts: deque[tuple[float, float]] = deque()
        self._remb: int | None = None
        self.rtt: float | None = None  # the last report's round trip, s

    def report(self, fraction_lost: float, sending: int, rtt: float | None = None) -> bool:
        """Take one receiver report (loss 0..1, round trip in s if known) while the
        encoder targets ``sending`` bit/s. Returns True when the cap was cut now."""
        now = self._clock()
        queued = self._queue_building(now, rtt)
        if fraction_lost > HIGH_LOSS:
            self._grown_at, self._clean_since = now, None
            return self._over_limit(now, fraction_lost, sending)
        if fraction_lost < LOW_LOSS and not queued and self._grown_at is not None:
            if self._clean_since is None:  # this report covers the time since the last
                self._clean_since = self._grown_at
            grown = int(self.value * self._growth(now, min(now - self._grown_at, GROWTH_MAX_S)))
            self.value = max(self.value, min(self._ceiling, grown, int(sending * AHEAD)))
        else:
            self._clean_since = None
        self._grown_at = now
        return False

    def _growth(self, now: float, span: float) -> float:
        """The factor for ``span`` s of clean reports up to now: GROWTH_PER_S until the
        reports have been clean for FAST_AFTER_S, FAST_GROWTH_PER_S after."""
        assert self._clean_since is not None
        fast = max(0.0, min(span, now - self._clean_since - FAST_AFTER_S))
        return float(GROWTH_PER_S ** (span - fast) * FAST_GROWTH_PER_S**fast)

    def nacked(self, fraction_lost: float, sending: int) -> bool:
        """Loss seen from the receiver's NACKs over the last NACK_WINDOW_S: a link over
        its limit shows a round trip after the fact, not a report (~1 s) later. Only
        cuts; growth waits for the reports."""
        if fraction_lost <= HIGH_LOSS:
            return False
        now = self._clock()
        if now - self._cut_at < CUT_HOLD_S and now - self._cut_at >= self._settle_s():
            # Every packet in the window left after the cut and still more than
            # HIGH_LOSS are lost: the cut was not deep enough. Waiting out the hold
            # kept 20-28 % loss (and resends, keyframe requests) for 2 s.
            return self._cut(now, int(sending * (1.0 - fraction_lost) * MARGIN))
        return self._over_limit(now, fraction_lost, sending)

    def _settle_s(self) -> float:
        """How long after a cut the NACK window holds only packets sent after it."""
        return NACK_WINDOW_S + max(QUEUED_RTT_S, self.rtt or 0.0)

    def remb(self, bitrate: int) -> bool:
        """aiortc's receiver estimate. Once the cap leads, a fall cuts it (the
        estimate's slow rise does not bind). Before that, a steep fall (its detector
        saw the link's limit; aiortc's REMB is then 0.85 times what arrived) engages
        the cap at REMB_CUT of it, so that the NACKs and report
        that follow within CUT_HOLD_S cut no more: each cut is a new encoder and a
        keyframe into a full queue (three in 2.7 s after a full-rate call fell onto
        1 Mbit/s). Returns True when the cap was cut now."""
        fell = self._remb is not None and bitrate < self._remb * REMB_FALL
        steep = self._remb is not None and bitrate < self._remb * REMB_OVERUSE
        self._remb = bitrate
        now = self._clock()
        if steep and not self.engaged:
            return self._cut(now, int(bitrate * REMB_CUT))
        if not (self.engaged and fell and bitrate < self.value) or now - self._cut_at < CUT_HOLD_S:
            return False
        return self._cut(now, bitrate)

    def _over_limit(self, now: float, fraction_lost: float, sending: int) -> bool:
        if now - self._cut_at < CUT_HOLD_S:
            return False
        return self._cut(now, int(sending * (1.0 - fraction_lost) * MARGIN))

    def _cut(self, now: float, bitrate: int) -> bool:
        self.value = max(self._floor, min(self.value, bitrate))
        self.engaged = True
        self._cut_at = self._grown_at = now
        self._clean_since = None
        return True

    def _queue_building(self, now: float, rtt: float | None) -> bool:
        if rtt is None:
            return False
        self.rtt = rtt
        self._rtts.append((now, rtt))
        while self._rtts[0][0] < now - RTT_WINDOW_S:
            self._rtts.popleft()
        return rtt > min(r for _, r in self._rtts) + QUEUE_S


class NackCount:
    """Which of a stream's packets the receiver has NACKed, newly, over the last
    NACK_WINDOW_S. aiortc's receiver lists every packet still missing in each NACK,
    so a packet counts once, when it is first named."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._named: deque[int] = deque(maxlen=1024)
        self._named_set: set[int] = set()
        self._new: deque[float] = deque()  # when each newly named packet was named
        self._sent: deque[float] = deque()  # when each packet of the stream left

    def sent(self) -> None:
        now = self._clock()
        self._sent.append(now)
        self._forget(now)

    def nacked(self, sequence_numbers: list[int]) -> float | None:
        """Take one NACK; the share of the window's packets lost, or None when too
        few were sent to judge."""
        now = self._clock()
        for seq in sequence_numbers:
            if seq in self._named_set:
                continue
            if len(self._named) == self._named.maxlen:
                self._named_set.discard(self._named[0])
            self._named.append(seq)
            self._named_set.add(seq)
            self._new.append(now)
        self._forget(now)
        if len(self._sent) < NACK_MIN_SENT:
            return None
        return min(1.0, len(self._new) / len(self._sent))

    def _forget(self, now: float) -> None:
        for times in (self._new, self._sent):
            while times and times[0] < now - NACK_WINDOW_S:
                times.popleft()
