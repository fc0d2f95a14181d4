"""Is this certificate our one paired peer? Every check, or PeerUntrusted."""

from __future__ import annotations

import datetime as dt

from cryptography import x509

from pairing.certificates import (
    DeviceCertInfo,
    check_peer,
    load_certificate,
    verify_device_certificate,
)
from pairing.credentials import DeviceCredentials
from pairing.errors import PairingError, PeerUntrusted
from pairing.revocation import RevocationList


def verify_peer_certificate(
    pem: str | bytes,
    own: DeviceCredentials,
    crl: RevocationList | None,
    now: dt.datetime | None = None,
) -> tuple[x509.Certificate, DeviceCertInfo]:
    """Chain to our fleet CA, validity, CRL, pairing, opposite role, naming, pin."""
    try:
        cert = load_certificate(pem)
        info = verify_device_certificate(cert, own.ca_certificate, crl=crl, now=now)
        check_peer(info, own=own.info, pinned_peer=own.pinned_peer)
    except PeerUntrusted:
        raise
    except PairingError as exc:
        raise PeerUntrusted(exc.detail or type(exc).__name__) from exc
    return cert, info
