"""ICE connectivity checks retransmitted after 0.1 s, not aioice's 0.5 s.

When a call's new peer connection starts, each side's first check often dies: it
reaches the other side's relay before that relay has a permission for it, or the
other side's NAT before that side's own check has opened it. aioice sends it again
only after its STUN RTO of 0.5 s, so in the lab ICE took 0.52 s of the 0.55 s from
the hello to a live link after the home router switched uplinks; with 0.1 s it
took 0.12 s (docs/performance.md, "Network change"). RFC 8445 asks for at least
500 ms so that many agents do not flood a network with checks; a call here has a
handful of candidate pairs, and a check is one small packet.

Only checks with their full retransmission schedule change (a Binding request
that carries PRIORITY): consent checks (sent once, ``retransmissions=0``, their
timeout being the RTO) keep 0.5 s, so a link with a 150 ms round trip does not
fail its consent; TURN and plain STUN transactions keep aioice's schedule too.
Installed once at import, like media.ice's host override.
"""

from __future__ import annotations

from typing import Any

import aioice.stun

CHECK_RTO = 0.1  # first retransmit of a connectivity check; it doubles as in aioice

_AioiceTransaction = aioice.stun.Transaction


def is_connectivity_check(message: aioice.stun.Message) -> bool:
    return (
        message.message_method == aioice.stun.Method.BINDING
        and message.message_class == aioice.stun.Class.REQUEST
        and "PRIORITY" in message.attributes
    )


class _Transaction(_AioiceTransaction):
    def __init__(
        self,
        request: aioice.stun.Message,
        addr: tuple[str, int],
        protocol: Any,
        retransmissions: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request, addr, protocol, retransmissions=retransmissions, **kwargs)
        if retransmissions is None and is_connectivity_check(request):
            # aioice keeps the RTO private to the transaction (pinned ~=0.13; the
            # unit test fails if the name changes).
            self._Transaction__timeout_delay = CHECK_RTO


# aioice.ice and aioice.turn look the class up on the module at each request.
aioice.stun.Transaction = _Transaction  # type: ignore[misc, assignment]
