"""Connections that end together are ended a few per pass of the loop, not all in one.

When a network fails between many devices and an instance (a school's uplink, a
load balancer, the benchmark's cut), the instance reads the end of every one of
those streams at once, or a reset for each. Ending one costs asyncio's TLS protocol,
aiohttp and the hub about 0.2 ms of the loop (its TLS shutdown, the WebSocket's
close on a dead socket, the handler's end, freeing it all: docs/performance.md,
"The mass disconnect"), and epoll reports all of them in the same pass: 2,000 ends
held the loop 300 ms, 10,000 up to 1.7 s, and every relay of the pairs that stayed
connected waited behind them.

Here the end of a stream (or its reset) is noted when it is read, which costs
little, and the work of ending is done for a few connections per pass of the loop
(``ends_per_pass`` of :class:`signaling.config.ServerConfig`): relays that arrive
meanwhile are served between those passes. The work itself is asyncio's own,
unchanged: only when it runs differs.

- The end of a stream: the transport stops reading and waits. A connection that
  ends another way meanwhile (a write fails, the server aborts it) is skipped; one
  the server closes with TLS's close meanwhile completes when its turn comes.
- A reset (or another error of the socket): the socket is already closed; what
  the connection writes meanwhile is dropped, as asyncio would have, and the
  application learns of the loss when its turn comes.
- Not paced: what the server closes or aborts itself (it paces its own drain), and
  a missed pong (aiohttp's heartbeat timers fire spread over their interval).

This overrides ``eof_received``, ``connection_lost`` and ``_process_outgoing`` of
asyncio's TLS protocol: ``signaling.handshakes.PINNED`` pins them with the others,
and without a match the listener uses asyncio's stock protocol.
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
from typing import Any

from signaling.turns import Turns

_SSLProtocol: Any = asyncio.sslproto.SSLProtocol  # private: typed loosely on purpose
_WRAPPED = asyncio.sslproto.SSLProtocolState.WRAPPED


class PacedEnds(Turns):
    """The loop's queue of connections whose end (or reset) was noted and is not yet
    handled."""

    def __init__(self, loop: asyncio.AbstractEventLoop, per_pass: int) -> None:
        super().__init__(loop, per_pass, "ending a connection")

    def add(self, protocol: PacedEof) -> None:
        self.call(protocol.end_now)


class PacedEof(_SSLProtocol):
    """asyncio's TLS protocol whose end (read, or lost to an error) waits its turn in
    ``ends`` (a :class:`PacedEnds`; ``None``: at once, as asyncio does)."""

    _ends: PacedEnds | None = None
    _queued = False
    _lost: tuple[Exception] | None = None  # a loss waiting its turn, and its error

    def eof_received(self) -> bool | None:
        if self._ends is None or self._state is not _WRAPPED:
            return super().eof_received()
        # True: the transport stays open but stops reading (it removes its reader);
        # end_now closes it, as the transport would have on a false answer.
        self._wait_turn(self._ends)
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self._ends is None or self._state is not _WRAPPED or exc is None:
            # at once: unpaced, not yet up (or already closing), or our own close or
            # abort (exc None)
            super().connection_lost(exc)
            return
        self._lost = (exc,)  # the socket is closed already: see _process_outgoing
        self._wait_turn(self._ends)

    def _process_outgoing(self) -> None:
        if self._lost is not None:  # nowhere to send: asyncio drops it on the loss too
            self._outgoing.read()
            return
        super()._process_outgoing()

    def _wait_turn(self, ends: PacedEnds) -> None:
        if not self._queued:
            self._queued = True
            ends.add(self)

    def end_now(self) -> None:
        """What asyncio does on the loss, or on reading the end, now; an end is
        skipped if the connection ended another way meanwhile."""
        self._queued = False
        if self._lost is not None:
            super().connection_lost(self._lost[0])
            return
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        try:
            keep_open = super().eof_received()
        except Exception as exc:  # asyncio's transport reports it as fatal, so do we
            transport._fatal_error(exc, "Fatal error: protocol.eof_received() call failed.")
            return
        if not keep_open:
            transport.close()
