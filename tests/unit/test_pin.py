"""Technician PIN: scrypt hash, right and wrong PINs, lockout that survives a restart."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.settings import SettingsStore
from app.technician.pin import (
    LOCKOUT_SECONDS,
    MAX_TRIES,
    PinInvalid,
    PinMismatch,
    PinStore,
    hash_pin,
    matches,
)


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pins(tmp_path: Path, clock: FakeClock) -> PinStore:
    store = PinStore(SettingsStore(tmp_path), clock)
    store.set_pin("482916", "482916")
    return store


def test_hash_is_salted_scrypt_with_the_agreed_parameters() -> None:
    a, b = hash_pin("1234"), hash_pin("1234")
    assert (a.n, a.r, a.p, len(a.salt), len(a.digest)) == (2**14, 8, 1, 16, 32)
    assert a.salt != b.salt and a.digest != b.digest
    expected = hashlib.scrypt(b"1234", salt=a.salt, n=2**14, r=8, p=1, dklen=32)
    assert a.digest == expected
    assert matches(a, "1234") and not matches(a, "1235") and not matches(a, "12a4")


@pytest.mark.parametrize("pin", ["", "123", "1234567890123", "12a4", "12 34", "١٢٣٤"])
def test_only_4_to_12_ascii_digits(pin: str) -> None:
    with pytest.raises(PinInvalid):
        hash_pin(pin)


def test_the_two_pins_must_match(tmp_path: Path) -> None:
    store = PinStore(SettingsStore(tmp_path))
    with pytest.raises(PinMismatch):
        store.set_pin("1234", "1243")
    assert not store.is_set()
    store.set_pin("123456789012", "123456789012")
    assert store.is_set()


def test_the_pin_is_never_stored_in_clear(pins: PinStore, tmp_path: Path) -> None:
    assert b"482916" not in (tmp_path / "settings.json").read_bytes()


def test_right_pin(pins: PinStore) -> None:
    result = pins.check("482916")
    assert result.ok and result.locked_for == 0


def test_wrong_pin_counts_down(pins: PinStore) -> None:
    first = pins.check("000000")
    assert not first.ok and first.tries_left == MAX_TRIES - 1 and first.locked_for == 0
    assert pins.check("111111").tries_left == MAX_TRIES - 2
    assert pins.check("482916").ok  # a right PIN resets the count
    assert pins.tries_left() == MAX_TRIES


def lock(pins: PinStore) -> None:
    for _ in range(MAX_TRIES):
        result = pins.check("999999")
    assert not result.ok and result.locked_for == LOCKOUT_SECONDS


def test_lockout_after_five_wrong_tries(pins: PinStore, clock: FakeClock) -> None:
    lock(pins)
    locked = pins.check("482916")  # even the right PIN is not looked at
    assert not locked.ok and locked.locked_for == LOCKOUT_SECONDS
    clock.now += LOCKOUT_SECONDS - 1
    assert not pins.check("482916").ok
    assert pins.locked_for() == 1


def test_lockout_survives_a_restart(pins: PinStore, clock: FakeClock, tmp_path: Path) -> None:
    lock(pins)
    clock.now += 60
    restarted = PinStore(SettingsStore(tmp_path), clock)  # new process, same settings file
    assert restarted.locked_for() == LOCKOUT_SECONDS - 60
    assert not restarted.check("482916").ok


def test_unlocked_after_five_minutes(pins: PinStore, clock: FakeClock, tmp_path: Path) -> None:
    lock(pins)
    clock.now += LOCKOUT_SECONDS
    restarted = PinStore(SettingsStore(tmp_path), clock)
    assert restarted.locked_for() == 0
    assert restarted.tries_left() == MAX_TRIES
    wrong = restarted.check("123123")  # a fresh round of five, not one more try
    assert not wrong.ok and wrong.tries_left == MAX_TRIES - 1
    assert restarted.check("482916").ok


def test_clock_set_back_cannot_stretch_the_lockout(pins: PinStore, clock: FakeClock) -> None:
    lock(pins)
    clock.now -= 10 * 365 * 24 * 3600
    assert pins.locked_for() == LOCKOUT_SECONDS


def test_a_try_is_counted_before_the_answer(
    pins: PinStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopping the program during a check (here: the hash raising) still costs a try."""

    def crash(*_args: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr("app.technician.pin.matches", crash)
    with pytest.raises(KeyboardInterrupt):
        pins.check("000000")
    assert SettingsStore(tmp_path).load().pin_failures == 1


def test_no_pin_stored_never_opens(tmp_path: Path) -> None:
    store = PinStore(SettingsStore(tmp_path))
    assert not store.is_set()
    assert not store.check("1234").ok
