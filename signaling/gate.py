"""The gate: who may speak HTTP to us at all.

aiohttp gets a connection only after TLS, and only once our own certificate check
has passed: :class:`GateProtocol` wraps aiohttp's protocol and looks at the peer
certificate in ``connection_made``, before a single HTTP byte is read or written. A
refused connection is aborted, so the client sees the stream end and nothing else.

The connection limit before authentication is kept by :mod:`signaling.listener`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from cryptography import x509

from pairing.certificates import DeviceCertInfo
from pairing.deviceid import DeviceId
from pairing.errors import PairingError
from signaling.config import ServerConfig

logger = logging.getLogger(__name__)

Verifier = Callable[[x509.Certificate], DeviceCertInfo]


class Gate:
    def __init__(
        self,
        inner: Callable[[], asyncio.Protocol],
        verify: Verifier,
        config: ServerConfig,
    ) -> None:
        self._inner = inner
        self._verify = verify
        self._config = config
        self._identities: dict[asyncio.BaseTransport, DeviceCertInfo] = {}

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
            logger.warning("refused device %s: connection limit", info.device_id.short)
            return False
        self._identities[transport] = info
        return True

    def forget(self, transport: asyncio.BaseTransport) -> None:
        self._identities.pop(transport, None)

    def _check(self, transport: asyncio.BaseTransport) -> DeviceCertInfo | None:
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if not der:
            logger.info("refused a connection: no certificate")
            return None
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            logger.info("refused a connection: unreadable certificate")
            return None
        try:
            return self._verify(cert)
        except PairingError as exc:
            logger.info("refused device %s: %s", _short(cert), exc.detail or type(exc).__name__)
            return None

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
