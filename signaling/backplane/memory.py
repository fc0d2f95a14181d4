"""The in-memory backplane: the default, and the reference for the Redis one.

Without ``--redis`` a server has a bus of its own and nothing leaves the process,
exactly as before there was a backplane. Several servers in one process may share
one :class:`MemoryBus` (the tests do, to check the hub against the interface without
Redis). Delivery goes through ``call_soon``, never inline, so ordering and
re-entrancy match a real bus.
"""

from __future__ import annotations

import asyncio

from signaling.backplane.base import Backplane, BackplaneHost
from signaling.backplane.wire import BusMessage, Bye, RelayTo


class MemoryBus:
    def __init__(self) -> None:
        self.members: dict[str, MemoryBackplane] = {}


class MemoryBackplane(Backplane):
    def __init__(self, bus: MemoryBus | None = None, instance: str | None = None) -> None:
        super().__init__(instance)
        self._bus = bus or MemoryBus()
        self._host: BackplaneHost | None = None

    @property
    def healthy(self) -> bool:
        return self._host is not None

    def others_alive(self) -> bool:
        alive = (m for name, m in self._bus.members.items() if name != self.instance)
        return self.healthy and any(m._host is not None for m in alive)

    async def start(self, host: BackplaneHost) -> None:
        self._host = host
        for other in list(self._bus.members.values()):
            if other._host is not None:
                for up in other._host.local_presence():
                    host.bus_message(up)
                for call in other._host.local_calls():
                    host.bus_message(call)
        self._bus.members[self.instance] = self

    async def stop(self) -> None:
        if self._bus.members.get(self.instance) is self:
            del self._bus.members[self.instance]
            self.publish(Bye(self.instance))
        self._host = None

    def publish(self, message: BusMessage) -> None:
        for name, other in self._bus.members.items():
            if name != self.instance:
                other._later(message)

    def send(self, instance: str, message: RelayTo) -> bool:
        other = self._bus.members.get(instance)
        if other is None or other is self:
            return False
        other._later(message)
        return True

    def _later(self, message: BusMessage) -> None:
        asyncio.get_running_loop().call_soon(self._deliver, message)

    def _deliver(self, message: BusMessage) -> None:
        if self._host is None:
            return
        if isinstance(message, Bye):
            self._host.instance_gone(message.instance)
        else:
            self._host.bus_message(message)
