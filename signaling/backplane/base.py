"""The backplane interface: what a hub needs from the instances beside it.

A hub (:class:`signaling.hub.Hub`) keeps its own devices' links. Through a backplane
it tells the other instances which of its devices are online (:class:`~.wire.Up`,
:class:`~.wire.Down`), hands them relays for devices they hold, and learns the same
from them through its :class:`BackplaneHost` callbacks, on the event loop.

``healthy`` is False while the shared state cannot be trusted (Redis unreachable):
the hub then refuses new devices rather than serve a split view.
"""

from __future__ import annotations

import abc
import secrets
from typing import Protocol

from signaling.backplane.wire import BusMessage, CallNews, RelayTo, Up


class BackplaneHost(Protocol):
    """The hub side of a backplane."""

    def bus_message(self, message: BusMessage) -> None:
        """Another instance said something (already parsed and checked)."""

    def instance_gone(self, instance: str) -> None:
        """An instance stopped, or fell silent: its devices are offline."""

    def backplane_changed(self, up: bool) -> None:
        """The shared state was lost (False) or is back (True)."""

    def local_presence(self) -> list[Up]:
        """Our devices online now, to announce again after a reconnect."""

    def local_calls(self) -> list[CallNews]:
        """The last calls our devices reported, to keep in the shared state again."""


def new_instance_name() -> str:
    """A fresh name per start: an instance name identifies a process, not a machine."""
    return "i-" + secrets.token_hex(4)


class Backplane(abc.ABC):
    def __init__(self, instance: str | None = None) -> None:
        self.instance = instance or new_instance_name()

    @property
    @abc.abstractmethod
    def healthy(self) -> bool:
        """True while the state shared with other instances is current."""

    @abc.abstractmethod
    def others_alive(self) -> bool:
        """True while another instance is heard and the shared state is current: our
        devices have somewhere to go, and we hear when they get there."""

    @abc.abstractmethod
    async def start(self, host: BackplaneHost) -> None:
        """Join; the host hears of the devices already online elsewhere."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Leave: the others hear :class:`~.wire.Bye` and forget our devices."""

    @abc.abstractmethod
    def publish(self, message: BusMessage) -> None:
        """Tell every other instance (presence, a new CRL); never blocks."""

    @abc.abstractmethod
    def send(self, instance: str, message: RelayTo) -> bool:
        """Hand a relay to one instance; False if it cannot be delivered now."""
