"""Console accounts: Argon2id passwords, a TOTP second factor, lockout, sessions.

A session token lives only in the person's cookie; the database holds its SHA-256,
so a copy of ``console.db`` logs nobody in. Logout deletes the row: a cookie stolen
before that is worth nothing afterwards. A session ends after ``idle`` seconds
without a request.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from console.errors import (
    LoginLocked,
    LoginRefused,
    PasswordTooShort,
    UserExists,
    UserNameInvalid,
    UserNotRemovable,
)
from console.store import Store

MIN_PASSWORD = 12
MAX_FAILURES = 5  # then the account is locked for LOCK_SECONDS
LOCK_SECONDS = 15 * 60
ISSUER = "Klasgenoot helpdesk"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
_HASHER = PasswordHasher()  # argon2-cffi's defaults are Argon2id (RFC 9106 low-memory)


class Role(enum.StrEnum):
    HELPDESK = "helpdesk"  # reads, issues enrollment codes
    OPERATOR = "operator"  # also revokes codes, ends services, manages accounts


@dataclass(frozen=True, slots=True)
class Session:
    user: str
    role: Role
    csrf: str


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise UserNameInvalid(name[:40] if isinstance(name, str) else "")
    return name


def add_user(store: Store, name: str, role: Role, password: str, actor: str = "cli") -> str:
    """Make an account; returns the ``otpauth://`` URI (shown once, for the app)."""
    check_name(name)
    if len(password) < MIN_PASSWORD:
        raise PasswordTooShort()
    if store.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise UserExists(name)
    secret = pyotp.random_base32()
    store.conn.execute(
        "INSERT INTO users (name, role, pw_hash, totp_secret, created) VALUES (?, ?, ?, ?, ?)",
        (name, role.value, _HASHER.hash(password), secret, store.clock()),
    )
    store.audit(actor, "user add", f"{name} ({role.value})")
    return str(pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER))


def _password_ok(pw_hash: str, password: str) -> bool:
    try:
        return bool(_HASHER.verify(pw_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _totp_ok(secret: str, code: str, last: str | None, now: float) -> str | None:
    """The time step the code belongs to, if valid and not used before (no replay)."""
    totp = pyotp.TOTP(secret)
    for drift in (0, -30, 30):
        at = int(now) + drift
        if hmac.compare_digest(totp.at(at), code.strip()):
            step = str(at // 30)
            return None if last is not None and int(step) <= int(last) else step
    return None


def login(store: Store, name: str, password: str, code: str) -> Session:
    """LoginRefused for any wrong part (which one is not said), LoginLocked after
    MAX_FAILURES; a locked account refuses even the right password."""
    now = store.clock()
    row = store.conn.execute(
        "SELECT role, pw_hash, totp_secret, last_totp, failures, locked_until "
        "FROM users WHERE name = ?",
        (name,),
    ).fetchone()
    if row is None:
        _HASHER.hash(password)  # the same time as for a real account
        store.audit(name[:32] or "-", "login refused")
        raise LoginRefused()
    role, pw_hash, secret, last, failures, locked_until = row
    if locked_until > now:
        store.audit(name, "login refused (locked)")
        raise LoginLocked()
    step = _totp_ok(secret, code, last, now) if _password_ok(pw_hash, password) else None
    if step is None:
        failures += 1
        lock = now + LOCK_SECONDS if failures >= MAX_FAILURES else 0
        store.conn.execute(
            "UPDATE users SET failures = ?, locked_until = ? WHERE name = ?",
            (0 if lock else failures, lock, name),
        )
        store.audit(name, "login refused")
        raise LoginLocked() if lock else LoginRefused()
    store.conn.execute(
        "UPDATE users SET failures = 0, locked_until = 0, last_totp = ? WHERE name = ?",
        (step, name),
    )
    store.audit(name, "login")
    return Session(name, Role(role), secrets.token_urlsafe(32))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(store: Store, session: Session) -> str:
    """A new session for a login; returns the cookie token."""
    token, now = secrets.token_urlsafe(32), store.clock()
    store.conn.execute(
        "INSERT INTO sessions (token_hash, user, csrf, created, last_seen) VALUES (?,?,?,?,?)",
        (_token_hash(token), session.user, session.csrf, now, now),
    )
    return token


def find_session(store: Store, token: str, idle: float) -> Session | None:
    """The live session for a cookie token, refreshed; None if unknown or idle too long."""
    now, key = store.clock(), _token_hash(token)
    row = store.conn.execute(
        "SELECT s.user, u.role, s.csrf, s.last_seen FROM sessions s "
        "JOIN users u ON u.name = s.user WHERE s.token_hash = ?",
        (key,),
    ).fetchone()
    if row is None:
        return None
    user, role, csrf, last_seen = row
    if now - last_seen > idle:
        store.conn.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))
        return None
    store.conn.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, key))
    return Session(user, Role(role), csrf)


def close_session(store: Store, token: str) -> None:
    store.conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def list_users(store: Store) -> list[tuple[str, str, bool]]:
    """Name, role and whether the account is locked right now."""
    now = store.clock()
    rows = store.conn.execute("SELECT name, role, locked_until FROM users ORDER BY name")
    return [(name, role, locked > now) for name, role, locked in rows]


def remove_user(store: Store, name: str, actor: str) -> None:
    """The account and its sessions go; an operator cannot remove their own."""
    if (
        name == actor
        or not store.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone()
    ):
        raise UserNotRemovable(name[:40])
    store.conn.execute("DELETE FROM sessions WHERE user = ?", (name,))
    store.conn.execute("DELETE FROM users WHERE name = ?", (name,))
    store.audit(actor, "user remove", name)
