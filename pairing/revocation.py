"""Certificate revocation lists: numbered, CA-signed X.509 CRLs of serials.

A device keeps the highest-numbered CRL it has seen (:func:`newer`); the server
checks each connection against it in its own code, because an ``SSLContext``
cannot unload a CRL once loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pairing.errors import RevocationListInvalid

MAX_CRL_PEM = 512 * 1024
# A CRL is re-signed on every revoke; it stays valid long enough that a fleet which
# revokes nothing for a year still works (devices treat an old CRL as the latest known).
CRL_VALIDITY = dt.timedelta(days=400)


@dataclass(frozen=True, slots=True)
class RevocationList:
    number: int
    serials: frozenset[int]
    pem: bytes

    def is_revoked(self, serial: int) -> bool:
        return serial in self.serials


def build_crl(
    *,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    number: int,
    serials: Iterable[int],
    now: dt.datetime | None = None,
) -> RevocationList:
    now = now or dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(number), critical=False)
    )
    for serial in sorted(set(serials)):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build()
        )
    crl = builder.sign(ca_key, hashes.SHA256())
    return RevocationList(
        number=number,
        serials=frozenset(serials),
        pem=crl.public_bytes(serialization.Encoding.PEM),
    )


def load_crl(pem: bytes | str, ca_cert: x509.Certificate) -> RevocationList:
    """Parse and verify a CRL against the fleet CA; RevocationListInvalid otherwise."""
    data = pem.encode() if isinstance(pem, str) else pem
    if len(data) > MAX_CRL_PEM:
        raise RevocationListInvalid("too large")
    try:
        crl = x509.load_pem_x509_crl(data)
    except ValueError as exc:
        raise RevocationListInvalid("not a PEM CRL") from exc
    ca_key = ca_cert.public_key()
    if crl.issuer != ca_cert.subject or not isinstance(ca_key, ec.EllipticCurvePublicKey):
        raise RevocationListInvalid("another issuer")
    if not crl.is_signature_valid(ca_key):
        raise RevocationListInvalid("signature")
    try:
        number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound as exc:
        raise RevocationListInvalid("no number") from exc
    return RevocationList(number=number, serials=frozenset(r.serial_number for r in crl), pem=data)


def newer(current: RevocationList | None, candidate: RevocationList) -> bool:
    """Whether ``candidate`` should replace ``current`` (higher number wins)."""
    return current is None or candidate.number > current.number
