"""Device certificates: build them, read them, and check them fully.

A pairing is exactly two certificates that name each other: subject = DeviceId,
SAN URIs ``urn:klasgenoot:pairing:<id>``, ``urn:klasgenoot:role:<role>`` and
``urn:klasgenoot:peer:<peer DeviceId>``, extended key usage clientAuth, expiry at
the service end date. Whoever holds the CA certificate can verify a peer with no
database: :func:`verify_device_certificate` then :func:`check_peer`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pairing.deviceid import DeviceId
from pairing.errors import CertificateInvalid, DeviceIdInvalid, PeerUntrusted
from pairing.revocation import RevocationList
from pairing.roles import Role

URN_PAIRING = "urn:klasgenoot:pairing:"
URN_ROLE = "urn:klasgenoot:role:"
URN_PEER = "urn:klasgenoot:peer:"
MAX_CERT_PEM = 8192
_PAIRING_RE = re.compile(r"^pair-[a-z2-7]{16}$")


def new_pairing_id() -> str:
    """A random pairing id, ``pair-`` + 16 base32 characters (80 bits)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "pair-" + "".join(secrets.choice(alphabet) for _ in range(16))


def is_pairing_id(text: str) -> bool:
    return bool(_PAIRING_RE.match(text))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class DeviceCertInfo:
    """What a device certificate says, once checked."""

    device_id: DeviceId
    pairing_id: str
    role: Role
    peer_id: DeviceId
    serial: int
    not_before: dt.datetime
    not_after: dt.datetime


def load_certificate(pem: bytes | str) -> x509.Certificate:
    """Parse one PEM certificate with a size limit; CertificateInvalid otherwise."""
    data = pem.encode() if isinstance(pem, str) else pem
    if len(data) > MAX_CERT_PEM:
        raise CertificateInvalid("too large")
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise CertificateInvalid("not a PEM certificate") from exc


def certificate_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint as colon-separated hex pairs, for a person to compare."""
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


FINGERPRINT_LINE = 8  # hex pairs a line: 32 pairs read as four lines of eight


def fingerprint_lines(text: str) -> list[str]:
    """A fingerprint as four lines of eight pairs: the device and the CLI show it alike,
    so a technician compares line by line."""
    pairs = text.split(":")
    return [
        ":".join(pairs[i : i + FINGERPRINT_LINE]) for i in range(0, len(pairs), FINGERPRINT_LINE)
    ]


def build_device_certificate(
    *,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    public_key: ec.EllipticCurvePublicKey,
    pairing_id: str,
    role: Role,
    peer_id: DeviceId,
    not_after: dt.datetime,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """Issue one device certificate of a pairing, signed by the fleet CA."""
    now = now or utcnow()
    device_id = DeviceId.from_public_key(public_key)
    san = x509.SubjectAlternativeName(
        [
            x509.UniformResourceIdentifier(URN_PAIRING + pairing_id),
            x509.UniformResourceIdentifier(URN_ROLE + role.value),
            x509.UniformResourceIdentifier(URN_PEER + peer_id.text),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, device_id.text)]))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _san_uris(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound as exc:
        raise CertificateInvalid("no pairing fields") from exc
    return ext.value.get_values_for_type(x509.UniformResourceIdentifier)


def _one(uris: list[str], prefix: str) -> str:
    found = [u[len(prefix) :] for u in uris if u.startswith(prefix)]
    if len(found) != 1:
        raise CertificateInvalid(f"expected one {prefix}")
    return found[0]


def read_device_certificate(cert: x509.Certificate) -> DeviceCertInfo:
    """Read the pairing fields; CertificateInvalid if any is missing or malformed.

    This does not check the signature: use :func:`verify_device_certificate`.
    """
    public_key = cert.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
        public_key.curve, ec.SECP256R1
    ):
        raise CertificateInvalid("not a P-256 key")
    device_id = DeviceId.from_public_key(public_key)
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(cns) != 1 or cns[0].value != device_id.text:
        raise CertificateInvalid("subject is not the key's DeviceId")
    uris = _san_uris(cert)
    pairing_id = _one(uris, URN_PAIRING)
    if not is_pairing_id(pairing_id):
        raise CertificateInvalid("pairing id")
    try:
        role = Role(_one(uris, URN_ROLE))
        peer_id = DeviceId.parse(_one(uris, URN_PEER))
    except (ValueError, DeviceIdInvalid) as exc:
        raise CertificateInvalid("role or peer field") from exc
    return DeviceCertInfo(
        device_id=device_id,
        pairing_id=pairing_id,
        role=role,
        peer_id=peer_id,
        serial=cert.serial_number,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _check_signed_by(
    cert: x509.Certificate, ca_cert: x509.Certificate, *, signature: bool = True
) -> None:
    if cert.issuer != ca_cert.subject:
        raise CertificateInvalid("another issuer")
    if not signature:
        return
    ca_key = ca_cert.public_key()
    if not isinstance(ca_key, ec.EllipticCurvePublicKey):
        raise CertificateInvalid("CA key type")
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise CertificateInvalid("signature") from exc


def _check_usage(cert: x509.Certificate) -> None:
    try:
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise CertificateInvalid("usage extensions missing") from exc
    if basic.ca:
        raise CertificateInvalid("a CA certificate")
    if ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
        raise CertificateInvalid("not a client certificate")
    if ExtendedKeyUsageOID.SERVER_AUTH in eku:
        raise CertificateInvalid("a server certificate")


def verify_device_certificate(
    cert: x509.Certificate,
    ca_cert: x509.Certificate,
    *,
    crl: RevocationList | None = None,
    now: dt.datetime | None = None,
    signature_checked: bool = False,
) -> DeviceCertInfo:
    """Check chain, validity, usage, pairing fields and revocation; return the fields.

    ``signature_checked``: the caller's TLS handshake already verified the signature
    against this very CA (the signaling server's context trusts only the fleet CA),
    so only the issuer's name is compared here. Checking it again cost the server a
    quarter of a millisecond per connection (issue 14).
    """
    now = now or utcnow()
    _check_signed_by(cert, ca_cert, signature=not signature_checked)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise CertificateInvalid("outside its validity period")
    _check_usage(cert)
    info = read_device_certificate(cert)
    check_current(info, crl=crl, now=now)
    return info


def check_current(
    info: DeviceCertInfo, *, crl: RevocationList | None = None, now: dt.datetime | None = None
) -> None:
    """What can change about a checked certificate after the check: time passes (its
    validity period) and CRLs arrive. With :func:`verify_device_certificate` once for
    the same certificate, this is the whole check again, without reading it again."""
    now = now or utcnow()
    if not info.not_before <= now <= info.not_after:
        raise CertificateInvalid("outside its validity period")
    if crl is not None and crl.is_revoked(info.serial):
        raise CertificateInvalid("revoked")


def check_peer(
    peer: DeviceCertInfo,
    *,
    own: DeviceCertInfo,
    pinned_peer: DeviceId | None = None,
) -> None:
    """A peer belongs to us only if both certificates name each other.

    Same pairing id, opposite role, the peer names us, we name the peer, and the
    peer's DeviceId equals the one this device pinned at install time.
    """
    if peer.pairing_id != own.pairing_id:
        raise PeerUntrusted("another pairing")
    if peer.role is not own.role.opposite:
        raise PeerUntrusted("same role")
    if peer.peer_id != own.device_id or own.peer_id != peer.device_id:
        raise PeerUntrusted("certificates do not name each other")
    if pinned_peer is not None and peer.device_id != pinned_peer:
        raise PeerUntrusted("not the pinned peer")
