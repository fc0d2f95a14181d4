"""Bounds on what the peer may make aiortc's SCTP layer hold (a patch, applied once).

aiortc 1.16 keeps every DATA fragment until the last one of its message arrives
(``InboundStream.add_chunk``) and enforces neither a maximum message size nor that
data arrives on a stream with an open data channel: a paired but hostile peer that
sends fragments without ever the last one grows our memory without limit (issue 15).
We wrap ``RTCSctpTransport._receive_data_chunk``; after each DATA chunk it checks:

- **data on a stream with no channel**: a chunk that arrives in order (every
  earlier TSN is in, so a DCEP OPEN for its stream would have been seen) on a stream
  that has no data channel. Chunks that arrive early are let through to the size
  checks, so a lost OPEN that is retransmitted late never ends a good call;
- **a message over the maximum**: the fragments of one ordered message (one
  stream sequence number) hold more than :data:`MAX_MESSAGE` bytes, the control
  channel's maximum (``media.control.MAX_CONTROL_BYTES``);
- **too much held**: all streams together hold more than :data:`MAX_BUFFERED`
  bytes of fragments (covers unordered streams and many unfinished messages).

On the first violation the stream's fragments are dropped, one line is logged
(the kind only), further DATA on that association is ignored and the transport emits
:data:`VIOLATION`; media.peer then ends the call. Like media.ice's aioice patch, it
is installed once at import and reaches into private aiortc code, so aiortc is
pinned (``~=1.16.0``) and tests/unit/test_sctpguard.py fails on another version.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiortc
from aiortc import rtcsctptransport as sctp

from media.control import MAX_CONTROL_BYTES

logger = logging.getLogger(__name__)

CHECKED_AIORTC = "1.16."  # the version whose rtcsctptransport.py this was checked on
VIOLATION = "klasgenoot-violation"  # event emitted by the transport, with the kind
MAX_MESSAGE = MAX_CONTROL_BYTES
MAX_BUFFERED = 64 * 1024  # room for reordering after a lost packet, far below harm
_FLAG = "_klasgenoot_violation"  # set on the transport once it broke the rules

Receive = Callable[[Any, Any], Awaitable[None]]


def violation_of(transport: Any) -> str | None:
    """The kind of rule the peer broke on this transport (None: none so far)."""
    return getattr(transport, _FLAG, None)


def _unopened(transport: Any, chunk: Any) -> bool:
    if chunk.protocol == sctp.WEBRTC_DCEP or chunk.stream_id in transport._data_channels:
        return False
    last = transport._last_received_tsn
    return last is not None and chunk.tsn == sctp.tsn_plus_one(last)


def _oversize(transport: Any, chunk: Any) -> str | None:
    held, message = 0, 0
    ordered = not (chunk.flags & sctp.SCTP_DATA_UNORDERED)
    for stream_id, stream in transport._inbound_streams.items():
        for frag in stream.reassembly:
            size = len(frag.user_data)
            held += size
            if ordered and stream_id == chunk.stream_id and frag.stream_seq == chunk.stream_seq:
                message += size
    if message > MAX_MESSAGE:
        return "message over the maximum size"
    if held > MAX_BUFFERED:
        return "too much data held for reassembly"
    return None


def _guard(original: Receive) -> Receive:
    async def receive_data_chunk(self: Any, chunk: Any) -> None:
        if violation_of(self) is not None:
            return  # the call is ending: hold nothing more
        kind = "data on a stream with no channel" if _unopened(self, chunk) else None
        if kind is None:
            await original(self, chunk)
            kind = _oversize(self, chunk)
        if kind is not None:
            setattr(self, _FLAG, kind)
            for stream in self._inbound_streams.values():
                stream.reassembly.clear()
            logger.warning("peer broke the data channel rules (%s): ending the call", kind)
            self.emit(VIOLATION, kind)

    receive_data_chunk.klasgenoot_guard = True  # type: ignore[attr-defined]
    return receive_data_chunk


def install() -> None:
    """Wrap aiortc's receive path (idempotent: a second call changes nothing)."""
    current = sctp.RTCSctpTransport._receive_data_chunk
    if getattr(current, "klasgenoot_guard", False):
        return
    if not aiortc.__version__.startswith(CHECKED_AIORTC):
        logger.warning("aiortc %s: SCTP guard checked on %sx only", aiortc.__version__,
                       CHECKED_AIORTC)  # fmt: skip
    sctp.RTCSctpTransport._receive_data_chunk = _guard(current)  # type: ignore[method-assign, assignment]


install()
