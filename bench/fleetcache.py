"""A fleet and N paired device certificates for the load benchmark, made once and cached.

Signing 10,000 certificates takes a while; the benchmark keeps them in
``~/.cache/klasgenoot-bench/fleet-N`` (a throwaway test fleet: plain keys, 0600)
and reuses them on the next run with the same N.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from common.paths import ensure_private_dir, write_private_file
from pairing.ca import create_ca, issue_server_certificate, new_key, plain_key_pem
from pairing.certificates import (
    build_device_certificate,
    certificate_pem,
    load_certificate,
    new_pairing_id,
    read_device_certificate,
    utcnow,
)
from pairing.credentials import DeviceCredentials
from pairing.deviceid import DeviceId
from pairing.revocation import build_crl
from pairing.roles import Role

CACHE = Path.home() / ".cache" / "klasgenoot-bench"
CA_KEY = "ca-key.pem"


def fleet(pairs: int) -> tuple[Path, list[tuple[DeviceCredentials, DeviceCredentials]]]:
    """The server's fleet folder and ``pairs`` (student, classroom) credentials."""
    folder = CACHE / f"fleet-{pairs}"
    devices = folder / "devices.jsonl"
    if not devices.is_file() or not (folder / CA_KEY).is_file():  # older caches had no CA key
        _make(folder, pairs)
    ca = load_certificate((folder / "server" / "ca.pem").read_bytes())
    out = []
    for line in devices.read_text().splitlines():
        pair = json.loads(line)
        out.append(tuple(_creds(d, ca) for d in pair))
    return folder / "server", out  # type: ignore[return-value]


def crl_with(fleet_dir: Path, revoked: int, number: int = 1) -> bytes:
    """A CRL (number 1: in place of the fleet's own) listing ``revoked`` certificates
    that are none of the devices': a fleet whose earlier pairings ended and have not
    expired yet (about 53 bytes of PEM each)."""
    ca_cert = load_certificate((fleet_dir / "ca.pem").read_bytes())
    ca_key = load_pem_private_key((fleet_dir.parent / CA_KEY).read_bytes(), None)
    serials = [x509.random_serial_number() for _ in range(revoked)]
    return build_crl(ca_key=ca_key, ca_cert=ca_cert, number=number, serials=serials).pem  # type: ignore[arg-type]


def _creds(device: dict[str, str], ca: object) -> DeviceCredentials:
    key = load_pem_private_key(device["key"].encode(), None)
    cert = load_certificate(device["cert"])
    return DeviceCredentials(key, cert, ca, read_device_certificate(cert))  # type: ignore[arg-type]


def _make(folder: Path, pairs: int) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    server = folder / "server"
    ensure_private_dir(folder)
    ensure_private_dir(server)
    ca = create_ca()
    srv = issue_server_certificate(ca, "localhost")
    (server / "ca.pem").write_bytes(certificate_pem(ca.certificate))
    (server / "server.pem").write_bytes(certificate_pem(srv.certificate))
    write_private_file(server / "server-key.pem", plain_key_pem(srv.key))
    crl = build_crl(ca_key=ca.key, ca_cert=ca.certificate, number=1, serials=set())
    write_private_file(server / "crl.pem", crl.pem)
    write_private_file(folder / CA_KEY, plain_key_pem(ca.key))  # for crl_with; not the server's
    now = utcnow()
    lines = []
    for _ in range(pairs):
        keys = new_key(), new_key()
        ids = [DeviceId.from_public_key(k.public_key()) for k in keys]
        pairing_id = new_pairing_id()
        pair = []
        for key, role, peer in ((keys[0], Role.STUDENT, ids[1]), (keys[1], Role.CLASSROOM, ids[0])):
            cert = build_device_certificate(
                ca_key=ca.key, ca_cert=ca.certificate, public_key=key.public_key(),
                pairing_id=pairing_id, role=role, peer_id=peer,
                not_after=now + dt.timedelta(days=365), now=now,
            )  # fmt: skip
            pair.append(
                {"key": plain_key_pem(key).decode(), "cert": certificate_pem(cert).decode()}
            )
        lines.append(json.dumps(pair))
    write_private_file(folder / "devices.jsonl", ("\n".join(lines) + "\n").encode())
