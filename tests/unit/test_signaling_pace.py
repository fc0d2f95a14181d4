"""The handshake budget that follows the loop's spare time (signaling.pace)."""

from __future__ import annotations

import pytest

from signaling.pace import COOLDOWN, RAMP, STRETCH, HandshakePace, InFlight
from signaling.ratelimit import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def pace(clock: Clock) -> HandshakePace:
    return HandshakePace(150, floor=30, ceiling=300, burst=16, lag_target=0.02, clock=clock)


def test_a_loop_that_keeps_up_lets_the_rate_grow_to_the_ceiling() -> None:
    clock = Clock()
    budget = pace(clock)
    rates = []
    for _ in range(int(RAMP * 100) + 100):  # wakes on time, every 10 ms
        clock.now += 0.01
        budget.woke(0.001)
        rates.append(budget.rate)
    assert rates[0] > 150  # growing at once
    # (ceiling - floor) / RAMP per second
    assert rates[49] == pytest.approx(150 + 270 / RAMP * 0.5, rel=0.05)
    assert max(rates) == budget.rate == 300  # and no further


def test_a_late_wake_halves_the_rate_once_per_cooldown_down_to_the_floor() -> None:
    clock = Clock()
    budget = pace(clock)
    budget.woke(0.05)
    assert budget.rate == 75
    clock.now += COOLDOWN / 2
    budget.woke(0.05)  # the same slow stretch: not cut again
    assert budget.rate == 75
    for _ in range(5):
        clock.now += COOLDOWN
        budget.woke(0.05)
    assert budget.rate == 30  # the floor: a storm always moves on
    clock.now += 1.0
    budget.woke(0.015)  # between half the target and the target: held
    assert budget.rate == 30


def test_the_tokens_follow_the_rate() -> None:
    clock = Clock()
    budget = pace(clock)
    while budget.take():  # the burst
        pass
    budget.woke(0.05)  # 75 per second now
    clock.now += 1.0
    taken = 0
    while budget.take():
        taken += 1
    assert taken == 16  # capped by the burst, as before
    clock.now += 0.1
    assert sum(budget.take() for _ in range(20)) == 7  # 75/s * 0.1 s
    assert budget.wait == pytest.approx(1 / 75)


def test_a_bucket_keeps_what_it_earned_when_its_rate_changes() -> None:
    clock = Clock()
    bucket = TokenBucket(10, 10, clock)
    for _ in range(10):
        bucket.take()
    clock.now += 0.5  # 5 tokens at 10/s
    bucket.rate = 100
    assert sum(bucket.take() for _ in range(10)) == 5
    with pytest.raises(ValueError, match="rate"):
        bucket.rate = 0


def test_an_idle_stretch_does_not_count_as_keeping_up() -> None:
    clock = Clock()
    budget = pace(clock)
    clock.now += 3600.0  # no storm for an hour: the listener did not poll
    budget.woke(0.001)
    # the next storm starts near the starting rate: one wake counts for STRETCH at most
    assert budget.rate == pytest.approx(150 + 270 / RAMP * STRETCH)


def test_a_wake_late_because_others_had_the_cores_holds_the_rate() -> None:
    """Issue 14: a loop that waited for a core (its thread used little CPU while it
    was late) is not helped by fewer handshakes of its own; it holds the rate. Late
    with its own work (most of the lateness on its CPU), it halves as before."""
    clock = Clock()
    budget = pace(clock)
    budget.woke(0.05, busy=0.005)  # 50 ms late, 5 ms of it ours: starved
    assert budget.rate == 150
    clock.now += COOLDOWN
    budget.woke(0.05, busy=0.04)  # our own long pass
    assert budget.rate == 75
    clock.now += COOLDOWN
    budget.woke(0.05)  # not told: as before
    assert budget.rate == 37.5
    clock.now += 0.01
    budget.woke(0.001, busy=0.0)  # on time grows whatever the CPU
    assert budget.rate > 37.5


def test_handshakes_in_flight_follow_the_quickest_recent_handshake() -> None:
    """Issue 14: few handshakes at once keep a storm from clumping on loopback, but a
    handshake also waits a round trip for the device: 8 at 100 ms would be 80/s."""
    clock = Clock()
    bound = InFlight(8, 32, clock)
    assert bound.bound(300) == 8  # nothing known yet: the floor
    for seconds in (0.004, 0.2, 0.05):  # a busy loop's slow ones do not count
        bound.took(seconds)
    assert bound.bound(300) == 8  # 2 x 300/s x 4 ms = 2.4: the floor
    clock.now += InFlight.WINDOW + 0.1  # the quick one is old now
    bound.took(0.1)  # far devices: 100 ms round trips
    assert bound.bound(150) == 30  # 2 x 150/s x 0.1 s
    assert bound.bound(300) == 32  # the ceiling: half the pending slots
    clock.now += 0.5
    bound.took(0.02)
    assert bound.bound(150) == 8  # the quickest again
