"""The device's settings file: round trip, atomic 0600 writes, damage → defaults."""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.settings import DeviceSettings, SettingsNotSaved, SettingsStore, dump
from app.technician.pin import hash_pin


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "device").load()
    assert settings == DeviceSettings()
    assert settings.language == "nl"


def test_round_trip_and_private_file(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "device")
    record = hash_pin("2468")
    wanted = DeviceSettings(language="en", camera="/dev/video2", microphone="mic-1",
                            speaker=None, pin=record, pin_failures=3,
                            pin_locked_until=1_700_000_000.5)  # fmt: skip
    store.save(wanted)
    assert store.load() == wanted
    if os.name == "posix":
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert not list(store.path.parent.glob(".*.tmp"))  # no half-written leftovers


def test_update_changes_only_the_given_fields(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.update(language="en")
    store.update(camera="cam-b")
    assert store.load() == DeviceSettings(language="en", camera="cam-b")


def _good_doc() -> dict[str, Any]:
    return json.loads(dump(DeviceSettings(language="en", pin=hash_pin("1234"))))


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: b"\x00\xffnot json at all",
        lambda d: b"{",
        lambda d: b"[]",
        lambda d: json.dumps({**d, "version": 99}).encode(),
        lambda d: json.dumps({**d, "language": "fr"}).encode(),
        lambda d: json.dumps({**d, "camera": 42}).encode(),
        lambda d: json.dumps({**d, "camera": "x" * 5000}).encode(),
        lambda d: json.dumps({**d, "pin_failures": -1}).encode(),
        lambda d: json.dumps({**d, "pin_failures": True}).encode(),
        lambda d: json.dumps({**d, "pin_locked_until": "soon"}).encode(),
        lambda d: json.dumps({**d, "pin": {"salt": "%%%", "digest": "", "n": 1}}).encode(),
        lambda d: json.dumps({**d, "pin": {**d["pin"], "n": 2**30}}).encode(),
        lambda d: json.dumps({**d, "pin": {**d["pin"], "n": 3000}}).encode(),
        lambda d: b" " * (70 * 1024),
    ],
)
def test_damaged_file_gives_defaults_and_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: Callable[[dict[str, Any]], bytes]
) -> None:
    store = SettingsStore(tmp_path)
    store.path.write_bytes(damage(_good_doc()))
    with caplog.at_level(logging.WARNING, logger="app.settings"):
        settings = store.load()
    assert settings == DeviceSettings()
    assert any("settings" in r.getMessage() for r in caplog.records)


def test_unwritable_folder_raises_a_person_facing_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = SettingsStore(blocker / "device")  # a folder inside a file: cannot exist
    with pytest.raises(SettingsNotSaved) as caught:
        store.save(DeviceSettings())
    assert "opgeslagen" in str(caught.value)


def test_settings_of_other_parts_are_kept(tmp_path: Path) -> None:
    """A key this module does not know (the log retention) survives every save."""
    store = SettingsStore(tmp_path)
    doc = json.loads(dump(DeviceSettings()))
    store.path.write_text(json.dumps({**doc, "log_retention_days": 30}))
    store.update(language="en")
    saved = json.loads(store.path.read_text())
    assert saved["log_retention_days"] == 30 and saved["language"] == "en"
    assert store.load().extra == {"log_retention_days": 30}
