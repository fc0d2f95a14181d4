"""The technical fault report a technician sends to the helpdesk ("Storing melden").

Built from what the device already keeps, nothing else: app version, role, short
DeviceId, pairing id, certificate end date, where the key is kept (never the key),
the settings that matter for a fault (language, whether a camera/microphone/speaker
was chosen rather than the system default, log retention), and the last rows of the
connection log (sessions and events, as ``logs export`` writes them: enum codes, no
addresses, no free text).
Never media, never addresses, never anything the pupil typed. The technician sees
exactly this JSON before it is sent. (The device keeps no self-test or network-test
results after their screen closes, so none are included.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.retention_setting import retention
from app.settings import SettingsStore
from common.errors import KlasgenootError
from pairing.device import DeviceConfig
from pairing.keychoice import read_choice
from privacy.export import DeviceInfo, export_document
from privacy.files import state_dir
from signaling.server import version

SCHEMA = "klasgenoot.fault-report"
LAST_SESSIONS, LAST_EVENTS = 5, 30


def build_report(config_dir: Path, device: DeviceConfig) -> dict[str, Any]:
    info = device.info
    settings = SettingsStore(config_dir).load()
    keep = retention(config_dir)
    log = export_document(
        state_dir(config_dir),
        device=DeviceInfo(info.role.value, info.device_id.short),
        retention=keep,
    )
    return {
        "schema": SCHEMA,
        "version": 1,
        "app_version": version(),
        "device": {
            "role": info.role.value,
            "device": info.device_id.short,
            "pairing": info.pairing_id,
            "certificate_until": info.not_after.date().isoformat(),
            **_key_store(config_dir),
        },
        "settings": {
            "language": settings.language,
            "camera_chosen": settings.camera is not None,
            "microphone_chosen": settings.microphone is not None,
            "speaker_chosen": settings.speaker is not None,
            "log_retention_days": keep.connection_days,
            "ice_servers": len(device.ice_servers),
        },
        "last_sessions": log["sessions"][-LAST_SESSIONS:],
        "last_events": log["events"][-LAST_EVENTS:],
    }


def _key_store(config_dir: Path) -> dict[str, str | None]:
    """Where the key is kept (never the key): the recorded choice, if any."""
    try:
        choice = read_choice(config_dir)
    except KlasgenootError:
        return {"key_store": "damaged", "key_sealed_with": None}
    if choice is None:  # set up before the choice was recorded: the OS keyring or dev file
        return {"key_store": None, "key_sealed_with": None}
    return {"key_store": choice.kind.value, "key_sealed_with": choice.sealed_with}


def report_bytes(report: dict[str, Any]) -> bytes:
    return json.dumps(report, indent=2, ensure_ascii=False).encode()
