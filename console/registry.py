"""Pairings by pseudonymous label and their enrollment codes.

A pairing is created with a label (``KG-0042``) and an end date; each role gets a
one-time code, valid 24 hours. A code becomes *bound* when a device uses it with its
enrollment request, and *enrolled* once both codes of the pairing are bound and the
console has issued the two certificates (they must name each other, so the first
device waits for the second: see console/enrollment.py).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from console.errors import LabelExists, LabelInvalid, PairingUnknown, RoleAlreadyEnrolled
from console.store import Store
from pairing import enrollcode as codes
from pairing.roles import Role

CODE_HOURS = 24
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{1,23}")


class CodeState(enum.StrEnum):
    OPEN = "open"  # issued, not yet used
    WAITING = "waiting"  # used by a device that waits for its peer
    ENROLLED = "enrolled"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Slot:
    """One role of a pairing: its latest code and the device that used it."""

    role: Role
    state: CodeState
    device_id: str | None  # full DeviceId text once a device used the code
    expires: float | None


@dataclass(frozen=True, slots=True)
class Pairing:
    id: int
    label: str
    until: dt.date
    fleet_pairing: str | None
    created_by: str
    slots: tuple[Slot, Slot]  # student, classroom
    consent_day: str | None = None  # consent: a date and a reference, never the form
    consent_ref: str | None = None
    ended: float | None = None
    end_reason: str | None = None
    erase_after: float | None = None

    @property
    def state(self) -> str:
        if self.ended is not None:
            return "ended"
        if self.consent_day is None:
            return "no consent"
        return "active" if self.fleet_pairing else "consent"


def check_label(label: str) -> str:
    if not isinstance(label, str) or not _LABEL.fullmatch(label.strip()):
        raise LabelInvalid()
    return label.strip().upper()


def create_pairing(
    store: Store, label: str, until: dt.date, actor: str
) -> tuple[int, dict[Role, str]]:
    """A new pairing and one code per role (shown once: only their hashes are kept)."""
    label = check_label(label)
    if store.conn.execute("SELECT 1 FROM pairings WHERE label = ?", (label,)).fetchone():
        raise LabelExists(label)
    cur = store.conn.execute(
        "INSERT INTO pairings (label, until, created, created_by) VALUES (?, ?, ?, ?)",
        (label, until.isoformat(), store.clock(), actor),
    )
    assert cur.lastrowid is not None
    store.audit(actor, "pairing create", label)
    return cur.lastrowid, {role: issue_code(store, cur.lastrowid, role, actor) for role in Role}


def issue_code(store: Store, pairing: int, role: Role, actor: str) -> str:
    """A new code for a role; an earlier unused code for it stops working."""
    row = get_pairing(store, pairing)
    if row.slots[list(Role).index(role)].state in (CodeState.WAITING, CodeState.ENROLLED):
        raise RoleAlreadyEnrolled(f"{row.label} {role.value}")
    code, now = codes.new_code(), store.clock()
    store.conn.execute(
        "UPDATE codes SET revoked = 1 WHERE pairing = ? AND role = ? AND used IS NULL",
        (pairing, role.value),
    )
    store.conn.execute(
        "INSERT INTO codes (code_hash, pairing, role, issued, expires) VALUES (?, ?, ?, ?, ?)",
        (codes.code_hash(code), pairing, role.value, now, now + CODE_HOURS * 3600),
    )
    store.audit(actor, f"code issue ({role.value})", row.label)
    return code


def revoke_codes(store: Store, pairing: int, actor: str) -> int:
    """Every unused code of a pairing stops working; returns how many."""
    row = get_pairing(store, pairing)
    cur = store.conn.execute(
        "UPDATE codes SET revoked = 1 WHERE pairing = ? AND used IS NULL AND revoked = 0",
        (pairing,),
    )
    store.audit(actor, "codes revoke", row.label)
    return cur.rowcount


def _slot(store: Store, pairing: int, role: Role) -> Slot:
    row = store.conn.execute(
        "SELECT revoked, expires, device_id, used, bundle IS NOT NULL FROM codes "
        "WHERE pairing = ? AND role = ? ORDER BY used IS NULL, issued DESC LIMIT 1",
        (pairing, role.value),
    ).fetchone()
    if row is None:
        return Slot(role, CodeState.NONE, None, None)
    revoked, expires, device_id, used, has_bundle = row
    if used is not None:
        state = CodeState.ENROLLED if has_bundle else CodeState.WAITING
    elif revoked:
        state = CodeState.REVOKED
    elif expires < store.clock():
        state = CodeState.EXPIRED
    else:
        state = CodeState.OPEN
    return Slot(role, state, device_id, expires)


def _pairing(store: Store, row: tuple[object, ...]) -> Pairing:
    pid, label, until, fleet_pairing, created_by, *service = row
    assert isinstance(pid, int)
    student, classroom = (_slot(store, pid, role) for role in (Role.STUDENT, Role.CLASSROOM))
    consent_day, consent_ref, ended, end_reason, erase_after = service
    return Pairing(
        pid, str(label), dt.date.fromisoformat(str(until)),
        None if fleet_pairing is None else str(fleet_pairing), str(created_by),
        (student, classroom),
        None if consent_day is None else str(consent_day),
        None if consent_ref is None else str(consent_ref),
        ended if isinstance(ended, float) else None,
        None if end_reason is None else str(end_reason),
        erase_after if isinstance(erase_after, float) else None,
    )  # fmt: skip


_COLUMNS = (
    "SELECT id, label, until, fleet_pairing, created_by, consent_day, consent_ref, ended, "
    "end_reason, erase_after FROM pairings"
)


def get_pairing(store: Store, pairing: int) -> Pairing:
    row = store.conn.execute(f"{_COLUMNS} WHERE id = ?", (pairing,)).fetchone()
    if row is None:
        raise PairingUnknown(str(pairing))
    return _pairing(store, row)


def list_pairings(store: Store, search: str = "") -> list[Pairing]:
    """Every pairing, by label; ``search`` matches a label part or a short DeviceId."""
    rows = store.conn.execute(f"{_COLUMNS} ORDER BY label").fetchall()
    found = [_pairing(store, row) for row in rows]
    needle = search.strip().upper()[:64]
    if not needle:
        return found
    return [
        p
        for p in found
        if needle in p.label
        or any(s.device_id and s.device_id.replace("-", "").startswith(needle) for s in p.slots)
    ]
