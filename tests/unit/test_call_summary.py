"""A call's summary as the engine builds it from its states and stats."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from media.callsummary import REPORT_TIMEOUT, CallReporter, CallSummarizer, rate
from media.state import CallState, EndReason, StateChange
from media.stats import CallStats
from signaling.protocol import CallReport


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def live(s: CallSummarizer, candidate: str | None = "host", relay: str | None = None) -> None:
    assert s.state(StateChange(CallState.LIVE), candidate_type=candidate,
                   relay_protocol=relay) is None  # fmt: skip


def end(s: CallSummarizer, reason: EndReason | None = EndReason.HANGUP_REMOTE) -> CallReport | None:
    return s.state(StateChange(CallState.ENDED, reason), candidate_type=None, relay_protocol=None)


def test_a_call_that_went_live_is_summarised_once() -> None:
    clock = Clock()
    s = CallSummarizer(clock)
    s.state(StateChange(CallState.CONNECTING), candidate_type=None, relay_protocol=None)
    clock.now += 3
    live(s, "relay", "tcp")
    for rtt in (40.0, 60.0, 50.0, None):
        s.stats(CallStats(rtt_ms=rtt, packet_loss_pct=0.44, candidate_type="relay",
                          relay_protocol="tcp"))  # fmt: skip
    clock.now += 720.4
    report = end(s)
    assert report == CallReport(1_790_000_003, 720, "hangup_remote", "good", 50, 0.4, "relay",
                                "tcp")  # fmt: skip
    assert end(s) is None  # nothing left to report


def test_a_call_that_never_went_live_is_not_a_call() -> None:
    s = CallSummarizer(Clock())
    s.state(StateChange(CallState.CONNECTING), candidate_type=None, relay_protocol=None)
    assert end(s, EndReason.DECLINED) is None


def test_reconnects_are_one_call_and_the_last_path_counts() -> None:
    clock = Clock()
    s = CallSummarizer(clock)
    live(s, "host")
    clock.now += 10
    s.state(StateChange(CallState.RECONNECTING), candidate_type=None, relay_protocol=None)
    live(s, "relay", "udp")
    clock.now += 10
    report = end(s, None)
    assert report is not None
    assert (report.start, report.duration_s) == (1_790_000_000, 20)
    assert (report.end_reason, report.candidate_type, report.relay_protocol) == (
        "stopped", "relay", "udp")  # fmt: skip
    assert (report.quality, report.rtt_ms) == ("unknown", None)  # no stats: not rated


def test_a_relay_protocol_without_a_relayed_path_is_not_claimed() -> None:
    s = CallSummarizer(Clock())
    live(s, "srflx", "udp")  # our TURN was set up but the pair chosen is direct
    report = end(s)
    assert report is not None and report.relay_protocol == "none"


def test_rating() -> None:
    assert rate(None, 0.0, measured=False) == "unknown"
    assert rate(40, 0.5, measured=True) == "good"
    assert rate(300, 0.5, measured=True) == "fair"
    assert rate(40, 2.5, measured=True) == "fair"
    assert rate(700, 0.0, measured=True) == "poor"
    assert rate(40, 9.0, measured=True) == "poor"


async def test_the_reporter_sends_once_and_swallows_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    sent: list[CallReport] = []

    async def send(report: CallReport) -> bool:
        sent.append(report)
        return True

    async def broken(report: CallReport) -> bool:
        raise ConnectionResetError("gone")

    async def stuck(report: CallReport) -> bool:
        await asyncio.Event().wait()
        return True

    for sender in (send, broken, stuck):
        reporter = CallReporter(sender, Clock())
        reporter.state(StateChange(CallState.LIVE), candidate_type="host", relay_protocol=None)
        reporter.state(StateChange(CallState.ENDED, EndReason.HANGUP_LOCAL),
                       candidate_type=None, relay_protocol=None)  # fmt: skip
        started = time.monotonic()
        await reporter.flush()  # never raises, never waits past the bound
        assert time.monotonic() - started <= REPORT_TIMEOUT + 0.5
    assert [r.end_reason for r in sent] == ["hangup_local"]
    assert "call summary not sent: ConnectionResetError" in caplog.text


async def test_a_summary_held_while_signaling_is_down_goes_when_it_is_back() -> None:
    up = False
    sent: list[CallReport] = []

    async def send(report: CallReport) -> bool:
        if up:
            sent.append(report)
        return up

    clock = Clock()
    reporter = CallReporter(send, clock)

    def one_call(reason: EndReason) -> None:
        reporter.state(StateChange(CallState.LIVE), candidate_type="host", relay_protocol=None)
        clock.now += 60
        reporter.state(StateChange(CallState.ENDED, reason), candidate_type=None,
                       relay_protocol=None)  # fmt: skip

    one_call(EndReason.HANGUP_LOCAL)
    await reporter.flush()
    one_call(EndReason.OUTSIDE_SCHEDULE)  # a newer one replaces the held one
    await reporter.flush()
    assert sent == []
    up = True
    reporter.connected()
    await reporter.flush()
    assert [r.end_reason for r in sent] == ["outside_schedule"]
    reporter.connected()  # nothing held any more: nothing sent twice
    await reporter.flush()
    assert len(sent) == 1
