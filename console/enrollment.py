"""Enrollment by code, the console's side.

A device posts its code and its enrollment request (CSR). The two certificates of a
pairing must name each other, so nothing can be issued until both devices have
used their codes: the first device's code is *bound* to its DeviceId and it is told
to wait (HTTP 202); it asks again with the same code and request every few seconds.
When the second device's code arrives, both certificates are issued at once with the
fleet CA (pairing.fleet.issue_pair) and each device receives its own bundle.

Wrong codes are counted per address in memory only (never stored, never logged):
five within a quarter of an hour lock that address out for a quarter of an hour. A
typo caught by the check character does not count; it cannot be a guess.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from pathlib import Path

from console.errors import (
    EnrollmentCodeRejected,
    EnrollmentLocked,
    EnrollmentRequestRefused,
)
from console.registry import get_pairing
from console.store import Store
from pairing import enrollcode as codes
from pairing.enrollment import MAX_REQUEST_PEM, load_request
from pairing.errors import PairingError
from pairing.fleet import issue_pair
from pairing.roles import Role

logger = logging.getLogger(__name__)

MAX_WRONG = 5
WINDOW = 15 * 60.0
MAX_ADDRESSES = 10_000  # bound the in-memory table under a flood of addresses


class Enroller:
    def __init__(self, store: Store, fleet: Path, passphrase: str) -> None:
        self._store = store
        self._fleet = fleet
        self._passphrase = passphrase
        self._wrong: defaultdict[str, list[float]] = defaultdict(list)

    def _recent(self, address: str, now: float) -> list[float]:
        times = [t for t in self._wrong.get(address, []) if now - t < WINDOW]
        if times:
            self._wrong[address] = times
        else:
            self._wrong.pop(address, None)
        return times

    def _refuse(self, address: str, now: float) -> EnrollmentCodeRejected:
        if len(self._wrong) >= MAX_ADDRESSES and address not in self._wrong:
            self._wrong.clear()  # forgetting is safer than growing without bound
        self._wrong[address].append(now)
        logger.warning("enrollment refused: wrong, used, revoked or expired code")
        return EnrollmentCodeRejected()

    def role_of(self, address: str, code_text: str) -> Role:
        """The role an open code is for (a new device asks before it makes its
        request); counted like any other guess when the code is not open."""
        if len(self._recent(address, time.monotonic())) >= MAX_WRONG:
            raise EnrollmentLocked()
        code = codes.parse(code_text)
        row = self._store.conn.execute(
            "SELECT role FROM codes WHERE code_hash = ? AND used IS NULL AND revoked = 0 "
            "AND expires >= ?",
            (codes.code_hash(code), self._store.clock()),
        ).fetchone()
        if row is None:
            raise self._refuse(address, time.monotonic())
        return Role(row[0])

    def enroll(self, address: str, code_text: str, request_pem: bytes) -> bytes | None:
        """The device's bundle, or None while its peer has not used its code yet."""
        now = self._store.clock()
        if len(self._recent(address, time.monotonic())) >= MAX_WRONG:
            raise EnrollmentLocked()
        code = codes.parse(code_text)  # EnrollmentCodeMistyped: a typo, not a guess
        row = self._store.conn.execute(
            "SELECT pairing, role, expires, revoked, device_id, used, bundle FROM codes "
            "WHERE code_hash = ?",
            (codes.code_hash(code),),
        ).fetchone()
        if len(request_pem) > MAX_REQUEST_PEM:
            raise EnrollmentRequestRefused("too large")
        try:
            request = load_request(request_pem)
        except PairingError as exc:
            raise EnrollmentRequestRefused(exc.detail) from exc
        if row is None:
            raise self._refuse(address, time.monotonic())
        pairing, role, expires, revoked, device_id, used, bundle = row
        if used is None and (revoked or expires < now):
            raise self._refuse(address, time.monotonic())
        if used is not None and device_id != request.device_id.text:
            raise self._refuse(address, time.monotonic())  # someone else's code
        if request.role is not Role(role):
            raise EnrollmentRequestRefused(f"{request.role.value}, code for {role}")
        if bundle is not None:
            return bytes(bundle)
        label = get_pairing(self._store, pairing).label
        if used is None:
            self._store.conn.execute(
                "UPDATE codes SET device_id = ?, csr = ?, used = ? WHERE code_hash = ?",
                (request.device_id.text, request_pem, now, codes.code_hash(code)),
            )
            self._store.audit("device", f"code used ({role}) by {request.device_id.short}", label)
        return self._issue_if_complete(pairing, label, Role(role))

    def _issue_if_complete(self, pairing: int, label: str, role: Role) -> bytes | None:
        bound = dict(
            self._store.conn.execute(
                "SELECT role, csr FROM codes WHERE pairing = ? AND used IS NOT NULL",
                (pairing,),
            ).fetchall()
        )
        if set(bound) != {r.value for r in Role}:
            return None  # the peer has not used its code yet
        record = get_pairing(self._store, pairing)
        if record.consent_day is None or record.ended is not None:
            return None  # not activated before an operator recorded consent
        until = record.until
        issued = issue_pair(
            self._fleet,
            self._passphrase,
            bytes(bound[Role.STUDENT.value]),
            bytes(bound[Role.CLASSROOM.value]),
            until=until,
        )
        with self._store.conn:
            for r, bundle in zip((Role.STUDENT, Role.CLASSROOM), issued.bundles, strict=True):
                self._store.conn.execute(
                    "UPDATE codes SET bundle = ?, csr = NULL "
                    "WHERE pairing = ? AND role = ? AND used IS NOT NULL",
                    (bundle, pairing, r.value),
                )
            self._store.conn.execute(
                "UPDATE pairings SET fleet_pairing = ? WHERE id = ?", (issued.pairing_id, pairing)
            )
        self._store.audit("console", f"certificates issued ({issued.pairing_id})", label)
        return issued.bundles[list(Role).index(role)]
