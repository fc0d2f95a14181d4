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
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cryptography import x509

from pairing.certificates import DeviceCertInfo
from pairing.deviceid import DeviceId
from pairing.errors import PairingError
from signaling.config import ServerConfig
from signaling.refusals import RefusalLog

Verifier = Callable[[x509.Certificate], DeviceCertInfo]
REVOKED = "revoked"  # pairing.certificates.verify_device_certificate's detail
MAX_SEEN = 100_000  # far more certificates than a fleet issues: bounds memory only


class Gate:
    def __init__(
        self,
        inner: Callable[[], asyncio.Protocol],
        verify: Verifier,
        config: ServerConfig,
        refusals: RefusalLog,
    ) -> None:
        self._inner = inner
        self._verify = verify
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
