"""What the engine tells the connection log (privacy/): technical facts only.

One logged session runs from the first attempt (connecting) to ended, across
reconnects. The peer is logged by its short DeviceId (the pinned one), nothing
else about it; no addresses, no media, nothing of the control channel. The log
never raises: a broken database degrades logging, never the call.
"""

from __future__ import annotations

import time
from typing import Protocol

from media.state import CallState, EndReason, StateChange
from media.stats import CallStats
from privacy.codes import EventKind

_END_EVENTS = {
    EndReason.PEER_UNTRUSTED: EventKind.PEER_UNTRUSTED,
    EndReason.PEER_REVOKED: EventKind.PEER_REVOKED,
    EndReason.UPDATE_NEEDED: EventKind.UPDATE_NEEDED,
}


class ConnectionLogLike(Protocol):
    def session_started(self, *, role: str, peer_short: str) -> int: ...
    def session_connected(
        self,
        session_id: int,
        *,
        setup_ms: int,
        candidate_type: str | None,
        relay_protocol: str | None = None,
    ) -> None: ...
    def event(self, session_id: int | None, kind: EventKind, code: str | None = None) -> None: ...
    def session_stats(self, session_id: int, stats: dict[str, float | int | None]) -> None: ...
    def session_ended(
        self, session_id: int, *, reason: str, reconnects: int, freezes: int,
        bytes_out: int, bytes_in: int,
    ) -> None: ...  # fmt: skip
    def close(self) -> None: ...
    def purge_if_due(self) -> bool: ...


class CallLog:
    """Follows one engine's states and stats and writes the session record."""

    def __init__(self, log: ConnectionLogLike, *, role: str, peer_short: str) -> None:
        self._log = log
        self._role, self._peer = role, peer_short
        self._session: int | None = None
        self._started = 0.0
        self._connected_once = False
        self._last = CallStats()

    def state(
        self,
        change: StateChange,
        *,
        candidate_type: str | None,
        reconnects: int,
        relay_protocol: str | None = None,
    ) -> None:
        if change.state is CallState.CONNECTING and self._session is None:
            self._session = self._log.session_started(role=self._role, peer_short=self._peer)
            self._started, self._connected_once = time.monotonic(), False
        sid = self._session
        if sid is None:
            return
        if change.state is CallState.LIVE:
            setup_ms = round(1000 * (time.monotonic() - self._started))
            self._log.session_connected(
                sid, setup_ms=setup_ms, candidate_type=candidate_type,
                relay_protocol=relay_protocol,
            )  # fmt: skip
        elif change.state is CallState.RECONNECTING:
            self._log.event(sid, EventKind.RECONNECTING)
        elif change.state is CallState.ENDED:
            reason = change.reason or EndReason.STOPPED
            if reason in _END_EVENTS:  # session_ended logs the plain "ended" event itself
                self._log.event(sid, _END_EVENTS[reason])
            self._log.session_ended(
                sid, reason=reason.value, reconnects=reconnects,
                freezes=self._last.freezes, bytes_out=self._last.bytes_out,
                bytes_in=self._last.bytes_in,
            )  # fmt: skip
            self._session = None

    def stats(self, stats: CallStats) -> None:
        self._last = stats
        if self._session is not None:
            self._log.session_stats(self._session, {
                "bitrate_out_kbps": stats.bitrate_out_kbps,
                "bitrate_in_kbps": stats.bitrate_in_kbps,
                "packet_loss_pct": stats.packet_loss_pct,
                "rtt_ms": stats.rtt_ms,
                "fps_in": stats.fps_in,
                "fps_out": stats.fps_out,
            })  # fmt: skip

    def event(self, kind: EventKind, code: str | None = None) -> None:
        self._log.event(self._session, kind, code)
