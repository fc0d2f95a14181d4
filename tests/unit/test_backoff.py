"""common.backoff: the one reconnect schedule (signaling client, call session, backplane)."""

from __future__ import annotations

import random

import pytest

from common.backoff import Backoff, capped_delay, jittered


def test_delay_doubles_from_initial_up_to_the_cap() -> None:
    assert [capped_delay(0.25, 8.0, n) for n in range(8)] == [
        0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0,
    ]  # fmt: skip
    assert capped_delay(0.5, 10.0, 10_000) == 10.0  # no overflow after a long outage


def test_backoff_grows_caps_and_resets() -> None:
    top = Backoff(0.5, 4.0, low=1.0)  # low=1: no jitter, the bound itself
    assert [top.next() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert top.failures == 6
    top.reset()
    assert top.failures == 0
    assert top.next() == 0.5


def test_a_cap_given_for_one_wait_applies_to_that_wait_only() -> None:
    b = Backoff(0.5, 10.0, low=1.0)
    assert [b.next() for _ in range(3)] == [0.5, 1.0, 2.0]
    assert b.next(cap=0.5) == 0.5  # someone waits: short
    assert b.next() == 8.0  # the count went on meanwhile


@pytest.mark.parametrize("low", [0.0, 0.5])
def test_jitter_stays_within_its_bounds_and_varies(low: float) -> None:
    rng = random.Random(7)
    b = Backoff(1.0, 8.0, low=low, rng=rng)
    for _ in range(5):
        b.next()
    waits = [b.next() for _ in range(500)]  # all at the cap now
    assert all(low * 8.0 <= w <= 8.0 for w in waits)
    assert max(waits) - min(waits) > (1 - low) * 8.0 * 0.8  # spread, not one value
    per_wait = [jittered(2.0, low, rng) for _ in range(500)]
    assert all(low * 2.0 <= w <= 2.0 for w in per_wait)


def test_low_given_for_one_wait() -> None:
    b = Backoff(4.0, 4.0, rng=random.Random(1))
    assert all(0.0 <= b.next(low=0.0) <= 4.0 for _ in range(50))
    assert min(b.next(low=0.0) for _ in range(200)) < 2.0  # below the usual half


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(0.0, 1.0)
    with pytest.raises(ValueError):
        Backoff(1.0, 1.0, low=1.5)
    with pytest.raises(ValueError):
        jittered(1.0, -0.1)
    with pytest.raises(ValueError):
        capped_delay(1.0, 2.0, -1)
