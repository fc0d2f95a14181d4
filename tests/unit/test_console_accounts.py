"""Console accounts on a real SQLite file: Argon2id, TOTP, lockout, sessions."""

from __future__ import annotations

import stat
from pathlib import Path

import pyotp
import pytest

from console import accounts
from console.accounts import Role
from console.errors import (
    LoginLocked,
    LoginRefused,
    PasswordTooShort,
    UserExists,
    UserNameInvalid,
    UserNotRemovable,
)
from console.store import Store, db_path

PASSWORD = "a long enough password"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    return Store(tmp_path, clock)


def _secret(uri: str) -> str:
    return pyotp.parse_uri(uri).secret


def test_the_store_is_private_and_passwords_are_argon2id(store: Store, tmp_path: Path) -> None:
    accounts.add_user(store, "anna", Role.OPERATOR, PASSWORD)
    assert stat.S_IMODE(db_path(tmp_path).stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path(tmp_path).parent.stat().st_mode) == 0o700
    (pw_hash,) = store.conn.execute("SELECT pw_hash FROM users").fetchone()
    assert pw_hash.startswith("$argon2id$")
    assert PASSWORD not in pw_hash


def test_add_user_refuses_bad_input_and_changes_nothing(store: Store) -> None:
    with pytest.raises(UserNameInvalid):
        accounts.add_user(store, "Anna Jansen", Role.HELPDESK, PASSWORD)
    with pytest.raises(PasswordTooShort):
        accounts.add_user(store, "anna", Role.HELPDESK, "short")
    assert store.conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
    accounts.add_user(store, "anna", Role.HELPDESK, PASSWORD)
    with pytest.raises(UserExists):
        accounts.add_user(store, "anna", Role.OPERATOR, PASSWORD)
    assert store.conn.execute("SELECT role FROM users").fetchall() == [("helpdesk",)]


def test_login_needs_password_and_a_fresh_totp_code(store: Store, clock: Clock) -> None:
    totp = pyotp.TOTP(_secret(accounts.add_user(store, "anna", Role.HELPDESK, PASSWORD)))
    code = totp.at(clock.now)
    with pytest.raises(LoginRefused):
        accounts.login(store, "anna", "a wrong password here", code)
    with pytest.raises(LoginRefused):
        accounts.login(store, "anna", PASSWORD, "000000" if code != "000000" else "111111")
    with pytest.raises(LoginRefused):
        accounts.login(store, "nobody", PASSWORD, code)
    session = accounts.login(store, "anna", PASSWORD, code)
    assert (session.user, session.role) == ("anna", Role.HELPDESK)
    with pytest.raises(LoginRefused):  # the same code twice: a replay
        accounts.login(store, "anna", PASSWORD, code)
    clock.now += 30
    assert accounts.login(store, "anna", PASSWORD, totp.at(clock.now)).user == "anna"


def test_five_failures_lock_the_account_even_for_the_right_password(
    store: Store, clock: Clock
) -> None:
    totp = pyotp.TOTP(_secret(accounts.add_user(store, "anna", Role.HELPDESK, PASSWORD)))
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(LoginRefused):
            accounts.login(store, "anna", "a wrong password here", totp.at(clock.now))
    with pytest.raises(LoginLocked):
        accounts.login(store, "anna", "a wrong password here", totp.at(clock.now))
    with pytest.raises(LoginLocked):
        accounts.login(store, "anna", PASSWORD, totp.at(clock.now))
    clock.now += accounts.LOCK_SECONDS + 1
    assert accounts.login(store, "anna", PASSWORD, totp.at(clock.now)).user == "anna"


def test_sessions_end_on_logout_and_after_inactivity(store: Store, clock: Clock) -> None:
    totp = pyotp.TOTP(_secret(accounts.add_user(store, "anna", Role.OPERATOR, PASSWORD)))
    session = accounts.login(store, "anna", PASSWORD, totp.at(clock.now))
    token = accounts.open_session(store, session)
    stored = [row[0] for row in store.conn.execute("SELECT token_hash FROM sessions")]
    assert token not in stored  # a copy of the database logs nobody in
    assert accounts.find_session(store, token, idle=900) == session
    clock.now += 899
    assert accounts.find_session(store, token, idle=900) == session  # refreshed
    clock.now += 901
    assert accounts.find_session(store, token, idle=900) is None
    token = accounts.open_session(store, session)
    accounts.close_session(store, token)
    assert accounts.find_session(store, token, idle=900) is None


def test_an_operator_removes_an_account_and_its_sessions_but_not_their_own(
    store: Store, clock: Clock
) -> None:
    totp = pyotp.TOTP(_secret(accounts.add_user(store, "bert", Role.HELPDESK, PASSWORD)))
    accounts.add_user(store, "anna", Role.OPERATOR, PASSWORD, actor="anna")
    token = accounts.open_session(
        store, accounts.login(store, "bert", PASSWORD, totp.at(clock.now))
    )
    with pytest.raises(UserNotRemovable):
        accounts.remove_user(store, "anna", "anna")
    with pytest.raises(UserNotRemovable):
        accounts.remove_user(store, "nobody", "anna")
    accounts.remove_user(store, "bert", "anna")
    assert accounts.find_session(store, token, idle=900) is None
    assert accounts.list_users(store) == [("anna", "operator", False)]
