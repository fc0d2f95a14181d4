"""The gate: who may speak HTTP to us at all.

aiohttp gets a connection only after TLS, and only once our own certificate check
has passed: :class:`GateProtocol` wraps aiohttp's protocol and looks at the peer
certificate in ``connection_made``, before a single HTTP byte is read or written. A
refused connection is aborted, so the client sees the stream end and nothing else.

The connection limit before authentication is kept by :mod:`signaling.listener`.
Refusals go through :class:`signaling.refusals.RefusalLog`, so a device that keeps
knocking with a bad certificate costs one log line per interval. A revoked device
is refused without its DeviceId: revoking purges the log of it (signaling.logpurge),
and its reconnect attempts must not write it back.

A device reconnects with the certificate it had: reading one again cost the server
~0.35 ms of its loop per connection (a quarter of that in DeviceIds), in a reconnect
storm for every device. The gate keeps what a certificate said, by the SHA-256 of
its bytes, for the certificates it accepted (:class:`Known`), and checks again only
what can change since: the time against its validity period, and the CRL.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable

from cryptography import x509

from pairing.certificates import DeviceCertInfo
from pairing.deviceid import DeviceId
from pairing.errors import PairingError
from signaling.config import ServerConfig
from signaling.refusals import RefusalLog

Verifier = Callable[[x509.Certificate], DeviceCertInfo]
# What can have changed about a certificate the verifier accepted (pairing.certificates
# .check_current): raises PairingError as the verifier would now.
Rechecker = Callable[[DeviceCertInfo], None]
REVOKED = "revoked"  # pairing.certificates.verify_device_certificate's detail
MAX_SEEN = 100_000  # far more certificates than a fleet issues: bounds memory only
# Certificates remembered as accepted: twice the connections the server allows, so a
# storm of every device finds its own. ~0.8 kB each (measured: the checked fields, the
# key and the entry); a live connection's fields are held anyway. At most ~19 MB.
MAX_KNOWN = 24_000


class Known:
    """Accepted certificates by the SHA-256 of their DER, least recently used first."""

    def __init__(self, limit: int = MAX_KNOWN) -> None:
        self._limit = limit
        self._infos: OrderedDict[bytes, DeviceCertInfo] = OrderedDict()

    def __len__(self) -> int:
        return len(self._infos)

    def get(self, key: bytes) -> DeviceCertInfo | None:
        info = self._infos.get(key)
        if info is not None:
            self._infos.move_to_end(key)
        return info

    def put(self, key: bytes, info: DeviceCertInfo) -> None:
        self._infos[key] = info
        self._infos.move_to_end(key)
        while len(self._infos) > self._limit:
            self._infos.popitem(last=False)

    def forget(self, key: bytes) -> None:
        self._infos.pop(key, None)


class Gate:
    def __init__(
        self,
        inner: Callable[[], asyncio.Protocol],
        verify: Verifier,
        config: ServerConfig,
        refusals: RefusalLog,
        recheck: Rechecker | None = None,
    ) -> None:
        self._inner = inner
        self._verify = verify
        self._recheck = recheck  # None: every certificate is read and checked whole
        self.known = Known()
        self._config = config
        self._refusals = refusals
        self._identities: dict[asyncio.BaseTransport, DeviceCertInfo] = {}
        # serial -> short DeviceId of every fleet certificate shown since start, so a
        # later revocation can purge the log lines about it (the server has no database).
        self.seen: dict[int, str] = {}

    def identity(self, transport: asyncio.BaseTransport | None) -> DeviceCertInfo | None:
        """The checked certificate of a live connection (None if it never passed)."""
        return self._identities.get(transport) if transport is not None else None

    def factory(self) -> asyncio.Protocol:
        """The protocol factory for each accepted connection."""
        return GateProtocol(self)

    def admit(self, transport: asyncio.BaseTransport) -> bool:
        """After the handshake: check the certificate; False means abort."""
        info = self._check(transport)
        if info is None:
            return False
        if len(self._identities) >= self._config.max_connections:
            self._refusals.note("connection limit", info.device_id.short)
            return False
        self._identities[transport] = info
        return True

    def forget(self, transport: asyncio.BaseTransport) -> None:
        self._identities.pop(transport, None)

    def _check(self, transport: asyncio.BaseTransport) -> DeviceCertInfo | None:
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if not der:
            self._refusals.note("no certificate")
            return None
        key = hashlib.sha256(der).digest()
        known = self.known.get(key) if self._recheck is not None else None
        if known is not None:
            return self._still(key, known)
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            self._refusals.note("unreadable certificate")
            return None
        try:
            info = self._verify(cert)
        except PairingError as exc:
            short = _short(cert)
            self._remember(cert.serial_number, short)
            reason = exc.detail or type(exc).__name__
            self._refusals.note(reason, None if reason == REVOKED else short)
            return None
        # the DeviceId the check just derived: deriving it again cost a key export
        self._remember(cert.serial_number, info.device_id.short)
        if self._recheck is not None:
            self.known.put(key, info)
        return info

    def _still(self, key: bytes, info: DeviceCertInfo) -> DeviceCertInfo | None:
        """A certificate accepted before: only what can have changed is checked."""
        assert self._recheck is not None
        try:
            self._recheck(info)
        except PairingError as exc:
            self.known.forget(key)
            reason = exc.detail or type(exc).__name__
            self._refusals.note(reason, None if reason == REVOKED else info.device_id.short)
            return None
        return info

    def _remember(self, serial: int, short: str) -> None:
        if len(self.seen) < MAX_SEEN:  # TLS checked the chain: a fleet certificate
            self.seen[serial] = short

    def new_inner(self) -> asyncio.Protocol:
        return self._inner()


def _short(cert: x509.Certificate) -> str:
    try:
        return DeviceId.from_public_key(cert.public_key()).short  # type: ignore[arg-type]
    except (TypeError, ValueError, AttributeError):
        return "?"


class GateProtocol(asyncio.Protocol):
    """Forwards to aiohttp's protocol, but only once the certificate passed."""

    def __init__(self, gate: Gate) -> None:
        self._gate = gate
        self._inner: asyncio.Protocol | None = None
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self._gate.admit(transport):
            if isinstance(transport, asyncio.Transport):
                transport.abort()  # no close_notify, no HTTP: the stream just ends
            return
        self._transport = transport
        self._inner = self._gate.new_inner()
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._gate.forget(self._transport)
        if self._inner is not None:
            self._inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()
