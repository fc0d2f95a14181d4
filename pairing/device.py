"""The device side of pairing: its config folder after enrollment.

Files (0600, folder 0700): ``certificate.pem`` (this device), ``ca.pem`` (the fleet
CA), ``device.json`` (role, pairing, pinned peer, signaling URL, ICE servers, expiry)
and ``crl.pem`` (the highest-numbered CRL seen). The device key is not here: it is
in the key store. ``enroll request`` writes a ``device.json`` holding only the role,
so a bundle for the other role is refused at install.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from common.paths import ensure_private_dir, write_private_file
from pairing import revocation
from pairing.bundle import (
    IceServer,
    check_ice_servers,
    check_signaling_urls,
    ice_servers_json,
    load_bundle,
    signaling_urls_json,
)
from pairing.certificates import (
    DeviceCertInfo,
    certificate_pem,
    fingerprint,
    load_certificate,
    read_device_certificate,
    utcnow,
    verify_device_certificate,
)
from pairing.credentials import DeviceCredentials
from pairing.deviceid import DeviceId
from pairing.errors import (
    BundleExpired,
    BundleWrongDevice,
    BundleWrongRole,
    CertificateInvalid,
    DeviceConfigInvalid,
    DeviceIdInvalid,
    DeviceKeyMissing,
    FileAccessFailed,
    NotEnrolled,
    RevocationListInvalid,
    RoleConflict,
)
from pairing.identity import device_id, load_device_key
from pairing.keystore import KeyStore
from pairing.revocation import RevocationList
from pairing.roles import Role

logger = logging.getLogger(__name__)

CERTIFICATE, CA_CERT, DEVICE_JSON, CRL = "certificate.pem", "ca.pem", "device.json", "crl.pem"
VERSION = 1
MAX_FILE = 512 * 1024


@dataclass(frozen=True, slots=True)
class InstalledDevice:
    """What a bundle makes of this device; shown to the technician before and after."""

    device_id: DeviceId
    role: Role
    pairing_id: str
    peer_device_id: DeviceId
    not_after: dt.datetime
    signaling_urls: tuple[str, ...]
    ca_fingerprint: str

    @property
    def signaling_url(self) -> str:
        return self.signaling_urls[0]


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    """An enrolled device, ready to call: credentials plus where to connect."""

    credentials: DeviceCredentials
    signaling_urls: tuple[str, ...]  # one per server instance; tried in turn
    ice_servers: tuple[IceServer, ...]
    ca_fingerprint: str

    @property
    def signaling_url(self) -> str:
        """The first signaling URL (what the technician is shown first)."""
        return self.signaling_urls[0]

    @property
    def role(self) -> Role:
        return self.credentials.info.role

    @property
    def info(self) -> DeviceCertInfo:
        return self.credentials.info


def _read(path: Path) -> bytes | None:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FileAccessFailed(str(path)) from exc
    if len(data) > MAX_FILE:
        raise DeviceConfigInvalid(f"{path.name} too large")
    return data


def _device_json(config_dir: Path) -> dict[str, Any] | None:
    raw = _read(config_dir / DEVICE_JSON)
    if raw is None:
        return None
    try:
        doc = jsondoc.loads(raw, limit=MAX_FILE)
        if doc.get("version") != VERSION:
            raise ValueError("version")
        Role(doc["role"])
    except (ValueError, JsonDocInvalid, KeyError) as exc:
        raise DeviceConfigInvalid(DEVICE_JSON) from exc
    return doc


def _write(config_dir: Path, files: dict[str, bytes]) -> None:
    try:
        ensure_private_dir(config_dir)
        for name, data in files.items():
            write_private_file(config_dir / name, data)
    except OSError as exc:
        raise FileAccessFailed(str(config_dir)) from exc


def recorded_role(config_dir: Path) -> Role | None:
    """The role this device was set up for, if any."""
    doc = _device_json(config_dir)
    return None if doc is None else Role(doc["role"])


def record_role(config_dir: Path, role: Role) -> None:
    """Remember the role an enrollment request was made for.

    An enrolled device keeps its role: turning a classroom unit into a pupil's laptop
    is a wipe and a new setup, not a side effect of a request.
    """
    doc = _device_json(config_dir)
    if doc is not None and "pairing_id" in doc:
        if doc["role"] != role.value:
            raise RoleConflict(doc["role"])
        return
    body = {"version": VERSION, "role": role.value}
    _write(config_dir, {DEVICE_JSON: (json.dumps(body, indent=2) + "\n").encode()})


def _own_key(store: KeyStore) -> ec.EllipticCurvePrivateKey:
    key = load_device_key(store)
    if key is None:
        raise DeviceKeyMissing()
    return key


def inspect_bundle(
    config_dir: Path,
    store: KeyStore,
    bundle_bytes: bytes,
    expected_role: Role | None = None,
    now: dt.datetime | None = None,
) -> InstalledDevice:
    """Every check :func:`install_bundle` makes, without writing anything."""
    now = now or utcnow()
    bundle = load_bundle(bundle_bytes)
    cert, ca = bundle.certificate, bundle.ca_certificate
    info = read_device_certificate(cert)
    if info.device_id != device_id(_own_key(store)):
        raise BundleWrongDevice(f"for {info.device_id.short}")
    expected = expected_role or recorded_role(config_dir)
    if expected is not None and info.role is not expected:
        raise BundleWrongRole(f"{info.role.value}, expected {expected.value}")
    if not info.not_before <= now <= info.not_after:
        raise BundleExpired(f"valid {info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d}")
    verify_device_certificate(cert, ca, now=now)
    return InstalledDevice(
        device_id=info.device_id,
        role=info.role,
        pairing_id=info.pairing_id,
        peer_device_id=info.peer_id,
        not_after=info.not_after,
        signaling_urls=bundle.signaling_urls,
        ca_fingerprint=fingerprint(ca),
    )


def install_bundle(
    config_dir: Path,
    store: KeyStore,
    bundle_bytes: bytes,
    expected_role: Role | None = None,
    now: dt.datetime | None = None,
) -> InstalledDevice:
    """Check a bundle against this device and install it; nothing is written on refusal."""
    installed = inspect_bundle(config_dir, store, bundle_bytes, expected_role, now)
    bundle = load_bundle(bundle_bytes)
    body = {
        "version": VERSION,
        "role": installed.role.value,
        "pairing_id": installed.pairing_id,
        "peer_device_id": installed.peer_device_id.text,
        "signaling_url": signaling_urls_json(bundle.signaling_urls),
        "ice_servers": ice_servers_json(bundle.ice_servers),
        "not_after": installed.not_after.isoformat(),
    }
    keeps_crl = _crl_fits(config_dir, bundle.ca_certificate)
    _write(
        config_dir,
        {
            CERTIFICATE: certificate_pem(bundle.certificate),
            CA_CERT: certificate_pem(bundle.ca_certificate),
            DEVICE_JSON: (json.dumps(body, indent=2) + "\n").encode(),
        },
    )
    if not keeps_crl:  # a CRL of another fleet CA means nothing for the new pairing
        (config_dir / CRL).unlink(missing_ok=True)
    logger.info("installed pairing for %s (%s)", installed.device_id.short, installed.role.value)
    return installed


def _crl_fits(config_dir: Path, ca: x509.Certificate) -> bool:
    raw = _read(config_dir / CRL)
    try:
        return raw is not None and revocation.load_crl(raw, ca) is not None
    except RevocationListInvalid:
        return False


def _certificates(config_dir: Path) -> tuple[x509.Certificate, x509.Certificate]:
    cert_pem, ca_pem = _read(config_dir / CERTIFICATE), _read(config_dir / CA_CERT)
    if cert_pem is None or ca_pem is None:
        raise NotEnrolled("certificate missing")
    try:
        cert, ca = load_certificate(cert_pem), load_certificate(ca_pem)
        cert.verify_directly_issued_by(ca)
    except (CertificateInvalid, ValueError, TypeError, InvalidSignature) as exc:
        raise DeviceConfigInvalid("certificates") from exc
    return cert, ca


def load_device(config_dir: Path, store: KeyStore) -> DeviceConfig:
    """This device's credentials and settings; NotEnrolled before a bundle is installed.

    The certificate's validity period is not checked here (a technician must still
    be able to look at an expired device); the server and the peer check it.
    """
    doc = _device_json(config_dir)
    if doc is None or "pairing_id" not in doc:
        raise NotEnrolled()
    key = _own_key(store)
    cert, ca = _certificates(config_dir)
    try:
        info = read_device_certificate(cert)
        urls = check_signaling_urls(doc["signaling_url"])
        ice = check_ice_servers(doc["ice_servers"])
        pinned = DeviceId.parse(doc["peer_device_id"])
    except (CertificateInvalid, DeviceIdInvalid, ValueError, KeyError) as exc:
        raise DeviceConfigInvalid(DEVICE_JSON) from exc
    if info.device_id != device_id(key):
        raise DeviceConfigInvalid("certificate does not belong to the device key")
    if (info.role.value, info.pairing_id, info.peer_id) != (doc["role"], doc["pairing_id"], pinned):
        raise DeviceConfigInvalid("device.json disagrees with the certificate")
    return DeviceConfig(
        credentials=DeviceCredentials(key, cert, ca, info),
        signaling_urls=urls,
        ice_servers=ice,
        ca_fingerprint=fingerprint(ca),
    )


def load_crl(config_dir: Path) -> RevocationList | None:
    """The highest-numbered CRL this device has kept, or None.

    A damaged file is ignored with a warning rather than stopping calls: the server
    checks both certificates against its own CRL and pushes it again on connect.
    """
    raw, ca_pem = _read(config_dir / CRL), _read(config_dir / CA_CERT)
    if raw is None or ca_pem is None:
        return None
    try:
        return revocation.load_crl(raw, load_certificate(ca_pem))
    except (RevocationListInvalid, CertificateInvalid) as exc:
        logger.warning("ignoring the stored CRL: %s", exc.detail)
        return None


def store_crl(config_dir: Path, crl: RevocationList) -> bool:
    """Keep ``crl`` if it is newer than the one kept; True if it was stored.

    It is checked against this device's fleet CA first, whoever handed it over.
    """
    ca_pem = _read(config_dir / CA_CERT)
    if ca_pem is None:
        raise NotEnrolled("no CA certificate")
    checked = revocation.load_crl(crl.pem, load_certificate(ca_pem))
    if not revocation.newer(load_crl(config_dir), checked):
        return False
    _write(config_dir, {CRL: checked.pem})
    logger.info("stored CRL %d (%d revoked)", checked.number, len(checked.serials))
    return True
