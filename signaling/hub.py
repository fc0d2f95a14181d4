"""The hub: which devices are online, and who may hear whom.

A device is keyed by its DeviceId (its key). Two links hear each other only if
their certificates name each other (:func:`pairing.certificates.check_peer`): the
certificates are the pairing, there is no database. Each link writes through its
own bounded outbox (:mod:`signaling.link`).

Devices on other instances are known through the backplane (:mod:`signaling.backplane`)
by short DeviceId only: ``_remote`` mirrors what the others announced. A remote device
is this link's peer only if it names the link as its peer, with the opposite role, and
the link's certificate names it; the instance that holds it checked its certificate.
Devices are keyed by (short DeviceId, peer's short DeviceId): two devices of a large
fleet may share a 7-letter short id (35 bits), but not that and their peer's too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable

from pairing.certificates import DeviceCertInfo, check_peer, utcnow
from pairing.deviceid import DeviceId
from pairing.errors import PeerUntrusted
from pairing.revocation import RevocationList
from signaling.backplane.base import Backplane
from signaling.backplane.memory import MemoryBackplane
from signaling.backplane.wire import BusMessage, CallGone, CallNews, CrlNews, Down, RelayTo, Up
from signaling.crlpush import CrlFanout
from signaling.lastcall import LastCall, LastCalls
from signaling.link import Link
from signaling.protocol import (
    CallReport,
    CloseCode,
    CrlPush,
    ErrorCode,
    ErrorFrame,
    Hello,
    Payload,
    Presence,
    Relay,
    TurnFrame,
    encode,
)
from signaling.turn import TurnCredential
from signaling.turnissuer import TurnIssuer

__all__ = ["Hub", "Link"]

logger = logging.getLogger(__name__)

Key = tuple[str, str]  # (short DeviceId, the peer's short DeviceId)
# Encoded once: every device that comes or goes tells its peer (in a profile of a
# mass cut, encoding each again was a twentieth of the loop's samples).
_PRESENCE = {online: encode(Presence(peer_online=online)) for online in (True, False)}


def _key(link: Link) -> Key:
    return link.short, link.info.peer_id.short


class Hub:
    def __init__(self, turn: TurnIssuer | None = None, backplane: Backplane | None = None) -> None:
        self._links: dict[DeviceId, Link] = {}
        self._by_key: dict[Key, Link] = {}  # (short id, peer's short id) -> our link
        self._remote: dict[Key, Up] = {}  # the same key -> where it is online elsewhere
        self.crl: RevocationList | None = None
        self._crl_frame: tuple[RevocationList, str] | None = None  # self.crl, encoded
        self.crl_push = CrlFanout(self._push_crl)  # a new CRL to everyone, paced
        self._turn = turn
        self.backplane = backplane or MemoryBackplane()
        self.on_crl_news: Callable[[str], None] = lambda _pem: None  # set by the server
        self.empty = asyncio.Event()  # no device online here (draining waits on it)
        self.calls = LastCalls()  # each device's last call summary (signaling.lastcall)
        self.empty.set()

    def __len__(self) -> int:
        return len(self._links)

    @property
    def instance(self) -> str:
        return self.backplane.instance

    def elsewhere(self, device: str) -> str | None:
        """The instance another device (short DeviceId) is online on, as last heard."""
        entries = [e for (d, _), e in self._remote.items() if d == device]
        return entries[0].instance if entries else None

    def peer_of(self, link: Link) -> Link | None:
        peer = self._links.get(link.info.peer_id)
        if peer is None:
            return None
        try:
            check_peer(peer.info, own=link.info)
        except PeerUntrusted:
            return None
        return peer

    def _remote_peer(self, link: Link) -> Up | None:
        entry = self._remote.get((link.info.peer_id.short, link.short))
        if entry is None or entry.role != link.info.role.opposite.value:
            return None
        return entry

    def moved_elsewhere(self, link: Link) -> bool:
        """Whether another instance announced this device online (a draining instance
        paces itself by it: signaling.drain)."""
        return _key(link) in self._remote

    def _peer_online(self, link: Link) -> bool:
        return self.peer_of(link) is not None or self._remote_peer(link) is not None

    def register(self, link: Link) -> bool:
        """Put a new link online; False if the CRL changed since its handshake, or if
        the shared state is out of reach (another instance may hold a newer view)."""
        if self.crl is not None and self.crl.is_revoked(link.info.serial):
            link.close(CloseCode.REVOKED, "certificate revoked")
            return False
        if not self.backplane.healthy:
            link.close(CloseCode.TRY_AGAIN, "server not ready: try another")
            return False
        old = self._links.get(link.info.device_id)
        self._links[link.info.device_id] = link
        self._by_key[_key(link)] = link
        self.empty.clear()
        self._remote.pop(_key(link), None)  # it moved here from another instance
        if old is not None:
            logger.info("device %s connected again: replacing", link.short)
            old.close(CloseCode.REPLACED, "replaced by a new connection")
        info = link.info
        peer = self.peer_of(link)
        link.send(Hello(info.device_id.short, info.role.value, self._peer_online(link)))
        self.send_turn(link)
        self._push_crl(link)
        if peer is not None and old is None:
            peer.send_encoded(_PRESENCE[True])
        self.backplane.publish(self._up(link))
        logger.info("device %s online (%s)", link.short, info.role.value)
        return True

    def _up(self, link: Link) -> Up:
        info = link.info
        return Up(self.instance, link.short, info.peer_id.short, info.role.value, link.since)

    def online(self) -> list[tuple[DeviceId, dt.datetime, str | None]]:
        """Each device connected to this instance, since when, and its app version if
        it sent one (the health port's /status)."""
        return [
            (link.info.device_id, dt.datetime.fromtimestamp(link.since, dt.UTC), link.app_version)
            for link in self._links.values()
        ]

    @property
    def turn_enabled(self) -> bool:
        return self._turn is not None and self._turn.enabled

    def mint_turn(self, info: DeviceCertInfo) -> TurnCredential | None:
        """A credential for an unrevoked device, whether or not it is online (the
        network self-test asks over HTTPS); None when revoked or TURN is not set up."""
        if self._turn is None:
            return None
        if self.crl is not None and self.crl.is_revoked(info.serial):
            return None
        return self._turn.credential(info.device_id, time.time())

    def send_turn(self, link: Link) -> bool:
        """Mint a TURN credential for an online, unrevoked link; False if none was sent."""
        if self._links.get(link.info.device_id) is not link:
            return False  # offline, or replaced/dropped: a closed link gets nothing
        credential = self.mint_turn(link.info)
        if credential is None:
            return False
        expires = int(credential.expires_at)
        link.send(TurnFrame(credential.username, credential.password, expires))
        return True

    def unregister(self, link: Link) -> None:
        if self._links.get(link.info.device_id) is not link:
            return  # already replaced: the device is still online
        peer = self.peer_of(link)
        del self._links[link.info.device_id]
        if not self._links:
            self.empty.set()
        if self._by_key.get(_key(link)) is link:
            del self._by_key[_key(link)]
        if peer is not None:
            peer.send_encoded(_PRESENCE[False])
        self.backplane.publish(Down(self.instance, link.short, link.info.peer_id.short))
        logger.info("device %s offline", link.short)

    def relay(self, link: Link, payload: Payload) -> None:
        peer = self.peer_of(link)
        if peer is not None:
            peer.send(Relay(payload))
            return
        remote = self._remote_peer(link)
        message = RelayTo(link.info.peer_id.short, link.short, payload)
        if remote is None or not self.backplane.send(remote.instance, message):
            link.send(ErrorFrame(ErrorCode.PEER_OFFLINE, "the paired device is not online"))

    def call_reported(self, link: Link, report: CallReport) -> None:
        """A device's summary of the call it just ended: kept, and told to the others."""
        if self._links.get(link.info.device_id) is not link:
            return  # replaced or dropped meanwhile (revoked): nothing of it is kept
        entry = LastCall(link.short, link.info.peer_id.short, link.info.serial, self.instance,
                         report)  # fmt: skip
        if self.calls.put(entry):
            self.backplane.publish(_call_news(entry))
            logger.info("device %s ended a call (%s)", link.short, report.end_reason)

    def _call_news(self, entry: LastCall) -> None:
        """Another instance's device reported a call: kept unless revoked or older.
        When it replaces one of ours, the copy in our Redis hash is stale: dropped."""
        if self.crl is not None and self.crl.is_revoked(entry.serial):
            return
        known = self.calls.get(entry.device, entry.peer)
        if self.calls.put(entry) and known is not None and known.instance == self.instance:
            self.backplane.publish(CallGone(self.instance, entry.device, entry.peer))

    def local_calls(self) -> list[CallNews]:
        """The summaries our devices sent, to write to the shared state again."""
        return [_call_news(e) for e in self.calls.local(self.instance)]

    # -- BackplaneHost: what the other instances say ---------------------------------
    def bus_message(self, message: BusMessage) -> None:
        match message:
            case CallNews(instance=instance, device=device, peer=peer, serial=serial):
                self._call_news(LastCall(device, peer, serial, instance, message.report))
            case CallGone(instance=instance, device=device, peer=peer):
                self.calls.drop(device, peer, instance)
            case Up():
                self._remote_up(message)
            case Down(instance=instance, device=device, peer=peer):
                entry = self._remote.get((device, peer))
                if entry is not None and entry.instance == instance:  # not a newer move
                    del self._remote[(device, peer)]
                    self._tell_peer(entry, online=False)
            case RelayTo(device=device, sender=sender, payload=payload):
                link = self._by_key.get((device, sender))
                if link is not None:
                    link.send(Relay(payload))
            case CrlNews(pem=pem):
                self.on_crl_news(pem)

    def _remote_up(self, up: Up) -> None:
        key = (up.device, up.peer)
        here = self._by_key.get(key)
        if here is not None and here.info.role.value == up.role:
            # the device connected elsewhere since: this link is stale
            self._drop(here, CloseCode.REPLACED, "replaced by a new connection")
        known = self._remote.get(key)
        self._remote[key] = up
        if known is None:
            self._tell_peer(up, online=True)

    def _tell_peer(self, entry: Up, *, online: bool) -> None:
        """Tell our link paired with a remote device that it came or went."""
        peer = self._by_key.get((entry.peer, entry.device))
        if peer is not None and entry.role == peer.info.role.opposite.value:
            peer.send_encoded(_PRESENCE[online])

    def instance_gone(self, instance: str) -> None:
        for key, entry in list(self._remote.items()):
            if entry.instance == instance:
                del self._remote[key]
                self._tell_peer(entry, online=False)

    def backplane_changed(self, up: bool) -> None:
        if up and self.crl is not None:  # ours may be newer than any the others have
            self.backplane.publish(CrlNews(self.crl.number, self.crl.pem.decode()))
        if not up:  # what we knew of the others may be stale: they are offline to us
            for key, entry in list(self._remote.items()):
                del self._remote[key]
                self._tell_peer(entry, online=False)

    def local_presence(self) -> list[Up]:
        return [self._up(link) for link in self._links.values()]

    # -- revocation and expiry --------------------------------------------------------
    def set_crl(self, crl: RevocationList) -> None:
        """A newer CRL: close what it revokes, then push it to everyone left."""
        self.crl = crl
        for gone in self.calls.forget(crl.serials):  # the end of a service
            if gone.instance == self.instance:
                self.backplane.publish(CallGone(gone.instance, gone.device, gone.peer))
        self.sweep()
        self.crl_push.start(list(self._links.values()))  # signaling.crlpush

    def _push_crl(self, link: Link) -> int:
        """Send our CRL to an online link unless the device holds it, or a newer one,
        already; the frame's length, or 0 when nothing was sent."""
        crl = self.crl
        if crl is None or (link.crl_number is not None and link.crl_number >= crl.number):
            return 0
        if self._links.get(link.info.device_id) is not link:
            return 0  # gone or replaced since the push began
        if self._crl_frame is None or self._crl_frame[0] is not crl:
            # encoded once per CRL, not per device: at 10,000 devices a 100 kB CRL
            # would otherwise be 10,000 copies of 100 kB in the outboxes at once
            self._crl_frame = (crl, encode(CrlPush(crl.number, crl.pem.decode())))
        link.send_encoded(self._crl_frame[1])
        link.crl_number = crl.number
        return len(self._crl_frame[1])

    def sweep(self, now: dt.datetime | None = None) -> None:
        """Close links whose certificate became revoked or expired."""
        now = now or utcnow()
        for link in list(self._links.values()):
            if self.crl is not None and self.crl.is_revoked(link.info.serial):
                self._drop(link, CloseCode.REVOKED, "certificate revoked")
            elif now > link.info.not_after:
                self._drop(link, CloseCode.EXPIRED, "certificate expired")

    def _drop(self, link: Link, code: CloseCode, reason: str) -> None:
        self.unregister(link)  # at once: no relay reaches it while it closes
        link.close(code, reason)

    def close_all(self, code: CloseCode = CloseCode.GOING_AWAY) -> None:
        self.crl_push.cancel()
        for link in list(self._links.values()):
            link.close(code, "server shutting down")

    def links(self) -> list[Link]:
        return list(self._links.values())


def _call_news(entry: LastCall) -> CallNews:
    return CallNews(entry.instance, entry.device, entry.peer, entry.serial, entry.report)
