"""When a call session gives a link up, and when it tries again.

A small machine without I/O, asked once a tick by :class:`media.session.CallSession`:
a live peer silent for ``peer_timeout`` is gone (for ``hello_silence`` when it has
sent a new hello meanwhile: it changed network and starts over); an attempt not live within
``connect_timeout`` (or, reconnecting, ``reconnect_timeout`` after our offer or
answer went out) is given up; the next attempt follows a capped, jittered
exponential backoff, short while signaling says the peer is online.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from common.backoff import capped_delay, jittered
from media.state import CallState

if TYPE_CHECKING:
    from media.negotiation import Attempt
    from media.sessionconfig import SessionSettings

BEGIN = "begin"  # next_step: start a new attempt now


class Recovery:
    def __init__(self, settings: SessionSettings) -> None:
        self.settings = settings
        self.last_life = 0.0
        self.life_gap = float("inf")  # between the last two signs of life
        self.failures = 0
        self.retry_at: float | None = None

    def alive(self) -> None:
        """Heartbeats and incoming media both count as life."""
        now = time.monotonic()
        self.life_gap, self.last_life = now - self.last_life, now

    def connected(self) -> None:
        self.alive()
        self.failures = 0

    def reset(self) -> None:
        """A person rejoins: no backoff left over from before."""
        self.failures, self.retry_at = 0, None

    def quiet(self, now: float) -> bool:
        """Live, media was flowing, and now silent for ``standby_silence``: time for a
        standby attempt. A link that carries only heartbeats (1 a second: no media
        either way) is not "quiet" between two of them."""
        wait = self.settings.standby_silence
        flowing = self.life_gap < (wait or 0) / 2
        return wait is not None and flowing and now - self.last_life > wait

    def failed(self, *, peer_online: bool) -> float:
        """A link or attempt was given up: when the next attempt may start."""
        self.failures += 1
        # The peer is online (signaling says so): try again soon; the long backoff
        # is for a peer that keeps failing while it is not known to be there.
        s = self.settings
        cap = s.reconnect_backoff_max if peer_online else s.backoff_max
        delay = capped_delay(s.backoff_initial, cap, self.failures - 1)
        self.retry_at = time.monotonic() + jittered(delay)
        return self.retry_at

    def next_step(
        self, now: float, state: CallState, attempt: Attempt | None, *, hello: bool = False
    ) -> str | None:
        """What the session does now: why the link is lost, BEGIN (a student whose
        peer is online begins an attempt), or None. ``hello``: the peer's new hello
        is waiting (kept back while live)."""
        if state is CallState.LIVE:
            silent = now - self.last_life
            if silent > self.settings.peer_timeout:
                return "peer silent"
            return (
                "peer silent, new hello" if hello and silent > self.settings.hello_silence else None
            )
        if attempt is not None and self._overdue(attempt, now, state):
            return "connect timeout"
        if self.retry_at is not None and now >= self.retry_at:
            self.retry_at = None
            return BEGIN
        return None

    def _overdue(self, attempt: Attempt, now: float, state: CallState) -> bool:
        if now - attempt.started > self.settings.connect_timeout:
            return True
        linked = attempt.linked_at
        if state is not CallState.RECONNECTING or linked is None:
            return False
        return now - linked > self.settings.reconnect_timeout
