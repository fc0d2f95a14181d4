"""Token buckets with a fake clock: exact counts, no sleeping."""

from __future__ import annotations

import pytest

from signaling.ratelimit import RateLimiter, TokenBucket, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_allows_the_burst_then_refuses() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=20, burst=50, clock=clock)
    assert [bucket.take() for _ in range(51)] == [True] * 50 + [False]


def test_tokens_come_back_at_the_rate_and_never_beyond_the_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=20, burst=50, clock=clock)
    for _ in range(50):
        bucket.take()
    clock.now += 0.5  # 10 tokens
    assert sum(bucket.take() for _ in range(20)) == 10
    clock.now += 3600
    assert sum(bucket.take() for _ in range(100)) == 50


def test_a_clock_stepping_back_neither_adds_nor_removes_tokens() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1, burst=2, clock=clock)
    bucket.take()
    clock.now -= 1000
    assert bucket.take() is True
    assert bucket.take() is False


@pytest.mark.parametrize(("rate", "burst"), [(0, 5), (-1, 5), (1, 0)])
def test_nonsense_limits_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate, burst)


def test_sustained_abuse_turns_refusals_into_close() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=20, burst=50, abuse_limit=100, abuse_window=10, clock=clock)
    verdicts = [limiter.check() for _ in range(151)]
    assert verdicts[:50] == [Verdict.ALLOW] * 50
    assert verdicts[50:150] == [Verdict.REFUSE] * 100
    assert verdicts[150] is Verdict.CLOSE


def test_a_sender_within_the_rate_is_never_refused() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=20, burst=50, abuse_limit=100, abuse_window=10, clock=clock)
    for _ in range(10_000):  # 20/s for 500 s
        clock.now += 0.05
        assert limiter.check() is Verdict.ALLOW


def test_occasional_refusals_are_forgiven_over_time() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=20, burst=50, abuse_limit=100, abuse_window=10, clock=clock)
    for _ in range(50):
        limiter.check()
    for _ in range(30):  # 30 s of 21 msg/s: one refusal per second, 10/s forgiven
        results = []
        for _ in range(21):
            clock.now += 1 / 21
            results.append(limiter.check())
        assert Verdict.CLOSE not in results
