"""An in-memory signaling relay between two engines, with a tamper hook.

It stands in for the real server where a test needs to play a *compromised*
server: one that routes between devices the real server never would, or rewrites
payloads. Delivery is asynchronous, as over a socket.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from media.ports import SignalingHandler, SignalingPort
from signaling.protocol import CallReport

Tamper = Callable[[str, dict[str, Any]], dict[str, Any] | None]


class MemoryRelay:
    def __init__(self, tamper: Tamper | None = None) -> None:
        self.ports: list[MemoryPort] = []
        self.tamper = tamper
        self.seen: list[dict[str, Any]] = []  # what "the server" saw
        self.calls: list[tuple[int, CallReport]] = []  # (port index, summary) as reported

    def port(self, handler: SignalingHandler) -> SignalingPort:
        port = MemoryPort(self, handler, len(self.ports))
        self.ports.append(port)
        return port

    async def deliver(self, sender: MemoryPort, payload: dict[str, Any]) -> bool:
        self.seen.append(copy.deepcopy(payload))
        others = [p for p in self.ports if p is not sender and p.online]
        if not others:
            return False
        if self.tamper is not None:
            changed = self.tamper(str(payload.get("t")), copy.deepcopy(payload))
            if changed is None:
                return True
            payload = changed
        for other in others:
            asyncio.get_running_loop().create_task(other.handler.relayed(payload))
        return True

    async def announce(self) -> None:
        online = [p for p in self.ports if p.online]
        for port in online:
            await port.handler.peer_changed(len(online) > 1)


class MemoryPort:
    def __init__(self, relay: MemoryRelay, handler: SignalingHandler, index: int) -> None:
        self.relay, self.handler, self.index = relay, handler, index
        self.online = False
        self.reconnects = 0
        self.checks = 0

    async def start(self) -> None:
        self.online = True
        await self.handler.signaling_changed(True)
        await self.relay.announce()

    async def stop(self) -> None:
        self.online = False
        await self.relay.announce()

    async def send_relay(self, payload: dict[str, Any]) -> bool:
        return await self.relay.deliver(self, payload)

    async def report_call(self, summary: CallReport) -> bool:
        if self.online:
            self.relay.calls.append((self.index, summary))
        return self.online

    def reconnect_now(self) -> None:
        self.reconnects += 1  # in memory there is no connection to drop

    async def check_connection(self) -> bool:
        self.checks += 1
        return self.online
