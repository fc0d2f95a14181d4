"""The fleet CA key at rest: scrypt + AES-GCM, the old PBKDF2 form migrated on unlock."""

from __future__ import annotations

import base64
import datetime as dt
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from pairing import cakey
from pairing.ca import MIN_PASSPHRASE, new_key
from pairing.enrollment import create_request
from pairing.errors import FleetCorrupt, PassphraseTooShort, PassphraseWrong
from pairing.fleet import PairingResult, init_fleet, pair, revoke
from pairing.roles import Role

PASS = "correct horse battery"


def header_cost(pem: bytes) -> cakey.KdfCost:
    body = base64.b64decode(b"".join(pem.splitlines()[1:-1]))
    assert body[:4] == b"KGK1"
    return cakey.KdfCost(body[4], body[5], body[6])


def legacy_pem(key: object, passphrase: str) -> bytes:
    """ca-key.pem as every fleet made before scrypt has it: PKCS#8, PBKDF2-2048."""
    return key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def pair_once(data: Path, out: Path) -> PairingResult:
    return pair(
        data,
        PASS,
        create_request(new_key(), Role.STUDENT),
        create_request(new_key(), Role.CLASSROOM),
        until=dt.date.today() + dt.timedelta(days=30),
        out_dir=out,
    )


def test_the_production_cost_is_scrypt_2_17_and_unlocks_in_well_under_a_second() -> None:
    assert cakey.KdfCost(log_n=17, r=8, p=1) == cakey.PRODUCTION
    key = new_key()
    pem = cakey.seal(key, PASS, cakey.PRODUCTION)
    assert header_cost(pem) == cakey.PRODUCTION
    started = time.perf_counter()
    unsealed = cakey.unseal(pem, PASS)
    took = time.perf_counter() - started
    assert unsealed.key.private_numbers() == key.private_numbers()
    assert took < 2.0  # ~0.35 s on the CI machine; generous for a loaded one


def test_a_fresh_process_seals_with_the_production_cost() -> None:
    # tests/conftest.py lowers COST in this process; the shipped value is this one.
    code = "from pairing import cakey; print(cakey.COST == cakey.PRODUCTION)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "True"


def test_a_wrong_passphrase_is_refused_in_both_forms() -> None:
    key = new_key()
    with pytest.raises(PassphraseWrong):
        cakey.unseal(cakey.seal(key, PASS), "not the passphrase")
    with pytest.raises(PassphraseWrong):
        cakey.unseal(legacy_pem(key, PASS), "not the passphrase")


def test_the_cost_in_the_header_cannot_be_lowered_without_the_passphrase_failing() -> None:
    pem = cakey.seal(new_key(), PASS)
    body = bytearray(base64.b64decode(b"".join(pem.splitlines()[1:-1])))
    body[4] += 1  # the header is GCM's associated data
    with pytest.raises(PassphraseWrong):
        cakey.unseal(cakey._armour(bytes(body)), PASS)


@pytest.mark.parametrize("log_n", [9, 40])
def test_a_header_asking_for_absurd_memory_is_refused_before_any_work(log_n: int) -> None:
    pem = cakey.seal(new_key(), PASS)
    body = bytearray(base64.b64decode(b"".join(pem.splitlines()[1:-1])))
    body[4] = log_n
    with pytest.raises(FleetCorrupt):
        cakey.unseal(cakey._armour(bytes(body)), PASS)


def test_init_needs_twelve_characters(tmp_path: Path) -> None:
    assert MIN_PASSPHRASE == 12
    with pytest.raises(PassphraseTooShort):
        init_fleet(tmp_path / "f", "eleven chrs")
    assert not (tmp_path / "f").exists()
    init_fleet(tmp_path / "g", "twelve chars")
    assert cakey.unseal((tmp_path / "g" / "ca-key.pem").read_bytes(), "twelve chars")


def test_a_pbkdf2_fleet_is_migrated_to_scrypt_in_place_on_its_next_change(
    tmp_path: Path,
) -> None:
    data = tmp_path / "fleet"
    init_fleet(data, PASS, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    original = cakey.unseal((data / "ca-key.pem").read_bytes(), PASS).key
    (data / "ca-key.pem").write_bytes(legacy_pem(original, PASS))  # as an old fleet has it
    result = pair_once(data, tmp_path / "out")
    migrated = (data / "ca-key.pem").read_bytes()
    assert migrated.startswith(b"-----BEGIN KLASGENOOT ENCRYPTED PRIVATE KEY-----")
    assert header_cost(migrated) == cakey.COST
    assert stat.S_IMODE((data / "ca-key.pem").stat().st_mode) == 0o600
    unsealed = cakey.unseal(migrated, PASS)
    assert unsealed.current
    assert unsealed.key.private_numbers() == original.private_numbers()  # the same CA
    assert not [p.name for p in data.iterdir() if p.name.endswith(".tmp")]
    revoke(data, PASS, result.pairing_id)  # and it keeps working from the new form
    assert (data / "ca-key.pem").read_bytes() == migrated  # already current: not rewritten


def test_a_key_sealed_more_cheaply_than_today_is_resealed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "fleet"
    init_fleet(data, PASS, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    monkeypatch.setattr(cakey, "COST", cakey.KdfCost(log_n=11, r=8, p=1))
    result = pair_once(data, tmp_path / "out")
    assert result.pairing_id
    assert header_cost((data / "ca-key.pem").read_bytes()) == cakey.KdfCost(11, 8, 1)


def test_a_wrong_passphrase_migrates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "fleet"
    init_fleet(data, PASS, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    result = pair_once(data, tmp_path / "out")
    key = cakey.unseal((data / "ca-key.pem").read_bytes(), PASS).key
    old = legacy_pem(key, PASS)
    (data / "ca-key.pem").write_bytes(old)
    with pytest.raises(PassphraseWrong):
        revoke(data, "not the passphrase", result.pairing_id)
    assert (data / "ca-key.pem").read_bytes() == old
