"""The summary of one call, sent to the signaling server when it ends (the helpdesk
console's "last call"; docs/protocol.md, the ``call`` frame).

A call here is what the connection log calls a session: from the first time it went
live to its end, across reconnects. One that never went live is not a call and is
not reported. Numbers and codes only: when it started (UTC seconds), how long it
lasted, why it ended, the median round trip, the packet loss, a rating of those two
(the same limits as the on-screen indicator, app/widgets/quality.py), and the path
(candidate type and the relay's transport). Never an address.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable

from media.state import CallState, EndReason, StateChange
from media.stats import CallStats
from signaling.protocol import (
    CANDIDATE_TYPES,
    MAX_CALL_S,
    MAX_RTT_MS,
    RELAY_PROTOCOLS,
    CallReport,
)

logger = logging.getLogger(__name__)

REPORT_TIMEOUT = 2.0  # seconds a summary may take to reach the server
RTT_SAMPLES = 3600  # one an hour's worth of seconds: the median of the last hour
# Where a link stops being good / usable (app/widgets/quality.py's Thresholds).
FAIR_LOSS_PCT, POOR_LOSS_PCT = 2.0, 8.0
FAIR_RTT_MS, POOR_RTT_MS = 250.0, 600.0


def rate(rtt_ms: int | None, loss_pct: float, measured: bool) -> str:
    """good / fair / poor from the median round trip and the loss; unknown unmeasured."""
    if not measured:
        return "unknown"
    rtt = rtt_ms or 0
    if loss_pct >= POOR_LOSS_PCT or rtt >= POOR_RTT_MS:
        return "poor"
    if loss_pct >= FAIR_LOSS_PCT or rtt >= FAIR_RTT_MS:
        return "fair"
    return "good"


class CallSummarizer:
    """Follows one engine's states and stats; hands back a report when a call ends."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._reset()

    def _reset(self) -> None:
        self._start: float | None = None
        self._rtts: deque[float] = deque(maxlen=RTT_SAMPLES)
        self._loss = 0.0
        self._measured = False
        self._candidate: str | None = None
        self._relay: str | None = None

    def stats(self, stats: CallStats) -> None:
        if self._start is None:
            return
        self._measured = True
        if stats.rtt_ms is not None:
            self._rtts.append(stats.rtt_ms)
        self._loss = stats.packet_loss_pct  # since the link started: the latest says most
        if stats.candidate_type is not None:
            self._candidate, self._relay = stats.candidate_type, stats.relay_protocol

    def state(
        self, change: StateChange, *, candidate_type: str | None, relay_protocol: str | None
    ) -> CallReport | None:
        if change.state is CallState.LIVE:
            if self._start is None:
                self._start = self._clock()
            if candidate_type is not None:
                self._candidate, self._relay = candidate_type, relay_protocol
            return None
        if change.state is not CallState.ENDED or self._start is None:
            return None
        report = self._report(change.reason or EndReason.STOPPED)
        self._reset()
        return report

    def _report(self, reason: EndReason) -> CallReport:
        assert self._start is not None
        duration = min(MAX_CALL_S, max(0, round(self._clock() - self._start)))
        rtt = round(statistics.median(self._rtts)) if self._rtts else None
        rtt = None if rtt is None else min(MAX_RTT_MS, max(0, rtt))
        loss = round(min(100.0, max(0.0, self._loss)), 1)
        candidate = self._candidate if self._candidate in CANDIDATE_TYPES else "none"
        relay = self._relay if self._relay in RELAY_PROTOCOLS else "none"
        if candidate != "relay":
            relay = "none"  # the wire's rule: a relay transport only on a relayed path
        return CallReport(
            start=int(self._start), duration_s=duration, end_reason=reason.value,
            quality=rate(rtt, loss, self._measured), rtt_ms=rtt, loss_pct=loss,
            candidate_type=candidate, relay_protocol=relay,
        )  # fmt: skip


class CallReporter:
    """The engine's side: follows the call and sends each summary once it ends, on a
    task of its own. Never raises into the engine and never holds up the call's
    teardown. A summary that could not be sent (signaling down) is held, the last one
    only and in memory, until :meth:`connected`; a newer one replaces it."""

    def __init__(
        self, send: Callable[[CallReport], Awaitable[bool]], clock: Callable[[], float] = time.time
    ) -> None:
        self._summary = CallSummarizer(clock)
        self._send = send
        self._task: asyncio.Task[None] | None = None
        self._held: CallReport | None = None
        self._latest: CallReport | None = None

    def stats(self, stats: CallStats) -> None:
        self._summary.stats(stats)

    def state(
        self, change: StateChange, *, candidate_type: str | None, relay_protocol: str | None
    ) -> None:
        report = self._summary.state(
            change, candidate_type=candidate_type, relay_protocol=relay_protocol
        )
        if report is not None:
            self._held, self._latest = None, report  # this one is newer
            self._task = asyncio.get_running_loop().create_task(self._report(report))

    def connected(self) -> None:
        """Signaling is (back) up: send the summary held while it was down."""
        held, self._held = self._held, None
        if held is not None:
            self._task = asyncio.get_running_loop().create_task(self._report(held))

    async def flush(self) -> None:
        """Let the last summary go before the signaling link does (the engine stops)."""
        if self._task is not None:
            await asyncio.wait({self._task}, timeout=REPORT_TIMEOUT)

    async def _report(self, report: CallReport) -> None:
        try:
            async with asyncio.timeout(REPORT_TIMEOUT):
                sent = await self._send(report)
        except Exception as exc:  # diagnostics only, whatever went wrong
            logger.info("call summary not sent: %s", type(exc).__name__)
            sent = False
        else:
            if not sent:
                logger.info("call summary not sent yet: signaling not connected")
        if not sent and report is self._latest:  # not if a newer one came meanwhile
            self._held = report
