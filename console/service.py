"""Consent and the end of a service.

- A pairing is activated (its certificates issued) only after an operator has
  recorded that written consent was received: a date and a reference to where the
  form is kept, never the form. Devices that used their codes before wait.
- Ending the service (or a recorded withdrawal of consent) revokes both devices at
  once through the fleet CA (a new CRL, which the signaling server pushes to
  connected devices), revokes open codes, and opens the collection window.
- When the window closes (six weeks), everything the console holds about the
  pairing is erased, with the server's log lines about its devices; only the audit
  entry that it was erased remains. An operator may erase at once.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from console.errors import ConsentInvalid, ServiceAlreadyEnded
from console.registry import Pairing, get_pairing, revoke_codes
from console.store import DAY, Store
from pairing.errors import AlreadyRevoked
from pairing.fleet import read_records, revoke
from privacy.applog import purge_lines
from privacy.files import state_dir

logger = logging.getLogger(__name__)

COLLECTION_DAYS = 42  # the privacy statement: destroyed within six weeks of collection
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 /._-]{0,39}")


@dataclass(frozen=True, slots=True)
class FleetAccess:
    """The fleet folder and the CA passphrase the console was started with (memory only)."""

    folder: Path
    passphrase: str = field(repr=False)


class ServiceEndReason(enum.StrEnum):
    """Why a pairing's service ended (not a call's end: that is privacy.codes.EndReason)."""

    ENDED = "ended"
    CONSENT_WITHDRAWN = "consent withdrawn"


def check_consent(day: dt.date, reference: str) -> str:
    """The reference, stripped; ConsentInvalid for a future date or a free text."""
    reference = reference.strip()
    if not _REFERENCE.fullmatch(reference) or day > dt.datetime.now(dt.UTC).date():
        raise ConsentInvalid()
    return reference


def record_consent(store: Store, pairing: int, day: dt.date, reference: str, actor: str) -> None:
    p = get_pairing(store, pairing)
    reference = check_consent(day, reference)
    if p.ended is not None:
        raise ServiceAlreadyEnded(p.label)
    store.conn.execute(
        "UPDATE pairings SET consent_day = ?, consent_ref = ? WHERE id = ?",
        (day.isoformat(), reference, pairing),
    )
    store.audit(actor, f"consent recorded ({day.isoformat()})", p.label)


def end_service(
    store: Store,
    fleet: Path,
    passphrase: str,
    pairing: int,
    *,
    reason: ServiceEndReason,
    actor: str,
) -> float:
    """Revoke both devices and open codes; returns when the pairing will be erased."""
    p = get_pairing(store, pairing)
    if p.ended is not None:
        raise ServiceAlreadyEnded(p.label)
    if p.fleet_pairing is not None:
        try:
            crl = revoke(fleet, passphrase, p.fleet_pairing)  # PassphraseWrong: nothing changed
            logger.info("service ended: CRL %d", crl.number)
        except AlreadyRevoked:
            pass  # revoked with `fleet revoke` already: what was asked for is true
    revoke_codes(store, pairing, actor)
    now = store.clock()
    erase_after = now + COLLECTION_DAYS * DAY
    store.conn.execute(
        "UPDATE pairings SET ended = ?, end_reason = ?, erase_after = ? WHERE id = ?",
        (now, reason.value, erase_after, pairing),
    )
    store.audit(actor, f"service ended ({reason.value}); devices revoked", p.label)
    return erase_after


def erase_pairing(store: Store, fleet: Path, p: Pairing, actor: str) -> None:
    """Everything about the pairing goes; one audit entry says that it did."""
    devices = [s.device_id for s in p.slots if s.device_id]
    with store.conn:
        store.conn.execute("BEGIN")
        store.conn.execute("DELETE FROM reports WHERE pairing = ?", (p.id,))
        store.conn.execute("DELETE FROM codes WHERE pairing = ?", (p.id,))
        store.conn.executemany("DELETE FROM seen WHERE device_id = ?", [(d,) for d in devices])
        store.conn.execute("DELETE FROM audit WHERE target = ?", (p.label,))
        store.conn.execute("DELETE FROM pairings WHERE id = ?", (p.id,))
    store.audit(actor, "pairing erased: everything the console held about it", p.label)
    needles = {d[:7] for d in devices}
    if p.fleet_pairing is not None:
        needles |= {p.fleet_pairing} | {
            r.device_id.short for r in read_records(fleet) if r.pairing_id == p.fleet_pairing
        }
    purge_lines(state_dir(fleet), needles)  # the signaling server's log about them


def erase_due(store: Store, fleet: Path) -> int:
    """Erase every pairing whose collection window has closed; returns how many."""
    rows = store.conn.execute(
        "SELECT id FROM pairings WHERE erase_after IS NOT NULL AND erase_after <= ?",
        (store.clock(),),
    ).fetchall()
    for (pid,) in rows:
        erase_pairing(store, fleet, get_pairing(store, pid), "console")
    return len(rows)
