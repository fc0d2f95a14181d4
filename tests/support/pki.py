"""A throw-away fleet for tests: a real CA, real server and device certificates.

Built from the same pairing code the product uses, plus the deliberately broken
certificates the refusal tests need (expired, other CA, self-signed, ...).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from common.paths import write_private_file
from pairing.ca import CertifiedKey, create_ca, issue_server_certificate, new_key, plain_key_pem
from pairing.certificates import (
    build_device_certificate,
    certificate_pem,
    new_pairing_id,
    read_device_certificate,
    utcnow,
)
from pairing.credentials import DeviceCredentials
from pairing.deviceid import DeviceId
from pairing.revocation import RevocationList, build_crl
from pairing.roles import Role


@dataclass
class TestFleet:
    """CA + server certificate written to ``folder`` the way `fleet init` lays them out."""

    __test__ = False  # a fixture, not a test class

    folder: Path
    ca: CertifiedKey = field(default_factory=create_ca)
    crl_number: int = 0
    revoked: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.server = issue_server_certificate(self.ca, "localhost")
        (self.folder / "ca.pem").write_bytes(certificate_pem(self.ca.certificate))
        (self.folder / "server.pem").write_bytes(certificate_pem(self.server.certificate))
        write_private_file(self.folder / "server-key.pem", plain_key_pem(self.server.key))
        self.revoke()  # an empty CRL, number 1, as `fleet init` writes

    @property
    def ca_path(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def crl_path(self) -> Path:
        return self.folder / "crl.pem"

    def pair(
        self,
        *,
        days: int = 30,
        pairing_id: str | None = None,
        now: dt.datetime | None = None,
        ca: CertifiedKey | None = None,
    ) -> tuple[DeviceCredentials, DeviceCredentials]:
        """Issue a student and a classroom certificate that name each other."""
        ca = ca or self.ca
        now = now or utcnow()
        pairing_id = pairing_id or new_pairing_id()
        s_key, c_key = new_key(), new_key()
        s_id = DeviceId.from_public_key(s_key.public_key())
        c_id = DeviceId.from_public_key(c_key.public_key())
        out = []
        for key, role, peer in ((s_key, Role.STUDENT, c_id), (c_key, Role.CLASSROOM, s_id)):
            cert = build_device_certificate(
                ca_key=ca.key,
                ca_cert=ca.certificate,
                public_key=key.public_key(),
                pairing_id=pairing_id,
                role=role,
                peer_id=peer,
                not_after=now + dt.timedelta(days=days),
                now=now,
            )
            out.append(DeviceCredentials(key, cert, ca.certificate, read_device_certificate(cert)))
        return out[0], out[1]

    def revoke(self, *serials: int) -> RevocationList:
        """Write a new, higher-numbered CRL that adds ``serials``."""
        self.revoked.update(serials)
        self.crl_number += 1
        crl = build_crl(
            ca_key=self.ca.key,
            ca_cert=self.ca.certificate,
            number=self.crl_number,
            serials=self.revoked,
        )
        write_private_file(self.crl_path, crl.pem)
        return crl


def self_signed_device(like: DeviceCredentials) -> DeviceCredentials:
    """Same fields as ``like`` but signed by its own key: must be refused."""
    key = new_key()
    info = like.info
    fake_ca = CertifiedKey(key, like.ca_certificate)
    cert = build_device_certificate(
        ca_key=key,
        ca_cert=fake_ca.certificate,
        public_key=key.public_key(),
        pairing_id=info.pairing_id,
        role=info.role,
        peer_id=info.peer_id,
        not_after=info.not_after,
    )
    return DeviceCredentials(key, cert, like.ca_certificate, read_device_certificate(cert))


def certificate_without_fields(ca: CertifiedKey) -> tuple[x509.Certificate, CertifiedKey]:
    """A clientAuth certificate from the fleet CA with no pairing/role/peer SANs."""
    key = new_key()
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "no-fields")]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return cert, CertifiedKey(key, cert)
