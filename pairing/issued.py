"""The fleet's record of every certificate it issued (``issued.json``).

Revocation needs the serials behind a DeviceId or a pairing id; the certificates
themselves live only on the devices, so the fleet keeps this small public ledger.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from pairing.certificates import is_pairing_id
from pairing.deviceid import SHORT_LENGTH, DeviceId, normalise, parse_short
from pairing.errors import (
    DeviceIdInvalid,
    EndDateInvalid,
    RevokeTargetAmbiguous,
    RevokeTargetUnknown,
)
from pairing.roles import Role

VERSION = 1
MAX_RECORDS = 8 * 1024 * 1024  # ~250 bytes a certificate (pairing.fleet reads as much)
MAX_MONTHS = 13  # a school year and a bit: pairings are renewed, not kept forever


@dataclass(frozen=True, slots=True)
class IssuedRecord:
    serial: int
    device_id: DeviceId
    pairing_id: str
    role: Role
    not_after: dt.datetime
    issued_at: dt.datetime
    revoked: bool = False


def dump_records(records: Iterable[IssuedRecord]) -> bytes:
    rows = [
        {
            "serial": str(r.serial),  # a string: serials are 159-bit, beyond JSON's safe ints
            "device_id": r.device_id.text,
            "pairing_id": r.pairing_id,
            "role": r.role.value,
            "not_after": r.not_after.isoformat(),
            "issued_at": r.issued_at.isoformat(),
            "revoked": r.revoked,
        }
        for r in records
    ]
    return (json.dumps({"version": VERSION, "certificates": rows}, indent=2) + "\n").encode()


def _aware(text: Any) -> dt.datetime:
    when = dt.datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError("time without zone")
    return when


def _record(row: Any) -> IssuedRecord:
    record = IssuedRecord(
        serial=int(row["serial"]),
        device_id=DeviceId.parse(row["device_id"]),
        pairing_id=row["pairing_id"],
        role=Role(row["role"]),
        not_after=_aware(row["not_after"]),
        issued_at=_aware(row["issued_at"]),
        revoked=row["revoked"],
    )
    if not isinstance(record.pairing_id, str) or not is_pairing_id(record.pairing_id):
        raise ValueError("pairing id")
    if not isinstance(record.revoked, bool) or not isinstance(row["serial"], str):
        raise ValueError("record fields")
    return record


def load_records(data: bytes) -> tuple[IssuedRecord, ...]:
    """Parse ``issued.json``; ValueError on anything malformed."""
    try:
        doc = jsondoc.loads(data, limit=MAX_RECORDS)
        if doc.get("version") != VERSION:
            raise ValueError("version")
        rows = doc["certificates"]
        if not isinstance(rows, list):
            raise ValueError("certificates")
        return tuple(_record(row) for row in rows)
    except (KeyError, TypeError, JsonDocInvalid, DeviceIdInvalid) as exc:
        raise ValueError("malformed record") from exc


def stale_pairings(records: Iterable[IssuedRecord], devices: set[DeviceId]) -> set[str]:
    """Pairings that still hold a live certificate for one of ``devices``."""
    return {r.pairing_id for r in records if r.device_id in devices and not r.revoked}


def revoked_before(records: Iterable[IssuedRecord], device: DeviceId) -> list[str]:
    """Pairings of ``device`` that were revoked, when it has no live one left (a lost
    or stolen laptop enrolling again; a classroom unit being re-paired still has its
    live pairing and is not named)."""
    own = [r for r in records if r.device_id == device]
    if any(not r.revoked for r in own):
        return []
    return sorted({r.pairing_id for r in own})


def matcher(target: str, records: Iterable[IssuedRecord] = ()) -> Callable[[IssuedRecord], bool]:
    """Which records a revoke target names: a DeviceId (forgivingly), a ``pair-…`` id, or
    the short DeviceId that logs show, if it is that of exactly one device in ``records``."""
    text = target.strip()
    if text.lower().startswith("pair-"):
        pairing_id = text.lower()
        if not is_pairing_id(pairing_id):
            raise RevokeTargetUnknown(text[:80])
        return lambda r: r.pairing_id == pairing_id
    if len(normalise(text)) == SHORT_LENGTH:
        device = _by_short(parse_short(text), records)
    else:
        device = DeviceId.parse(text)
    return lambda r: r.device_id == device


def _by_short(short: str, records: Iterable[IssuedRecord]) -> DeviceId:
    found = {r.device_id for r in records if r.device_id.short == short}
    if not found:
        raise RevokeTargetUnknown(short)
    if len(found) > 1:  # 35 bits: possible in a big fleet, so never guess
        raise RevokeTargetAmbiguous(short)
    return found.pop()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def end_of_day(day: dt.date) -> dt.datetime:
    """Certificates expire at the end of the service end date, UTC."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def check_until(until: dt.date, now: dt.datetime) -> dt.datetime:
    """The expiry for ``until``: today up to 13 months ahead, EndDateInvalid otherwise."""
    today = now.astimezone(dt.UTC).date()
    if not today <= until <= add_months(today, MAX_MONTHS):
        raise EndDateInvalid(until.isoformat())
    return end_of_day(until)
