"""``klasgenoot technician reset-pin``: the recovery path when the PIN record is damaged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli
from app.audit_key import audit_secret
from app.settings import SettingsStore
from app.technician.pin import MAX_TRIES, PinStore
from pairing.keystore import open_keystore
from privacy.audit import AuditTrail
from privacy.files import state_dir


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "device"
    path.mkdir()
    (path / "settings.json").write_bytes(b'{"version": 1, "pin": {"salt"')  # damaged
    return path


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the technician types at the two hidden prompts, in order."""
    answers: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    yield answers


def reset(folder: Path) -> int:
    return cli.main(["technician", "reset-pin", "--config", str(folder), "--dev-keyring"])


def audit(folder: Path) -> list[tuple[str, str | None, bool, str | None, str | None]]:
    secret = audit_secret(open_keystore(folder, dev=True), create=False)
    assert secret is not None
    trail = AuditTrail(state_dir(folder), secret)
    assert trail.verify().ok
    return [(r.action, r.setting, r.sensitive, r.old_value, r.new_value) for r in trail.records()]


def test_a_damaged_pin_record_is_replaced_from_the_command_line(
    folder: Path, typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    pins = PinStore(SettingsStore(folder))
    assert not pins.is_set()
    typed += ["482916", "482916"]
    assert reset(folder) == 0
    assert pins.check("482916").ok
    assert "pincode van de technicus is ingesteld" in capsys.readouterr().out
    assert audit(folder) == [("setting_changed", "technician_pin", True, None, None)]
    assert "482916" not in (folder / "settings.json").read_text()  # only its scrypt hash


def test_a_reset_also_lifts_a_lockout(folder: Path, typed: list[str]) -> None:
    pins = PinStore(SettingsStore(folder))
    pins.set_pin("1111", "1111")
    for _ in range(MAX_TRIES):
        pins.check("0000")
    assert pins.locked_for() > 0
    typed += ["2222", "2222"]
    assert reset(folder) == 0
    assert pins.locked_for() == 0 and pins.check("2222").ok


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("1234", "4321", "niet gelijk"),
        ("12a4", "12a4", "4 tot 12 cijfers"),
        ("123", "123", "4 tot 12 cijfers"),
    ],
)
def test_a_bad_pin_is_refused_in_dutch_and_changes_nothing(
    folder: Path,
    typed: list[str],
    capsys: pytest.CaptureFixture[str],
    first: str,
    second: str,
    message: str,
) -> None:
    before = (folder / "settings.json").read_bytes()
    typed += [first, second]
    assert reset(folder) == 1
    assert message in capsys.readouterr().err
    assert (folder / "settings.json").read_bytes() == before
    assert not state_dir(folder).exists() or not audit(folder)


def test_a_missing_folder_is_named_and_nothing_is_made(tmp_path: Path, typed: list[str]) -> None:
    assert reset(tmp_path / "nowhere") == 1
    assert not (tmp_path / "nowhere").exists()
    assert typed == []  # not even asked


def test_the_settings_keep_their_other_fields_when_readable(
    tmp_path: Path, typed: list[str]
) -> None:
    folder = tmp_path / "device"
    SettingsStore(folder).update(language="en")
    typed += ["5555", "5555"]
    assert reset(folder) == 0
    assert json.loads((folder / "settings.json").read_text())["language"] == "en"
