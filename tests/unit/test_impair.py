"""User-space impairment: the delay lies on both directions, so a round trip grows 2x."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from media.impair import Impairment, attach


class _Transport:
    def __init__(self) -> None:
        self.sent: list[float] = []

    def sendto(self, data: bytes, addr: Any = None) -> None:
        self.sent.append(time.monotonic())

    def is_closing(self) -> bool:
        return False


class _Protocol:
    def __init__(self) -> None:
        self.transport: Any = _Transport()
        self.received: list[float] = []

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.received.append(time.monotonic())


class _Connection:
    def __init__(self) -> None:
        self._protocols = [_Protocol()]


def test_delay_applies_to_sends_and_to_receives() -> None:
    async def run() -> tuple[float, float]:
        connection = _Connection()
        protocol = connection._protocols[0]
        inner = protocol.transport
        attach([connection], Impairment(delay_ms=80))
        start = time.monotonic()
        protocol.transport.sendto(b"x", ("peer", 1))
        protocol.datagram_received(b"y", ("peer", 1))
        assert not inner.sent and not protocol.received  # nothing passes at once
        await asyncio.sleep(0.2)
        return inner.sent[0] - start, protocol.received[0] - start

    sent, received = asyncio.run(run())
    assert 0.07 < sent < 0.19
    assert 0.07 < received < 0.19
