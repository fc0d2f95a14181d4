"""The audit trail: who changed what on this device, append-only and HMAC-chained.

Each record's MAC is HMAC-SHA256(secret, previous MAC + the record), with a secret
that lives in the key store (``audit-secret``), not next to the database: editing a
record and recomputing plain hashes is detected, and so is deleting one (ids are
consecutive and covered by the MAC). Purging after 13 months removes a verified
prefix and keeps a signed anchor (the last purged record's id and MAC, plus the
cutoff, under their own MAC), so the rest still verifies. Cutting records off the
*end* is not detectable from the file alone (docs/privacy.md says so).

Values of sensitive settings are never stored (``sensitive=True``); other values
are short technical texts, with any IP address replaced (privacy/logfilter.py).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from privacy.codes import ActorRole, AuditAction, coded
from privacy.errors import (
    AuditChainBroken,
    AuditUnavailable,
    AuditUnreadable,
    AuditValueInvalid,
    PrivacyError,
)
from privacy.files import database_path
from privacy.health import read_failure
from privacy.logfilter import redact
from privacy.retention import audit_cutoff
from privacy.schema import SchemaTooNew, connect

AUDIT_SECRET_NAME = "audit-secret"  # noqa: S105 (a name, not a secret): the key store entry app/ keeps the secret under
SECRET_BYTES = 32
MAX_VALUE = 64
_ZERO = bytes(32)
_RECORD_TAG = b"klasgenoot.audit.v1\x00"
_ANCHOR_TAG = b"klasgenoot.audit-anchor.v1\x00"
_COLUMNS = "id, at, actor, action, setting, sensitive, old_value, new_value, mac"


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: int  # ms since 1970, UTC
    actor: str
    action: str
    setting: str | None
    sensitive: bool
    old_value: str | None
    new_value: str | None
    mac: bytes

    def payload(self) -> bytes:
        body = [self.id, self.at, self.actor, self.action, self.setting, int(self.sensitive),
                self.old_value, self.new_value]  # fmt: skip
        return json.dumps(body, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True, slots=True)
class AuditVerdict:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""  # "anchor", "missing" or "changed"

    def raise_if_broken(self) -> None:
        if not self.ok:
            raise AuditChainBroken(f"record {self.broken_id}: {self.reason}")


def _mac(secret: bytes, prev: bytes, record: AuditRecord) -> bytes:
    return hmac.new(secret, _RECORD_TAG + prev + record.payload(), hashlib.sha256).digest()


def _anchor_mac(secret: bytes, last_id: int, last_mac: bytes, purged_before: int) -> bytes:
    body = json.dumps([last_id, purged_before]).encode()
    return hmac.new(secret, _ANCHOR_TAG + body + last_mac, hashlib.sha256).digest()


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) < 16:
        raise AuditValueInvalid("secret")


def value_text(value: object) -> str | None:
    """A setting value as it is stored: short technical text, addresses removed."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, str):
        text = redact(value)
    else:
        raise AuditValueInvalid(type(value).__name__)
    if len(text) > MAX_VALUE or not text.isprintable():
        raise AuditValueInvalid("value too long or not plain text")
    return text


def _row(row: tuple[Any, ...]) -> AuditRecord:
    i, at, actor, action, setting, sensitive, old, new, mac = row
    return AuditRecord(i, at, actor, action, setting, bool(sensitive), old, new, bytes(mac))


def _anchor(conn: sqlite3.Connection) -> tuple[int, bytes, int, bytes] | None:
    row = conn.execute("SELECT last_id, last_mac, purged_before, mac FROM audit_anchor").fetchone()
    return None if row is None else (int(row[0]), bytes(row[1]), int(row[2]), bytes(row[3]))


