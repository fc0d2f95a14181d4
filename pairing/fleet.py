"""The operator's fleet folder: CA, server certificate, CRL, settings and issue records.

Layout (all files 0600, folder 0700):

- ``ca-key.pem``   fleet CA key, EC P-256, encrypted with the operator's passphrase
                   (scrypt, pairing.cakey; an older or cheaper form is re-encrypted
                   in place the next time ``pair`` or ``revoke`` writes the fleet)
- ``ca.pem``       fleet CA certificate (devices show its fingerprint at install)
- ``server.pem``, ``server-key.pem``  the signaling server's TLS certificate and key
- ``crl.pem``      the current numbered, CA-signed CRL (``init`` writes number 1, empty)
- ``fleet.json``   settings copied into every bundle: server name, signaling URL, ICE
- ``issued.json``  a record of every certificate issued, so ``revoke`` finds serials

Every function checks all input and the passphrase before it writes anything, and
each file is replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from common.paths import ensure_private_dir, write_private_file
from pairing import cakey, revocation
from pairing.bundle import EXTENSION, Bundle, dump, signaling_hosts
from pairing.ca import (
    MIN_PASSPHRASE,
    CertifiedKey,
    create_ca,
    encrypt_key,
    issue_server_certificate,
    plain_key_pem,
)
from pairing.certificates import (
    build_device_certificate,
    certificate_pem,
    fingerprint,
    load_certificate,
    new_pairing_id,
    utcnow,
)
from pairing.deviceid import DeviceId
from pairing.enrollment import EnrollmentRequest, load_pair_requests
from pairing.errors import (
    AlreadyRevoked,
    CertificateInvalid,
    CrlTooLarge,
    FileAccessFailed,
    FleetAlreadyInitialised,
    FleetCorrupt,
    FleetFolderNotEmpty,
    FleetNotInitialised,
    FleetSettingsInvalid,
    PassphraseTooShort,
    RevocationListInvalid,
    RevokeTargetUnknown,
)
from pairing.fleetsettings import FleetSettings, check_settings, dump_settings, parse_settings
from pairing.issued import (
    MAX_RECORDS,
    IssuedRecord,
    check_until,
    dump_records,
    load_records,
    matcher,
    stale_pairings,
)
from pairing.revocation import RevocationList, build_crl

logger = logging.getLogger(__name__)

CA_KEY, CA_CERT, CRL = "ca-key.pem", "ca.pem", "crl.pem"
SERVER_CERT, SERVER_KEY = "server.pem", "server-key.pem"
SETTINGS, ISSUED = "fleet.json", "issued.json"
FLEET_FILES = (CA_KEY, CA_CERT, SERVER_CERT, SERVER_KEY, CRL, ISSUED, SETTINGS)
MAX_FILE = MAX_RECORDS  # issued.json is the largest
# How long after its certificate expired a revoked serial stays on the CRL: a device
# whose clock runs behind still sees it revoked (the server refuses it as expired).
KEEP_AFTER_EXPIRY = dt.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class PairingResult:
    pairing_id: str
    student_id: DeviceId
    classroom_id: DeviceId
    student_bundle: Path
    classroom_bundle: Path
    not_after: dt.datetime
    revoked: tuple[IssuedRecord, ...]  # certificates of old pairings, revoked by this one
    crl: RevocationList | None  # the new CRL if anything was revoked


@dataclass(frozen=True, slots=True)
class _Fleet:
    data: Path
    ca: CertifiedKey
    settings: FleetSettings
    records: tuple[IssuedRecord, ...]
    crl: RevocationList
    resealed_key: bytes | None  # ca-key.pem in today's form, when the file is older


def init_fleet(
    data: Path,
    passphrase: str,
    *,
    server_name: str = "localhost",
    signaling_url: str | Sequence[str] | None = None,
    ice_servers: Sequence[Mapping[str, Any]] = (),
    now: dt.datetime | None = None,
) -> FleetSettings:
    """Create a new fleet in ``data``; never touches an existing one."""
    settings = check_settings(server_name, signaling_url, ice_servers)
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseTooShort()
    if any((data / name).exists() for name in FLEET_FILES):
        raise FleetAlreadyInitialised(str(data))
    _check_empty(data)
    ca = create_ca(now=now)
    # One certificate for every instance the bundles name (an instance may be reached
    # by its own host name): each URL's host is one of its names.
    also = signaling_hosts(settings.signaling_urls)
    server = issue_server_certificate(ca, settings.server_name, now=now, also=also)
    crl = build_crl(ca_key=ca.key, ca_cert=ca.certificate, number=1, serials=(), now=now)
    files = {
        CA_KEY: encrypt_key(ca.key, passphrase),
        CA_CERT: certificate_pem(ca.certificate),
        SERVER_KEY: plain_key_pem(server.key),
        SERVER_CERT: certificate_pem(server.certificate),
        CRL: crl.pem,
        ISSUED: dump_records(()),
        SETTINGS: dump_settings(settings),  # last: its presence means "initialised"
    }
    try:
        ensure_private_dir(data)
        for name, content in files.items():
            write_private_file(data / name, content)
    except OSError as exc:
        raise FileAccessFailed(str(data)) from exc
    logger.info("fleet initialised for %s", settings.server_name)
    return settings


def _check_empty(data: Path) -> None:
    """A new fleet gets a folder of its own: never mixed into one that holds other files."""
    try:
        if data.exists() and (not data.is_dir() or any(data.iterdir())):
            raise FleetFolderNotEmpty(str(data))
    except OSError as exc:
        raise FileAccessFailed(str(data)) from exc


def _read(data: Path, name: str) -> bytes:
    try:
        with (data / name).open("rb") as fh:
            content = fh.read(MAX_FILE + 1)
    except FileNotFoundError as exc:
        raise FleetNotInitialised(f"{name} missing in {data}") from exc
    except OSError as exc:
        raise FileAccessFailed(str(data / name)) from exc
    if len(content) > MAX_FILE:
        raise FleetCorrupt(f"{name} too large")
    return content


def load_settings(data: Path) -> FleetSettings:
    try:
        return parse_settings(_read(data, SETTINGS))
    except FleetSettingsInvalid as exc:
        raise FleetCorrupt(SETTINGS) from exc


def ca_fingerprint(data: Path) -> str:
    """The fleet CA's SHA-256 fingerprint, as devices show it when installing a bundle
    (public data: no passphrase needed)."""
    try:
        return fingerprint(load_certificate(_read(data, CA_CERT)))
    except CertificateInvalid as exc:
        raise FleetCorrupt(exc.detail) from exc


def read_records(data: Path) -> tuple[IssuedRecord, ...]:
    """Every certificate this fleet issued (public data: no passphrase needed)."""
    try:
        return load_records(_read(data, ISSUED))
    except ValueError as exc:
        raise FleetCorrupt(ISSUED) from exc


def _open(data: Path, passphrase: str) -> _Fleet:
    """Everything in the folder, checked; PassphraseWrong before anything is written."""
    settings, records = load_settings(data), read_records(data)
    try:
        ca_cert = load_certificate(_read(data, CA_CERT))
        crl = revocation.load_crl(_read(data, CRL), ca_cert)
    except (CertificateInvalid, RevocationListInvalid) as exc:
        raise FleetCorrupt(exc.detail) from exc
    unsealed = cakey.unseal(_read(data, CA_KEY), passphrase)
    key = unsealed.key
    if key.public_key() != ca_cert.public_key():
        raise FleetCorrupt("ca-key.pem does not belong to ca.pem")
    resealed = None if unsealed.current else cakey.seal(key, passphrase)
    return _Fleet(data, CertifiedKey(key, ca_cert), settings, records, crl, resealed)


def load_ca(data: Path, passphrase: str) -> CertifiedKey:
    """The fleet CA key and certificate, checked (PassphraseWrong before anything else)."""
    return _open(data, passphrase).ca


def save_settings(data: Path, settings: FleetSettings) -> None:
    """Replace ``fleet.json`` (bundles made afterwards carry the new settings)."""
    try:
        write_private_file(data / SETTINGS, dump_settings(settings))
    except OSError as exc:
        raise FileAccessFailed(str(data)) from exc


def _bundle_path(out_dir: Path, request: EnrollmentRequest) -> Path:
    return out_dir / f"{request.role.value}-{request.device_id.short}{EXTENSION}"


def _prepare_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileAccessFailed(str(out_dir)) from exc
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise FileAccessFailed(str(out_dir))


def _issue(
    fleet: _Fleet, requests: Sequence[EnrollmentRequest], not_after: dt.datetime, now: dt.datetime
) -> tuple[list[Bundle], list[IssuedRecord]]:
    """Two certificates that name each other, with their bundles and records."""
    pairing_id = new_pairing_id()
    ca_pem = certificate_pem(fleet.ca.certificate)
    bundles, records = [], []
    for req, peer in zip(requests, reversed(requests), strict=True):
        cert = build_device_certificate(
            ca_key=fleet.ca.key,
            ca_cert=fleet.ca.certificate,
            public_key=req.public_key,
            pairing_id=pairing_id,
            role=req.role,
            peer_id=peer.device_id,
            not_after=not_after,
            now=now,
        )
        bundles.append(
            Bundle(
                certificate_pem=certificate_pem(cert),
                ca_certificate_pem=ca_pem,
                role=req.role,
                peer_device_id=peer.device_id,
                pairing_id=pairing_id,
                signaling_urls=fleet.settings.signaling_urls,
                ice_servers=fleet.settings.ice_servers,
            )
        )
        records.append(
            IssuedRecord(cert.serial_number, req.device_id, pairing_id, req.role, not_after, now)
        )
    return bundles, records


def _commit(
    fleet: _Fleet, records: Sequence[IssuedRecord], now: dt.datetime, new_crl: bool
) -> RevocationList | None:
    """Records first, then the CRL: a new CRL is always rebuilt from every revoked record."""
    crl = None
    if new_crl:
        crl = build_crl(
            ca_key=fleet.ca.key,
            ca_cert=fleet.ca.certificate,
            number=fleet.crl.number + 1,
            serials=_still_listed(fleet.crl.serials, records, now),
            now=now,
        )
        if len(crl.pem) > revocation.MAX_CRL_PEM:  # servers and devices would ignore it
            raise CrlTooLarge()
    try:
        if fleet.resealed_key is not None:  # the same key: safe to write first, atomically
            write_private_file(fleet.data / CA_KEY, fleet.resealed_key)
            logger.info("fleet CA key re-encrypted (scrypt)")
        write_private_file(fleet.data / ISSUED, dump_records(records))
        if crl is not None:
            write_private_file(fleet.data / CRL, crl.pem)
    except OSError as exc:
        raise FileAccessFailed(str(fleet.data)) from exc
    return crl


def _still_listed(
    listed: frozenset[int], records: Sequence[IssuedRecord], now: dt.datetime
) -> set[int]:
    """The serials a new CRL lists: every revoked certificate that has not long expired.

    An expired certificate is refused on its validity alone, by the server and by a
    device checking its peer, so its entry only makes the CRL longer: a fleet that
    revokes at the end of every service would pass MAX_CRL_PEM (about 9,800 entries)
    in a few years, and from then on every CRL would be ignored. A serial without a
    record (none is expected) stays.
    """
    expiry = {r.serial: r.not_after for r in records}
    revoked = listed | {r.serial for r in records if r.revoked}
    return {s for s in revoked if s not in expiry or now <= expiry[s] + KEEP_AFTER_EXPIRY}


def pair(
    data: Path,
    passphrase: str,
    student_request_pem: bytes,
    classroom_request_pem: bytes,
    *,
    until: dt.date,
    out_dir: Path,
    now: dt.datetime | None = None,
) -> PairingResult:
    """Issue two certificates that name each other and write both bundles.

    A device that is already in another live pairing (a replaced laptop with the
    same classroom unit) has that whole old pairing revoked.
    """
    now = now or utcnow()
    requests = load_pair_requests(student_request_pem, classroom_request_pem)
    not_after = check_until(until, now)
    fleet = _open(data, passphrase)
    _prepare_out_dir(out_dir)
    issued = _issue_and_commit(fleet, requests, not_after, now)
    paths = [_bundle_path(out_dir, req) for req in requests]
    try:
        for path, bundle in zip(paths, issued.bundles, strict=True):
            write_private_file(path, bundle)
    except OSError as exc:
        raise FileAccessFailed(str(out_dir)) from exc
    ids = [r.device_id for r in requests]
    return PairingResult(
        issued.pairing_id, ids[0], ids[1], paths[0], paths[1], not_after, issued.revoked,
        issued.crl,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class IssuedPair:
    """Both bundles of a new pairing, in memory (the console hands them out itself)."""

    pairing_id: str
    bundles: tuple[bytes, bytes]  # student, classroom
    not_after: dt.datetime
    revoked: tuple[IssuedRecord, ...]
    crl: RevocationList | None


def issue_pair(
    data: Path,
    passphrase: str,
    student_request_pem: bytes,
    classroom_request_pem: bytes,
    *,
    until: dt.date,
    now: dt.datetime | None = None,
) -> IssuedPair:
    """What :func:`pair` does, without writing the bundles to files."""
    now = now or utcnow()
    requests = load_pair_requests(student_request_pem, classroom_request_pem)
    not_after = check_until(until, now)
    return _issue_and_commit(_open(data, passphrase), requests, not_after, now)


def _issue_and_commit(
    fleet: _Fleet,
    requests: Sequence[EnrollmentRequest],
    not_after: dt.datetime,
    now: dt.datetime,
) -> IssuedPair:
    bundles, new = _issue(fleet, requests, not_after, now)
    stale = stale_pairings(fleet.records, {r.device_id for r in requests})
    old = [replace(r, revoked=True) if r.pairing_id in stale else r for r in fleet.records]
    crl = _commit(fleet, [*old, *new], now, new_crl=bool(stale))
    revoked = tuple(r for r in fleet.records if r.pairing_id in stale and not r.revoked)
    ids = [r.device_id for r in requests]
    logger.info("paired %s with %s, %d revoked", ids[0].short, ids[1].short, len(revoked))
    dumped = (dump(bundles[0]), dump(bundles[1]))
    return IssuedPair(new[0].pairing_id, dumped, not_after, revoked, crl)


def revoke(
    data: Path, passphrase: str, target: str, now: dt.datetime | None = None
) -> RevocationList:
    """Revoke every certificate of a device (DeviceId, or its short form if that is
    unambiguous) or a pairing (``pair-…``).

    The new CRL's number is one higher and it lists every serial revoked so far whose
    certificate has not expired more than KEEP_AFTER_EXPIRY ago.
    AlreadyRevoked, and nothing written, when there is nothing left to revoke.
    """
    matches = matcher(target, read_records(data))
    fleet = _open(data, passphrase)
    hits = [r for r in fleet.records if matches(r)]
    if not hits:
        raise RevokeTargetUnknown(target.strip()[:80])
    if all(r.revoked for r in hits):  # a new CRL would add nothing
        raise AlreadyRevoked(target.strip()[:80])
    records = [replace(r, revoked=True) if matches(r) else r for r in fleet.records]
    crl = _commit(fleet, records, now or utcnow(), new_crl=True)
    assert crl is not None
    logger.info("CRL %d: %d certificates revoked", crl.number, len(crl.serials))
    return crl
