"""Every reader of a JSON document goes through common.jsondoc: deep nesting, NaN and
Infinity get each reader's own clear error, never a traceback or a value of ``nan``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app import settings
from media import control
from media.features import schedule
from pairing import bundle, fleetsettings, issued
from pairing.errors import BundleInvalid, FleetSettingsInvalid
from signaling.backplane import wire

# (reader, the error it raises for a bad document, its size limit)
READERS: dict[str, tuple[Callable[[bytes], Any], type[Exception], int]] = {
    "settings.json": (settings.parse, settings.SettingsInvalid, settings.MAX_FILE),
    "school hours": (schedule.from_json, schedule.ScheduleInvalid, schedule.MAX_JSON),
    "control message": (control.decode_control, control.ControlInvalid, control.MAX_CONTROL_BYTES),
    "fleet.json": (fleetsettings.parse_settings, FleetSettingsInvalid, fleetsettings.MAX_SETTINGS),
    "issued.json": (issued.load_records, ValueError, issued.MAX_RECORDS),
    "bundle": (bundle.load_bundle, BundleInvalid, bundle.MAX_BUNDLE),
    "backplane message": (wire.decode, wire.BusMessageInvalid, wire.MAX_BUS_MESSAGE),
}


def _deep(limit: int) -> bytes:
    depth = min(limit // 2 - 16, 50_000)
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("name", READERS)
def test_deep_nesting_within_the_size_limit_is_a_clear_error(name: str) -> None:
    read, error, limit = READERS[name]
    data = _deep(limit)
    assert len(data) <= limit
    with pytest.raises(error):
        read(data)


@pytest.mark.parametrize("name", READERS)
@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_nan_and_infinity_are_refused(name: str, constant: bytes) -> None:
    read, error, _ = READERS[name]
    with pytest.raises(error):
        read(b'{"v": 1, "version": 1, "x": ' + constant + b"}")


@pytest.mark.parametrize("name", READERS)
def test_too_large_is_refused(name: str) -> None:
    read, error, limit = READERS[name]
    with pytest.raises(error):
        read(b'{"x": "' + b"a" * limit + b'"}')
