"""User-space link impairment for tests and benchmarks (this machine has no netem).

An :class:`Impairment` is attached to every ICE socket of a peer link; it can drop
everything (a peer that vanished without a goodbye), drop a fraction at random,
or delay packets. Never used in the product unless a test or benchmark asks.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Impairment:
    drop_all: bool = False
    loss: float = 0.0  # fraction 0..1, each direction
    delay_ms: float = 0.0  # added on send and on receive: the round trip grows by 2x
    rng: random.Random = field(default_factory=lambda: random.Random(1))  # noqa: S311

    def passes(self) -> bool:
        if self.drop_all:
            return False
        return not (self.loss and self.rng.random() < self.loss)


class _ImpairedTransport:
    """Stands in for an aioice socket's DatagramTransport on the send side."""

    def __init__(self, inner: asyncio.DatagramTransport, impairment: Impairment) -> None:
        self._inner = inner
        self._impairment = impairment

    def sendto(self, data: bytes, addr: Any = None) -> None:
        if not self._impairment.passes():
            return
        if self._impairment.delay_ms > 0:
            loop = asyncio.get_running_loop()
            loop.call_later(self._impairment.delay_ms / 1000, self._send_late, data, addr)
        else:
            self._inner.sendto(data, addr)

    def _send_late(self, data: bytes, addr: Any) -> None:
        if not self._inner.is_closing():
            self._inner.sendto(data, addr)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def attach(connections: list[Any], impairment: Impairment) -> None:
    """Wrap every socket of these aioice connections (send and receive)."""
    for connection in connections:
        for protocol in connection._protocols:
            if isinstance(getattr(protocol, "transport", None), _ImpairedTransport):
                continue
            protocol.transport = _ImpairedTransport(protocol.transport, impairment)
            original = protocol.datagram_received

            def received(data: Any, addr: Any, _orig: Any = original) -> None:
                if not impairment.passes():
                    return
                if impairment.delay_ms > 0:
                    loop = asyncio.get_running_loop()
                    loop.call_later(impairment.delay_ms / 1000, _orig, data, addr)
                else:
                    _orig(data, addr)

            protocol.datagram_received = received
