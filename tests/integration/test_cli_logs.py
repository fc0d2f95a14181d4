"""The real ``klasgenoot logs …`` and ``klasgenoot wipe`` on an enrolled device folder.

Run as subprocesses of the installed console script, as a technician would, with
the developer key store; the device folders are made by the demo's workspace code.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def klasgenoot(
    *args: str, config: Path, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLASGENOOT_")}
    env["KLASGENOOT_DEV_KEYRING"] = "1"
    return subprocess.run(
        [KLASGENOOT, *args, "--config", str(config)], env=env, input=stdin, cwd=cwd,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def tree(root: Path) -> list[str]:
    """Every file and folder under ``root`` (hidden ones included), relative."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@dataclass
class Device:
    folder: Path
    short: str
    peer_short: str
    other: Path  # the paired classroom device's folder

    def run(
        self, *args: str, stdin: str = "", cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return klasgenoot(*args, config=self.folder, stdin=stdin, cwd=cwd)

    def ok(self, *args: str, stdin: str = "") -> str:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, f"{args}: {done.stderr}"
        return done.stdout

    def export(self) -> dict[str, Any]:
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
    assert len(device.export()["sessions"]) == 1
    out = device.ok("logs", "erase", stdin="ja\n")
    assert "1 verbindingen" in out
    doc = device.export()
    assert doc["sessions"] == [] and doc["events"] == []
    actions = [a["action"] for a in doc["audit"]]
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


# -- export to a folder; nothing half-written is left behind --------------------------


def test_export_into_a_folder_writes_a_dated_file(device: Device, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    for _ in range(2):
        done = device.run("logs", "export", "--out", f"{usb}/")
        assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in usb.iterdir())  # no hidden temporary copy either
    assert len(names) == 2 and all(re.fullmatch(
        r"klasgenoot-export-\d{4}-\d{2}-\d{2}(-2)?\.json", n) for n in names), names  # fmt: skip
    assert f"Geëxporteerd naar {usb}" in done.stderr
    for name in names:
        assert json.loads((usb / name).read_text())["sessions"][0]["bytes_out"] == BYTES_OUT


@pytest.mark.parametrize("out", ["", "   ", "usb-that-is-not-there/"])
def test_a_bad_out_is_refused_and_leaves_nothing(device: Device, tmp_path: Path, out: str) -> None:
    here = tmp_path / "here"
    here.mkdir()
    done = device.run("logs", "export", "--out", out, cwd=here)
    assert done.returncode == 1 and "--out" in done.stderr
    assert tree(here) == []  # no export, no .tmp holding the whole export
    assert "Traceback" not in done.stderr


# -- a damaged database ---------------------------------------------------------------


def damage(device: Device, *, calls: int = 200) -> Path:
    """Enough calls for a database of many pages, then 8 KiB of its middle overwritten."""
    state = state_dir(device.folder)
    log = ConnectionLog.open(state)
    for _ in range(calls):
        sid = log.session_started(role="student", peer_short=device.peer_short)
        for _ in range(4):
            log.event(sid, EventKind.ICE_STATE, "checking")
        log.session_ended(sid, reason="hangup_local", reconnects=0, freezes=0,
                          bytes_out=BYTES_OUT, bytes_in=1)  # fmt: skip
    log.close()
    db = state / "connections.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file
    leaves = "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY 1"
    pages = [row[0] for row in conn.execute(leaves)]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as fh:  # 8 KiB from an events page in the middle of the file
        fh.seek((pages[len(pages) // 2] - 1) * size)
        fh.write(b"\xff" * 8192)
    return state


def test_a_damaged_database_is_erased_whole(device: Device) -> None:
    device.ok("logs", "export")  # an audit record, in the database that gets damaged
    state = damage(device)
    done = device.run("logs", "export")  # reads every row, so it meets the damage
    assert done.returncode == 1 and "beschadigd" in done.stderr and "Wis" in done.stderr
    out = device.ok("logs", "erase", "--yes")
    assert "beschadigde database is in zijn geheel verwijderd" in out
    assert "Gewist: 0" not in out
    left = b"".join(p.read_bytes() for p in state.rglob("*") if p.is_file())
    assert device.peer_short.encode() not in left
    assert BYTES_OUT.to_bytes(4, "big") not in left
    # A new trail starts with this erase, under the same audit secret.
    doc = device.export()
    assert doc["sessions"] == [] and [a["action"] for a in doc["audit"]][:1] == ["logs_erased"]
    assert device.ok("logs", "verify").startswith("ok")


def test_verify_of_a_damaged_database_says_so(device: Device) -> None:
    device.ok("logs", "export")
    (state_dir(device.folder) / "connections.sqlite3").write_bytes(b"garbage " * 2000)
    done = device.run("logs", "verify")
    assert done.returncode == 1
    assert "beschadigd" in done.stderr and "bijgewerkt" not in done.stderr


# -- a lost audit secret is never silently replaced -----------------------------------


def test_a_lost_audit_secret_is_reported_not_replaced(device: Device, tmp_path: Path) -> None:
    device.ok("logs", "export")
    device.ok("logs", "export")
    store = open_keystore(device.folder, dev=True)
    store.delete(AUDIT_SECRET_NAME)
    # The person's rights still work ...
    done = device.run("logs", "export")
    assert done.returncode == 0 and json.loads(done.stdout)["sessions"]
    assert "niet in het auditlogboek gezet" in done.stderr and "sleutel" in done.stderr
    # ... but no new secret is made, nothing is signed with one, and verify names the cause.
    assert open_keystore(device.folder, dev=True).get(AUDIT_SECRET_NAME) is None
    assert len(json.loads(done.stdout)["audit"]) == 2
    assert len(device.export()["audit"]) == 2
    done = device.run("logs", "verify")
    assert done.returncode == 1 and "sleutel" in done.stderr and "record" not in done.stderr
    # The kiosk still starts its log (without audit purging).
    from app.runtime import DeviceRuntime

    runtime = DeviceRuntime.load(device.folder, dev_keyring=True)
    runtime.open_log().close()
    assert open_keystore(device.folder, dev=True).get(AUDIT_SECRET_NAME) is None


# -- a wrong --config creates nothing and reassures nobody ----------------------------


@pytest.mark.parametrize("command", [("logs", "show"), ("logs", "verify"), ("logs", "export"),
                                     ("logs", "erase", "--yes"), ("logs", "retention"),
                                     ("wipe", "--yes")])  # fmt: skip
def test_a_missing_config_folder_is_refused(tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "typo" / "student"
    done = klasgenoot(*command, config=missing)
    assert done.returncode == 1
    assert "bestaat niet" in done.stderr and "gewist" not in done.stdout
    assert tree(tmp_path) == []


def test_a_folder_without_logs_shows_nothing_and_creates_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "student"
    empty.mkdir()
    shown = klasgenoot("logs", "show", config=empty)
    assert shown.returncode == 0 and "Verbindingen: 0" in shown.stdout
    exported = klasgenoot("logs", "export", config=empty)
    assert exported.returncode == 0 and json.loads(exported.stdout)["audit"] == []
    assert klasgenoot("logs", "verify", config=empty).stdout.strip() == "ok (0 records)"
    erased = klasgenoot("logs", "erase", "--yes", config=empty)
    assert erased.returncode == 0 and "niets te wissen" in erased.stdout
    wiped = klasgenoot("wipe", "--yes", config=empty)
    assert wiped.returncode == 0 and "niets te wissen" in wiped.stdout
    assert "Het apparaat is gewist" not in wiped.stdout
    assert tree(empty) == []  # no database, no key store, no audit secret


def test_after_a_wipe_reading_creates_nothing(device: Device) -> None:
    device.ok("logs", "export")
    device.ok("wipe", "--yes")
    assert "Verbindingen: 0" in device.ok("logs", "show")
    device.ok("logs", "export")
    assert tree(device.folder) == []
    assert "niets te wissen" in device.ok("wipe", "--yes")


# -- retention: set by command, audited, and a bad value never blocks access ----------


def test_a_bad_retention_value_falls_back_and_blocks_nothing(device: Device) -> None:
    (device.folder / "settings.json").write_text('{"version": 1, "log_retention_days": 184}')
    for command in (("logs", "show"), ("logs", "show", "--fields"), ("logs", "export")):
        done = device.run(*command)
        assert done.returncode == 0, done.stderr
        assert "standaard van 90 dagen" in done.stderr and "183" in done.stderr
    assert json.loads(device.ok("logs", "export"))["retention"]["connection_days"] == 90
    # The kiosk's start reads the same setting: it starts with the default.
    from app.runtime import DeviceRuntime

    log = DeviceRuntime.load(device.folder, dev_keyring=True).open_log()
    assert log.retention.connection_days == 90
    log.close()


def test_retention_is_shown_set_audited_and_applied(device: Device) -> None:
    assert "90 dagen (standaard)" in device.ok("logs", "retention")
    old = ConnectionLog.open(state_dir(device.folder), clock=lambda: time.time() - 40 * 86400)
    old.session_started(role="student", peer_short=device.peer_short)
    old.close()
    assert len(device.export()["sessions"]) == 2
    done = device.run("logs", "retention", "--days", "184")
    assert done.returncode == 1 and "183" in done.stderr
    assert not (device.folder / "settings.json").exists()  # refused: nothing changed
    out = device.ok("logs", "retention", "--days", "30")
    assert "30 dagen (was 90)" in out
    assert json.loads((device.folder / "settings.json").read_text())["log_retention_days"] == 30
    assert "30 dagen" in device.ok("logs", "retention")
    doc = device.export()
    assert len(doc["sessions"]) == 1  # the 40-day-old call went
    changes = [(a["action"], a["setting"], a["old_value"], a["new_value"])
               for a in doc["audit"]]  # fmt: skip
    assert ("setting_changed", "log_retention_days", "90", "30") in changes
    assert "niets veranderd" in device.ok("logs", "retention", "--days", "30")
    assert device.ok("logs", "verify").startswith("ok")


# -- logs show is audited --------------------------------------------------------------


def test_viewing_the_logs_is_audited(device: Device) -> None:
    device.ok("logs", "show")
    device.ok("logs", "show", "--fields")  # only the list of fields: nothing of the log
    actions = [a["action"] for a in device.export()["audit"]]
    assert actions == ["logs_viewed"]


# -- reading during a live call never ends that call's record (issue 15, item 8) -------

LOCK_HOLDER = (
    "import sys; from pathlib import Path; from common.instance import DeviceLock; "
    "lock = DeviceLock.try_acquire(Path(sys.argv[1])); "
    "print('held' if lock else 'busy', flush=True); sys.stdin.read()"
)


@contextlib.contextmanager
def lock_held_by_another_process(folder: Path) -> Iterator[None]:
    """A real second process holds the folder's lock, as the running kiosk does."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(folder)], env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)


def _sessions(folder: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(state_dir(folder) / "connections.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM sessions ORDER BY id").fetchall()
    finally:
        conn.close()


def test_reading_the_logs_during_a_live_call_leaves_that_call_open(device: Device) -> None:
    live = ConnectionLog.open(state_dir(device.folder), owner=True)  # the kiosk's log
    live.session_started(role="student", peer_short=device.peer_short)
    assert live.flush()
    with lock_held_by_another_process(device.folder):
        device.ok("logs", "show")
        device.ok("logs", "export")
        device.ok("logs", "retention", "--days", "30")
        live_row = _sessions(device.folder)[-1]
        assert (live_row["ended_at"], live_row["end_reason"]) == (None, None)
    live.close()  # as if killed: the call never ended
    # No program owns the folder any more: now it is a leftover, closed as interrupted.
    device.ok("logs", "show")
    assert _sessions(device.folder)[-1]["end_reason"] == "interrupted"
