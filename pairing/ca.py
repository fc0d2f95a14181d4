"""The fleet CA (operator side): its key, its certificate, and the server's TLS certificate.

The CA key is EC P-256 and encrypted at rest with the operator's passphrase
(scrypt, pairing.cakey); the
server's TLS key is a plain 0600 file so a service manager can start the server
unattended (it can do no harm beyond impersonating this one server).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pairing import cakey
from pairing.errors import FleetError

CA_VALIDITY = dt.timedelta(days=3650)
SERVER_VALIDITY = dt.timedelta(days=825)
MIN_PASSPHRASE = 12  # with scrypt: each guess costs 128 MiB and ~0.3 s


@dataclass(frozen=True, slots=True)
class CertifiedKey:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def create_ca(name: str = "Klasgenoot fleet CA", now: dt.datetime | None = None) -> CertifiedKey:
    now = now or dt.datetime.now(dt.UTC)
    key = new_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Klasgenoot"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertifiedKey(key, cert)


def issue_server_certificate(
    ca: CertifiedKey,
    server_name: str,
    now: dt.datetime | None = None,
    *,
    also: Sequence[str] = (),
) -> CertifiedKey:
    """A TLS server certificate for the signaling server: serverAuth only.

    ``also``: further host names or addresses the same certificate must answer for,
    one per server instance when the fleet names several signaling URLs."""
    now = now or dt.datetime.now(dt.UTC)
    key = new_key()
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    for host in (server_name, *also):
        try:
            name: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            name = x509.DNSName(host)
        if name not in names:
            names.append(name)
    loopback = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
    if loopback not in names:
        names.append(loopback)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, server_name)]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + SERVER_VALIDITY, ca.certificate.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return CertifiedKey(key, cert)


def issue_turn_certificate(
    ca: CertifiedKey, host: str, now: dt.datetime | None = None
) -> CertifiedKey:
    """A TLS server certificate for the fleet's TURN relay (``turns:``): serverAuth, and
    exactly one SAN, the host name or IP address devices dial (no localhost extras)."""
    now = now or dt.datetime.now(dt.UTC)
    key = new_key()
    try:
        name: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        name = x509.DNSName(host)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + SERVER_VALIDITY, ca.certificate.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName([name]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return CertifiedKey(key, cert)


def encrypt_key(key: ec.EllipticCurvePrivateKey, passphrase: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise FleetError(f"passphrase shorter than {MIN_PASSPHRASE} characters")
    return cakey.seal(key, passphrase)


def plain_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_key(pem: bytes, passphrase: str | None = None) -> ec.EllipticCurvePrivateKey:
    """A plain key (``passphrase`` None) or the sealed CA key (either format)."""
    if passphrase is not None:
        return cakey.unseal(pem, passphrase).key
    try:
        key = serialization.load_pem_private_key(pem, None)
    except (ValueError, TypeError) as exc:
        raise FleetError("unreadable key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise FleetError("not an EC key")
    return key
