"""The export: a named, versioned JSON document with every stored field and nothing else."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from privacy.audit import AuditTrail
from privacy.codes import EventKind
from privacy.errors import ExportFailed
from privacy.export import DeviceInfo, export_document, export_json, write_export
from privacy.schema import current_schema
from privacy.store import ConnectionLog

IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


def fill(state: Path) -> None:
    log = ConnectionLog.open(state)
    sid = log.session_started(role="classroom", peer_short="QZQZQZQ")
    log.session_connected(sid, setup_ms=350, candidate_type="srflx")
    log.session_stats(sid, {"rtt_ms": 12.5})
    log.session_ended(sid, reason="hangup_remote", reconnects=0, freezes=0,
                      bytes_out=10, bytes_in=20)  # fmt: skip
    log.event(None, EventKind.SIGNALING_DOWN, "timeout")
    log.close()
    AuditTrail(state, b"k" * 32).setting_changed("technician", "volume", 3, 4)


def test_document_shape(tmp_path: Path) -> None:
    fill(tmp_path)
    doc = export_document(tmp_path, device=DeviceInfo("classroom", "ABCDEF2"), now=0)
    assert (doc["schema"], doc["version"]) == ("klasgenoot.connection-log", 1)
    assert doc["exported_at"] == "1970-01-01T00:00:00.000Z"
    assert doc["device"] == {"role": "classroom", "device": "ABCDEF2"}
    assert doc["retention"] == {"connection_days": 90, "audit_months": 13}
    schema = current_schema()
    for table in ("sessions", "events", "audit"):
        assert doc[table] and all(list(row) == schema[table] for row in doc[table])
    session = doc["sessions"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", session["started_at"])
    assert (session["peer_short"], session["end_reason"], session["rtt_ms_avg"]) == (
        "QZQZQZQ", "hangup_remote", 12.5)  # fmt: skip
    assert [e["kind"] for e in doc["events"]] == ["connected", "ended", "signaling_down"]
    audit = doc["audit"][0]
    assert (audit["old_value"], audit["sensitive"], len(audit["mac"])) == ("3", False, 64)
    assert doc["audit_anchor"] is None
    text = export_json(doc)
    assert json.loads(text) == doc and not IP.search(text)


def test_nothing_kept_yet_gives_an_empty_document(tmp_path: Path) -> None:
    doc = export_document(tmp_path / "never", device=DeviceInfo())
    assert doc["sessions"] == doc["events"] == doc["audit"] == []
    assert doc["device"] == {"role": None, "device": None}
    assert not (tmp_path / "never").exists()  # reading does not create anything


def test_device_info_takes_only_short_ids() -> None:
    info = DeviceInfo("student", "P56IOI7-MZJNU2Y-AAAAAAA").as_json()
    assert info == {"role": "student", "device": None}
    assert DeviceInfo("headmaster", "ABCDEF2").as_json()["role"] is None


def test_write_is_atomic_and_private(tmp_path: Path) -> None:
    out = tmp_path / "usb" / "export.json"
    out.parent.mkdir()
    write_export(out, {"schema": "x"})
    assert json.loads(out.read_text()) == {"schema": "x"}
    assert out.stat().st_mode & 0o077 == 0
    assert [p.name for p in out.parent.iterdir()] == ["export.json"]  # no temp file left
    with pytest.raises(ExportFailed):
        write_export(tmp_path / "missing" / "export.json", {"schema": "x"})


def test_a_folder_gets_a_dated_file_that_overwrites_nothing(tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    doc = export_document(tmp_path / "never", device=DeviceInfo(), now=1_714_552_200)
    first, second = write_export(usb, doc), write_export(usb, doc)
    assert (first.name, second.name) == ("klasgenoot-export-2024-05-01.json",
                                         "klasgenoot-export-2024-05-01-2.json")  # fmt: skip
    assert first.parent == usb and json.loads(first.read_text())["schema"] == doc["schema"]
    assert sorted(p.name for p in usb.iterdir()) == sorted([first.name, second.name])  # no temp


def test_a_damaged_database_is_named_as_such(tmp_path: Path) -> None:
    from privacy.errors import LogDamaged
    from privacy.files import DB_NAME
    from privacy.overview import load_overview

    (tmp_path / DB_NAME).write_bytes(b"garbage " * 1000)
    with pytest.raises(LogDamaged):
        export_document(tmp_path, device=DeviceInfo())
    with pytest.raises(LogDamaged):
        load_overview(tmp_path)


def test_export_is_quick_for_a_full_retention_period(tmp_path: Path) -> None:
    log = ConnectionLog.open(tmp_path)
    for _ in range(90 * 8):  # eight calls a day for 90 days
        sid = log.session_started(role="student", peer_short="ABCDEF2")
        log.session_ended(sid, reason="stopped", reconnects=0, freezes=0, bytes_out=1, bytes_in=1)
    log.close()
    started = time.monotonic()
    doc = export_document(tmp_path, device=DeviceInfo())
    assert len(doc["sessions"]) == 720 and time.monotonic() - started < 2


def test_the_technician_overview(tmp_path: Path) -> None:
    from privacy.health import LogHealth
    from privacy.overview import load_overview

    empty = load_overview(tmp_path / "nothing")
    assert empty.counts == {"sessions": 0, "events": 0, "audit": 0} and empty.database_bytes == 0
    fill(tmp_path)
    fill(tmp_path)
    view = load_overview(tmp_path, limit=1, retention=None, health=LogHealth())
    assert view.counts == {"sessions": 2, "events": 6, "audit": 2}
    assert [s["id"] for s in view.sessions] == [2]  # newest first, limited
    assert view.kept[0].name == "sessions" and view.retention_days == 90
    assert view.database_bytes > 0 and view.health is not None and view.health.ok