def append(
    conn: sqlite3.Connection,
    secret: bytes,
    *,
    at: float,
    actor: ActorRole | str,
    action: AuditAction | str,
    setting: str | None = None,
    old: object = None,
    new: object = None,
    sensitive: bool = False,
) -> int:
    """Append one record and return its id; raises AuditValueInvalid for bad input."""
    _check_secret(secret)
    who, what = coded(ActorRole, actor), coded(AuditAction, action)
    if who is None or what is None:
        raise AuditValueInvalid("actor or action")
    old_text = None if sensitive else value_text(old)
    new_text = None if sensitive else value_text(new)
    conn.execute("BEGIN IMMEDIATE")  # the chain head must not move under us
    try:
        last = conn.execute("SELECT id, mac FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        anchor = _anchor(conn)
        prev_id, prev = (int(last[0]), bytes(last[1])) if last else (anchor or (0, _ZERO))[:2]
        record = AuditRecord(prev_id + 1, int(at * 1000), who.value, what.value, setting,
                             bool(sensitive), old_text, new_text, b"")  # fmt: skip
        mac = _mac(secret, prev, record)
        conn.execute(
            f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (record.id, record.at, record.actor, record.action, setting, int(sensitive),
             old_text, new_text, mac),
        )  # fmt: skip
        conn.execute("COMMIT")
    except sqlite3.IntegrityError as exc:
        conn.execute("ROLLBACK")
        raise AuditValueInvalid("setting name") from exc
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return record.id


def read_records(conn: sqlite3.Connection) -> list[AuditRecord]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY id")  # noqa: S608 (constant)
    return [_row(r) for r in rows]


def verify_chain(conn: sqlite3.Connection, secret: bytes, upto: int | None = None) -> AuditVerdict:
    """Check the anchor and every record (up to id ``upto``); report the first break."""
    _check_secret(secret)
    anchor = _anchor(conn)
    prev_id, prev = 0, _ZERO
    if anchor is not None:
        last_id, last_mac, purged_before, mac = anchor
        if not hmac.compare_digest(mac, _anchor_mac(secret, last_id, last_mac, purged_before)):
            return AuditVerdict(False, 0, last_id, "anchor")
        prev_id, prev = last_id, last_mac
    checked = 0
    for record in read_records(conn):
        if upto is not None and record.id > upto:
            break
        if record.id > prev_id + 1:  # name the first one that is gone, not the next one left
            return AuditVerdict(False, checked, prev_id + 1, "missing")
        if record.id <= prev_id:  # behind the anchor: the anchor or the record was changed
            return AuditVerdict(False, checked, record.id, "changed")
        if not hmac.compare_digest(record.mac, _mac(secret, prev, record)):
            return AuditVerdict(False, checked, record.id, "changed")
        prev_id, prev, checked = record.id, record.mac, checked + 1
    return AuditVerdict(True, checked)


def purge_audit(conn: sqlite3.Connection, secret: bytes, cutoff: float) -> int:
    """Remove records older than ``cutoff`` (a prefix of the chain) behind a new anchor.

    The prefix is verified first: purging a tampered prefix would wipe the evidence,
    so then nothing is purged and AuditChainBroken is raised.
    """
    ms = int(cutoff * 1000)
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute(
            "SELECT id, mac FROM audit WHERE at < ? ORDER BY id DESC LIMIT 1", (ms,)
        ).fetchone()
        if row is None:
            conn.execute("COMMIT")
            return 0
        last_id, last_mac = int(row[0]), bytes(row[1])
        verify_chain(conn, secret, upto=last_id).raise_if_broken()
        guard = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_no_delete'"
        ).fetchone()
        conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        removed = conn.execute("DELETE FROM audit WHERE id <= ?", (last_id,)).rowcount
        if guard is not None:
            conn.execute(guard[0])
        anchor_mac = _anchor_mac(secret, last_id, last_mac, ms)
        conn.execute(
            "INSERT OR REPLACE INTO audit_anchor (id, last_id, last_mac, purged_before, mac) "
            "VALUES (1, ?, ?, ?, ?)",
            (last_id, last_mac, ms, anchor_mac),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return removed


def _failure(exc: BaseException, *, reading: bool) -> PrivacyError:
    return read_failure(exc, AuditUnreadable if reading else AuditUnavailable)


def trail_started(state: Path) -> bool:
    """Whether ``state`` holds an audit trail (records or a purge anchor).

    Creates nothing: no database means no trail. Raises LogDamaged or AuditUnreadable
    when it cannot tell, so that a caller never takes "unknown" for "empty".
    """
    db = database_path(state)
    if not db.exists():
        return False
    try:
        conn = connect(db)
    except (sqlite3.Error, OSError, SchemaTooNew) as exc:
        raise _failure(exc, reading=True) from exc
    try:
        row = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM audit) OR EXISTS (SELECT 1 FROM audit_anchor)"
        ).fetchone()
        return bool(row[0])
    except sqlite3.Error as exc:
        raise _failure(exc, reading=True) from exc
    finally:
        conn.close()


class AuditTrail:
    """The audit trail of one device's state folder, for the app and the CLI.

    A connection per call: audit records are rare (a technician's visit), and this
    way the trail is safe to use from any thread next to the engine's writer.
    """

    def __init__(self, state: Path, secret: bytes, *, clock: Callable[[], float] = time.time):
        _check_secret(secret)
        self._db, self._secret, self._clock = database_path(state), secret, clock

    def _connect(self, *, reading: bool = False) -> sqlite3.Connection:
        try:
            return connect(self._db)
        except (sqlite3.Error, OSError, SchemaTooNew) as exc:
            raise _failure(exc, reading=reading) from exc

    def record(
        self,
        actor: ActorRole | str,
        action: AuditAction | str,
        *,
        setting: str | None = None,
        old: object = None,
        new: object = None,
        sensitive: bool = False,
    ) -> int:
        conn = self._connect()
        try:
            return append(conn, self._secret, at=self._clock(), actor=actor, action=action,
                          setting=setting, old=old, new=new, sensitive=sensitive)  # fmt: skip
        except sqlite3.Error as exc:
            raise AuditUnavailable(type(exc).__name__) from exc
        finally:
            conn.close()

    def setting_changed(
        self, actor: ActorRole | str, setting: str, old: object, new: object, *,
        sensitive: bool = False,
    ) -> int:  # fmt: skip
        return self.record(actor, AuditAction.SETTING_CHANGED, setting=setting, old=old,
                           new=new, sensitive=sensitive)  # fmt: skip

    def records(self) -> list[AuditRecord]:
        conn = self._connect(reading=True)
        try:
            return read_records(conn)
        except sqlite3.Error as exc:
            raise _failure(exc, reading=True) from exc
        finally:
            conn.close()

    def verify(self) -> AuditVerdict:
        """Check the chain; a read-only check, so its faults say "cannot be read" or
        "damaged", never "cannot be updated"."""
        conn = self._connect(reading=True)
        try:
            return verify_chain(conn, self._secret)
        except sqlite3.Error as exc:
            raise _failure(exc, reading=True) from exc
        finally:
            conn.close()

    def purge(self, now: float | None = None) -> int:
        conn = self._connect()
        try:
            cutoff = audit_cutoff(self._clock() if now is None else now)
            return purge_audit(conn, self._secret, cutoff)
        except sqlite3.Error as exc:
            raise AuditUnavailable(type(exc).__name__) from exc
        finally:
            conn.close()
