"""The real ``klasgenoot logs …`` and ``klasgenoot wipe`` on an enrolled device folder.

Run as subprocesses of the installed console script, as a technician would, with
the developer key store; the device folders are made by the demo's workspace code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.demo.workspace import prepare
from pairing.device import load_device
from pairing.errors import NotEnrolled
from pairing.identity import DEVICE_KEY
from pairing.keystore import DEV_FILE, open_keystore
from pairing.roles import Role
from privacy.audit import AUDIT_SECRET_NAME
from privacy.codes import EventKind
from privacy.files import state_dir
from privacy.store import ConnectionLog

KLASGENOOT = shutil.which("klasgenoot", path=str(Path(sys.executable).parent)) or "klasgenoot"
IP = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d])")
BYTES_OUT = 987_654_321


@dataclass
class Device:
    folder: Path
    short: str
    peer_short: str
    other: Path  # the paired classroom device's folder

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KLASGENOOT_")}
        env["KLASGENOOT_DEV_KEYRING"] = "1"
        return subprocess.run(
            [KLASGENOOT, *args, "--config", str(self.folder)], env=env, input=stdin,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    def ok(self, *args: str, stdin: str = "") -> str:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, f"{args}: {done.stderr}"
        return done.stdout

    def export(self) -> dict[str, object]:
        doc = json.loads(self.ok("logs", "export"))
        assert isinstance(doc, dict)
        return doc


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace, _ = prepare(tmp_path_factory.mktemp("cli-logs") / "demo")
    return workspace.root


@pytest.fixture
def device(template: Path, tmp_path: Path) -> Device:
    root = tmp_path / "demo"
    shutil.copytree(template, root)  # the dev key store is namespaced by the folder: re-key
    folder, other = root / Role.STUDENT.value, root / Role.CLASSROOM.value
    for path in (folder, other):
        old = open_keystore(template / path.name, dev=True)
        new = open_keystore(path, dev=True)
        new.set(DEVICE_KEY, old.get(DEVICE_KEY) or b"")
    me = load_device(folder, open_keystore(folder, dev=True))
    log = ConnectionLog.open(state_dir(folder))
    sid = log.session_started(role="student", peer_short=me.info.peer_id.short)
    log.event(sid, EventKind.ICE_STATE, "checking")
    log.session_connected(sid, setup_ms=512, candidate_type="host")
    log.session_stats(sid, {"bitrate_out_kbps": 1200.0, "rtt_ms": 3.0, "fps_in": 30.0})
    log.session_ended(sid, reason="hangup_local", reconnects=0, freezes=0,
                      bytes_out=BYTES_OUT, bytes_in=123_456)  # fmt: skip
    log.close()
    return Device(folder, me.info.device_id.short, me.info.peer_id.short, other)


def test_export_prints_the_technical_record_and_nothing_personal(device: Device) -> None:
    doc = device.export()
    assert (doc["schema"], doc["version"]) == ("klasgenoot.connection-log", 1)
    assert doc["device"] == {"role": "student", "device": device.short}
    sessions = doc["sessions"]
    assert isinstance(sessions, list) and len(sessions) == 1
    session = sessions[0]
    assert (session["peer_short"], session["bytes_out"], session["setup_ms"]) == (
        device.peer_short, BYTES_OUT, 512)  # fmt: skip
    text = json.dumps(doc)
    assert not IP.search(text)
    full_ids = re.findall(r"[A-Z2-7]{7}-[A-Z2-7]{7}", text)
    assert full_ids == []  # only short DeviceIds, never the full one
    assert "pairing" not in text and "signaling_url" not in text


def test_export_to_a_file_is_private_and_audited(device: Device, tmp_path: Path) -> None:
    out = tmp_path / "usb" / "klasgenoot-export.json"
    out.parent.mkdir()
    done = device.run("logs", "export", "--out", str(out))
    assert done.returncode == 0 and done.stdout == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())["sessions"][0]["bytes_out"] == BYTES_OUT
    audit = device.export()["audit"]
    assert isinstance(audit, list)
    assert [(a["actor"], a["action"]) for a in audit][:1] == [("technician", "logs_exported")]


def test_show_and_fields(device: Device) -> None:
    shown = device.ok("logs", "show")
    assert f"student {device.short}" in shown and "Verbindingen: 1" in shown
    assert "hangup_local" in shown and "ice_state checking" in shown
    fields = device.ok("logs", "show", "--fields")
    assert "Wat dit apparaat bewaart" in fields and "peer_short" in fields


def test_verify_finds_the_first_broken_record(device: Device) -> None:
    device.ok("logs", "export")
    device.ok("logs", "export")
    assert device.ok("logs", "verify").strip() == "ok (2 records)"
    conn = sqlite3.connect(state_dir(device.folder) / "connections.sqlite3")
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET actor = 'teacher' WHERE id = 1")
    conn.commit()
    conn.close()
    done = device.run("logs", "verify")
    assert done.returncode == 1
    assert "record 1" in done.stderr and "auditlogboek" in done.stderr


def test_verify_without_any_audit_is_ok(device: Device) -> None:
    assert device.ok("logs", "verify").strip() == "ok (0 records)"


def test_erase_asks_then_erases_and_is_audited(device: Device) -> None:
    done = device.run("logs", "erase", stdin="nee\n")
    assert done.returncode == 1
    assert len(device.export()["sessions"]) == 1  # type: ignore[arg-type]
    out = device.ok("logs", "erase", stdin="ja\n")
    assert "1 verbindingen" in out
    doc = device.export()
    assert doc["sessions"] == [] and doc["events"] == []
    actions = [a["action"] for a in doc["audit"]]  # type: ignore[union-attr, index]
    assert actions == ["logs_exported", "logs_erased"]  # each export is audited after it
    db = (state_dir(device.folder) / "connections.sqlite3").read_bytes()
    assert BYTES_OUT.to_bytes(4, "big") not in db and device.peer_short.encode() not in db
    assert device.ok("logs", "verify").startswith("ok")


def test_wipe_needs_confirmation(device: Device) -> None:
    assert device.run("wipe").returncode == 1  # no answer: nothing happens
    assert device.run("wipe", stdin="nee\n").returncode == 1
    load_device(device.folder, open_keystore(device.folder, dev=True))  # still enrolled


def test_wipe_returns_the_device_to_first_run(device: Device) -> None:
    device.ok("logs", "export")  # makes the audit secret
    (device.folder / "settings.json").write_text('{"version": 1, "language": "en"}')
    store = open_keystore(device.folder, dev=True)
    assert store.get(AUDIT_SECRET_NAME) is not None
    out = device.ok("wipe", "--yes")
    assert "gewist" in out
    store = open_keystore(device.folder, dev=True)
    assert store.get(DEVICE_KEY) is None and store.get(AUDIT_SECRET_NAME) is None
    with pytest.raises(NotEnrolled):
        load_device(device.folder, store)
    assert not state_dir(device.folder).exists()
    assert sorted(p.name for p in device.folder.iterdir()) == []  # nothing of ours is left
    assert not (device.folder / DEV_FILE).exists()
    # The paired device is not touched.
    load_device(device.other, open_keystore(device.other, dev=True))
    # First run again: a new enrollment request works.
    device.ok("enroll", "request", "--role", "student", "--out", str(device.folder / "r.csr"))
