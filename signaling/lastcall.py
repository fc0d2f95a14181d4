"""The last call of each device: the summary it sent at the end (a ``call`` frame).

Kept in memory only, one per device (keyed like the hub: short DeviceId and the
peer's), bounded in number and age, for the helpdesk console's overview (the health
port's ``/status``). With a backplane the other instances hold the same entries
(:class:`~signaling.backplane.wire.CallNews`) and Redis keeps them in the instance's
presence hash, with the presence's TTL. A device whose certificate is revoked (the
end of a service) is forgotten here at once. Nothing else about a call is kept.
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from signaling.protocol import CallReport

MAX_ENTRIES = 100_000  # a few thousand pairs, with room: the oldest goes first
MAX_AGE_S = 90 * 24 * 3600  # as long as the connection logs are kept by default

Key = tuple[str, str]  # (short DeviceId, the peer's short DeviceId)


@dataclass(frozen=True, slots=True)
class LastCall:
    device: str
    peer: str
    serial: int  # of the certificate it came with: revoking that forgets this
    instance: str  # the instance the device told (it writes it to Redis)
    report: CallReport

    @property
    def ended(self) -> int:
        return self.report.start + self.report.duration_s

    def public(self) -> dict[str, Any]:
        """As ``/status`` lists it: short ids and the report, never the serial."""
        return {"device": self.device, "peer": self.peer, **dataclasses.asdict(self.report)}


class LastCalls:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_age: float = MAX_AGE_S) -> None:
        self._entries: OrderedDict[Key, LastCall] = OrderedDict()
        self._max, self._max_age = max_entries, max_age
        self.refused = 0  # call frames that did not parse (the server counts them)

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, entry: LastCall) -> bool:
        """Keep ``entry`` unless a later call of the same device is already known."""
        key = (entry.device, entry.peer)
        known = self._entries.get(key)
        if known is not None and known.ended > entry.ended:
            return False  # an older summary, e.g. from a stale Redis hash
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return True

    def get(self, device: str, peer: str) -> LastCall | None:
        return self._entries.get((device, peer))

    def drop(self, device: str, peer: str, instance: str) -> None:
        """Forget the entry ``instance`` wrote (not a later one from another instance)."""
        known = self._entries.get((device, peer))
        if known is not None and known.instance == instance:
            del self._entries[(device, peer)]

    def forget(self, serials: frozenset[int]) -> list[LastCall]:
        """Drop the entries of revoked certificates; the dropped ones."""
        gone = [e for e in self._entries.values() if e.serial in serials]
        for entry in gone:
            del self._entries[(entry.device, entry.peer)]
        return gone

    def entries(self, now: float | None = None) -> list[LastCall]:
        """Every entry younger than the age bound (older ones are dropped now)."""
        cutoff = (time.time() if now is None else now) - self._max_age
        for key in [k for k, e in self._entries.items() if e.ended < cutoff]:
            del self._entries[key]
        return list(self._entries.values())

    def local(self, instance: str) -> list[LastCall]:
        return [e for e in self.entries() if e.instance == instance]
