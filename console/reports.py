"""Fault reports from devices: received signed, listed per pairing, handled by staff.

A device posts ``{"report", "certificate", "signature"}`` (pairing/faultsend.py). The
console accepts it only from a certificate of this fleet that is valid and not on
the current CRL, with a valid signature, for a pairing it knows. The report is
technical JSON the technician saw before it was sent; the console stores it as it
came. States: new → in progress → solved, with who changed it last. Reports go 90
days after they came in, like the devices' connection logs.
"""

from __future__ import annotations

import base64
import enum
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from console.errors import ConsoleError, ReportRefused
from console.store import Store
from pairing import revocation
from pairing.certificates import load_certificate, verify_device_certificate
from pairing.errors import PairingError
from pairing.faultsend import DOMAIN, MAX_REPORT
from pairing.fleet import CA_CERT, CRL

# The report (64 KiB at most) with its certificate and signature, as the web layer reads it.
MAX_REPORT_ENVELOPE = 96 * 1024
PER_HOUR = 10  # reports per device per hour: a technician's button, not a stream


class ReportState(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in progress"
    SOLVED = "solved"


STATE_WORDS = {ReportState.NEW: "nieuw", ReportState.IN_PROGRESS: "in behandeling",
               ReportState.SOLVED: "opgelost"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    pairing: int
    device: str  # short DeviceId
    role: str
    received: float
    state: ReportState
    handled_by: str | None
    body: str


class ReportInbox:
    def __init__(self, store: Store, fleet: Path) -> None:
        self._store, self._fleet = store, fleet
        self._recent: defaultdict[str, list[float]] = defaultdict(list)

    def receive(self, raw: bytes) -> int:
        """Check and store a report; ReportRefused (nothing stored) otherwise."""
        try:
            doc = jsondoc.loads(raw, limit=MAX_REPORT_ENVELOPE)
            report, cert_pem, signature = (str(doc[k]) for k in ("report", "certificate",
                                                                 "signature"))  # fmt: skip
            body = report.encode()
            jsondoc.loads(body, limit=MAX_REPORT)  # an object, within the limit
            cert = load_certificate(cert_pem)
            ca = load_certificate((self._fleet / CA_CERT).read_bytes())
            crl = revocation.load_crl((self._fleet / CRL).read_bytes(), ca)
            info = verify_device_certificate(cert, ca, crl=crl)
            key = cert.public_key()
            assert isinstance(key, ec.EllipticCurvePublicKey)
            key.verify(base64.b64decode(signature), DOMAIN + body, ec.ECDSA(hashes.SHA256()))
        except (JsonDocInvalid, ValueError, KeyError, TypeError, OSError, AssertionError,
                InvalidSignature, PairingError) as exc:  # fmt: skip
            raise ReportRefused(type(exc).__name__) from exc
        row = self._store.conn.execute(
            "SELECT id, label FROM pairings WHERE fleet_pairing = ?", (info.pairing_id,)
        ).fetchone()
        if row is None:
            raise ReportRefused("pairing unknown to the console")
        now = time.monotonic()
        recent = [t for t in self._recent[info.device_id.short] if now - t < 3600]
        if len(recent) >= PER_HOUR:
            raise ReportRefused("too many")
        self._recent[info.device_id.short] = [*recent, now]
        cur = self._store.conn.execute(
            "INSERT INTO reports (pairing, device, role, received, state, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (row[0], info.device_id.short, info.role.value, self._store.clock(),
             ReportState.NEW.value, report),
        )  # fmt: skip
        self._store.audit("device", f"fault report {cur.lastrowid} from {info.device_id.short}",
                          row[1])  # fmt: skip
        assert cur.lastrowid is not None
        return cur.lastrowid


_COLUMNS = "SELECT id, pairing, device, role, received, state, handled_by, body FROM reports"


def _report(row: tuple[object, ...]) -> Report:
    rid, pairing, device, role, received, state, handled_by, body = row
    assert isinstance(rid, int) and isinstance(pairing, int) and isinstance(received, float)
    return Report(rid, pairing, str(device), str(role), received, ReportState(str(state)),
                  None if handled_by is None else str(handled_by), str(body))  # fmt: skip


def reports_of(store: Store, pairing: int) -> list[Report]:
    rows = store.conn.execute(f"{_COLUMNS} WHERE pairing = ? ORDER BY id DESC", (pairing,))
    return [_report(r) for r in rows]


def get_report(store: Store, rid: int) -> Report:
    row = store.conn.execute(f"{_COLUMNS} WHERE id = ?", (rid,)).fetchone()
    if row is None:
        raise ReportUnknown(str(rid))
    return _report(row)


def open_count(store: Store, pairing: int) -> int:
    row = store.conn.execute(
        "SELECT count(*) FROM reports WHERE pairing = ? AND state != ?",
        (pairing, ReportState.SOLVED.value),
    ).fetchone()
    return int(row[0])


def set_state(store: Store, rid: int, state: ReportState, actor: str, label: str) -> None:
    store.conn.execute(
        "UPDATE reports SET state = ?, handled_by = ? WHERE id = ?", (state.value, actor, rid)
    )
    store.audit(actor, f"fault report {rid}: {state.value}", label)


class ReportUnknown(ConsoleError):
    """Die storingsmelding bestaat niet (meer)."""
