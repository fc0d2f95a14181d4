"""TURN REST credentials and the daily pseudonym (signaling.turn, signaling.turnissuer)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from common.paths import write_private_file
from pairing.deviceid import DeviceId
from signaling.turn import TurnCredential, mint, pseudonym
from signaling.turnissuer import TurnIssuer

DEVICE = DeviceId(bytes(range(32)))
KEY = bytes(range(100, 132))
DAY = dt.date(2026, 12, 6)


def test_mint_matches_the_turn_rest_scheme_known_answer() -> None:
    # Expected value made with: printf '%s' 1700003600:pupil |
    #   openssl dgst -sha1 -hmac north-wind-secret -binary | base64
    cred = mint(b"north-wind-secret", "pupil", now=1_700_000_000.4, lifetime=3600)
    assert cred == TurnCredential("1700003600:pupil", "JG/9LuEMYLB/tJcEI1oppp4aT7g=", 1700003600.0)


def test_a_credential_never_shows_its_password_in_repr() -> None:
    cred = mint(b"north-wind-secret", "pupil", now=0, lifetime=60)
    assert cred.password not in repr(cred) and cred.username not in repr(cred)


@pytest.mark.parametrize("lifetime", [0, -1, 3600.5, 86400])
def test_mint_refuses_a_lifetime_over_an_hour(lifetime: float) -> None:
    with pytest.raises(ValueError):
        mint(b"s" * 16, "pupil", now=0, lifetime=lifetime)


def test_mint_refuses_a_pseudonym_with_a_colon() -> None:
    with pytest.raises(ValueError):
        mint(b"s" * 16, "a:b", now=0, lifetime=60)


def test_pseudonym_known_answer() -> None:
    # printf '2026-12-06\0' + bytes 0..31, HMAC-SHA256 under KEY (openssl dgst -mac HMAC),
    # first 10 bytes, base32.
    assert pseudonym(KEY, DEVICE, DAY) == "ebl5riwkb7nvhpyj"


def test_pseudonym_rotates_daily_and_differs_per_device_and_key() -> None:
    today = pseudonym(KEY, DEVICE, DAY)
    assert pseudonym(KEY, DEVICE, DAY) == today  # stable within the day
    assert pseudonym(KEY, DEVICE, DAY + dt.timedelta(days=1)) != today
    assert pseudonym(KEY, DeviceId(bytes(32)), DAY) != today
    assert pseudonym(bytes(32), DEVICE, DAY) != today


def test_pseudonym_is_not_the_device_id() -> None:
    name = pseudonym(KEY, DEVICE, DAY)
    for form in (DEVICE.text, DEVICE.short, DEVICE.text.replace("-", "")):
        assert name.lower() not in form.lower() and form.lower()[:7] not in name.lower()


def _issuer(
    tmp_path: Path, secret: bytes = b"ab" * 32, key: bytes = KEY.hex().encode()
) -> TurnIssuer:
    write_private_file(tmp_path / "turn-secret", secret + b"\n")
    write_private_file(tmp_path / "pseudonym-key", key + b"\n")
    return TurnIssuer(tmp_path / "turn-secret", tmp_path / "pseudonym-key", 600)


def test_issuer_mints_with_the_file_secret_and_the_utc_day(tmp_path: Path) -> None:
    issuer = _issuer(tmp_path)
    now = dt.datetime(2026, 12, 6, 23, 59, tzinfo=dt.UTC).timestamp()
    cred = issuer.credential(DEVICE, now)
    assert cred == mint(b"ab" * 32, pseudonym(KEY, DEVICE, DAY), now=now, lifetime=600)


def test_issuer_reads_a_rotated_secret(tmp_path: Path) -> None:
    issuer = _issuer(tmp_path)
    first = issuer.credential(DEVICE, 1000.0)
    write_private_file(tmp_path / "turn-secret", b"cd" * 32)
    os.utime(tmp_path / "turn-secret", ns=(1, 1))  # a new stamp even within one tick
    second = issuer.credential(DEVICE, 1000.0)
    assert first is not None and second is not None
    assert second.password != first.password
    assert second == mint(b"cd" * 32, first.username.split(":")[1], now=1000.0, lifetime=600)


@pytest.mark.parametrize(
    ("secret", "key"),
    [
        (b"short", KEY.hex().encode()),  # too short a secret
        (b"ab" * 32, b"not hex at all, nope"),
        (b"ab cd " * 10, KEY.hex().encode()),  # spaces: not what fleet turn writes
    ],
)
def test_issuer_fails_closed_on_unusable_files(tmp_path: Path, secret: bytes, key: bytes) -> None:
    assert _issuer(tmp_path, secret, key).credential(DEVICE, 1000.0) is None


def test_issuer_without_a_secret_mints_nothing_and_stops_when_it_is_removed(
    tmp_path: Path,
) -> None:
    issuer = TurnIssuer(tmp_path / "turn-secret", tmp_path / "pseudonym-key", 600)
    assert issuer.credential(DEVICE, 1000.0) is None
    issuer = _issuer(tmp_path)
    assert issuer.credential(DEVICE, 1000.0) is not None
    (tmp_path / "turn-secret").unlink()
    assert issuer.credential(DEVICE, 1000.0) is None
