"""The console's own state: one SQLite file in the fleet folder, ``console/console.db``.

It holds accounts (Argon2id hash, TOTP secret), sessions (hashed tokens), pairings by
pseudonymous label, enrollment codes (hashed), when each device was last seen online,
and the audit trail. No names of pupils, no addresses, no IP addresses: the console
never learns them. The folder is 0700 and the file 0600, like the rest of the fleet.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from common.paths import ensure_private_dir
from console.errors import ConsoleStoreFailed

FOLDER, DB_NAME = "console", "console.db"
AUDIT_DAYS = 396  # 13 months, as DESIGN.md keeps every audit trail
REPORT_DAYS = 90  # fault reports: as long as the devices' connection logs
DAY = 86400.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL,
    totp_secret TEXT NOT NULL, last_totp TEXT, failures INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL,
    created REAL NOT NULL, last_seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pairings (
    id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE, until TEXT NOT NULL,
    fleet_pairing TEXT, created REAL NOT NULL, created_by TEXT NOT NULL,
    consent_day TEXT, consent_ref TEXT, ended REAL, end_reason TEXT, erase_after REAL);
CREATE TABLE IF NOT EXISTS codes (
    code_hash TEXT PRIMARY KEY, pairing INTEGER NOT NULL REFERENCES pairings(id),
    role TEXT NOT NULL, issued REAL NOT NULL, expires REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0, device_id TEXT, csr BLOB, used REAL, bundle BLOB);
CREATE INDEX IF NOT EXISTS codes_by_pairing ON codes (pairing, role);
CREATE TABLE IF NOT EXISTS seen (device_id TEXT PRIMARY KEY, last_seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY, pairing INTEGER NOT NULL REFERENCES pairings(id),
    device TEXT NOT NULL, role TEXT NOT NULL, received REAL NOT NULL, state TEXT NOT NULL,
    handled_by TEXT, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS reports_by_pairing ON reports (pairing);
CREATE INDEX IF NOT EXISTS audit_by_target ON audit (target);
"""

Clock = Callable[[], float]


def db_path(fleet: Path) -> Path:
    return fleet / FOLDER / DB_NAME


class Store:
    """One connection, used from the console's one event loop thread."""

    def __init__(self, fleet: Path, clock: Clock = time.time) -> None:
        self.clock = clock
        path = db_path(fleet)
        try:
            ensure_private_dir(path.parent)
            # Created 0600 before SQLite opens it; SQLite keeps the mode.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(path, 0o600)
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA secure_delete = ON")  # erased rows leave no trace
            self.conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ConsoleStoreFailed(str(path)) from exc

    def close(self) -> None:
        self.conn.close()

    def audit(self, actor: str, action: str, target: str = "") -> None:
        """Who did what to which pairing or account, and when (never a code, never an IP)."""
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, target) VALUES (?, ?, ?, ?)",
            (self.clock(), actor, action, target),
        )

    def audit_rows(self, target: str | None = None, limit: int = 200) -> list[sqlite3.Row]:
        self.conn.row_factory = sqlite3.Row
        if target is None:
            sql, args = "SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)
        else:
            sql = "SELECT * FROM audit WHERE target = ? ORDER BY id DESC LIMIT ?"
            args = (target, limit)  # type: ignore[assignment]
        rows = list(self.conn.execute(sql, args))
        self.conn.row_factory = None
        return rows

    def purge(self, session_idle: float) -> None:
        """Retention: audit 13 months, idle sessions, expired unused codes after a day,
        fault reports 90 days (console/reports.py)."""
        now = self.clock()
        with self.conn:
            self.conn.execute("DELETE FROM audit WHERE at < ?", (now - AUDIT_DAYS * DAY,))
            self.conn.execute("DELETE FROM sessions WHERE last_seen < ?", (now - session_idle,))
            self.conn.execute("DELETE FROM codes WHERE used IS NULL AND expires < ?", (now - DAY,))
            self.conn.execute("DELETE FROM reports WHERE received < ?", (now - REPORT_DAYS * DAY,))
