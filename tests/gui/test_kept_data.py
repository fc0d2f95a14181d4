"""Technician screen "What this device keeps": fields, the log, export, erase, wipe."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app import i18n
from app.cli_gui import DeviceSession
from app.demo.workspace import prepare
from app.firstrun.view import FirstRunView
from app.technician.kept import KeptDataView
from pairing.device import load_device
from pairing.errors import NotEnrolled
from pairing.keystore import open_keystore
from pairing.roles import Role
from privacy.files import state_dir
from privacy.store import ConnectionLog
from tests.support.a11y import assert_accessible


def _device_with_one_call(tmp_path: Path) -> Path:
    workspace, _ = prepare(tmp_path / "demo")
    folder = workspace.device_dir(Role.STUDENT)
    log = ConnectionLog.open(state_dir(folder))
    sid = log.session_started(role="student", peer_short="ABCDEFG")
    log.session_connected(sid, setup_ms=321, candidate_type="host")
    log.session_ended(sid, reason="hangup_local", reconnects=0, freezes=0,
                      bytes_out=4242, bytes_in=4343)  # fmt: skip
    log.close()
    return folder


def test_kept_data_lists_fields_and_log_exports_and_erases(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _device_with_one_call(tmp_path)
    view = KeptDataView(folder, open_keystore(folder, dev=True))
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    assert "setup_ms" in view.kept.toPlainText() and "candidate_type" in view.kept.toPlainText()
    assert "setup_ms=321" in view.log.toPlainText()
    assert view.health.text() == "Logging works."
    assert_accessible(view)

    out = tmp_path / "usb" / "log.json"
    out.parent.mkdir()
    assert view.export(out)
    exported = json.loads(out.read_text())
    assert exported["sessions"][0]["bytes_out"] == 4242

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)  # fmt: skip
    assert view.erase()
    assert "setup_ms=321" not in view.log.toPlainText()
    with qtbot.waitSignal(view.wipe_requested, timeout=1000):
        view.wipe_button.click()


def test_wipe_from_technician_mode_returns_the_device_to_first_run(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = _device_with_one_call(tmp_path)
    session = DeviceSession(folder, Role.STUDENT, windowed=True, synthetic=True,
                            dev_keyring=True)  # fmt: skip
    session.open()
    call_window = session.windows[-1]
    qtbot.addWidget(call_window)
    try:
        assert session.technician is not None and session.technician.kept is not None
        session.technician.kept.wipe_requested.emit()  # confirmed twice in the view
        first_run = session.windows[-1]
        qtbot.addWidget(first_run)
        assert isinstance(first_run.content(), FirstRunView)
        with pytest.raises(NotEnrolled):
            load_device(folder, open_keystore(folder, dev=True))
        assert not (state_dir(folder) / "connections.sqlite3").exists()
    finally:
        session.close()


def test_technician_actions_reach_the_audit_trail(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli_logs import audit_secret
    from app.i18n import remove_translators
    from privacy.audit import AuditTrail

    folder = _device_with_one_call(tmp_path)
    session = DeviceSession(folder, Role.STUDENT, windowed=True, synthetic=True,
                            dev_keyring=True)  # fmt: skip
    session.open()
    qtbot.addWidget(session.windows[-1])
    try:
        mode = session.technician
        assert mode is not None and mode.kept is not None
        mode.open_panel()
        mode.choose_language("en")
        mode.open_kept()
        assert mode.kept.export(tmp_path / "log.json")
        assert mode.kept.erase(confirmed=True)
        mode.close_panel()
    finally:
        session.close()
        remove_translators()  # back to the source language for the other tests
    store = open_keystore(folder, dev=True)
    secret = audit_secret(store, create=False)
    assert secret is not None
    trail = AuditTrail(state_dir(folder), secret)
    actions = [(r.action, r.setting, r.old_value, r.new_value) for r in trail.records()]
    assert ("technician_mode_opened", None, None, None) in actions
    assert ("setting_changed", "language", "nl", "en") in actions
    assert [a[0] for a in actions][-4:] == [
        "logs_viewed",
        "logs_exported",
        "logs_erased",
        "technician_mode_closed",
    ]
    assert trail.verify().ok


def test_a_broken_log_shows_in_technician_mode(qtbot: QtBot, tmp_path: Path) -> None:
    from privacy.health import LogFault, LogHealth

    folder = _device_with_one_call(tmp_path)
    broken = LogHealth(fault=LogFault.FULL, at=1.0, dropped=3, working=False)
    view = KeptDataView(folder, open_keystore(folder, dev=True), health=lambda: broken)
    qtbot.addWidget(view)
    view.refresh()
    assert "the disk is full" in view.health.text() and "3" in view.health.text()


def test_a_damaged_log_set_aside_is_told_in_words(qtbot: QtBot, tmp_path: Path) -> None:
    """Issue 15, item 10: the running log moved a damaged database aside."""
    from privacy.files import damaged_files, database_path

    folder = _device_with_one_call(tmp_path)
    state = state_dir(folder)
    database_path(state).write_bytes(b"garbage" * 2000)
    from app.runtime import DeviceRuntime

    log = DeviceRuntime.load(folder, dev_keyring=True).open_log()  # the kiosk's own
    try:
        assert log.flush()
        assert damaged_files(state)
        view = KeptDataView(folder, open_keystore(folder, dev=True), health=lambda: log.health)
        qtbot.addWidget(view)
        view.refresh()
        text = view.health.text()
        assert text.startswith("The log database was damaged. On ")
        assert "a new log was started" in text and "could not be read" in text
        assert "damaged" not in view.log.toPlainText()  # the fresh log is what is shown
        assert "Logging has a fault" not in text  # it works again
    finally:
        log.close()


def test_faults_outside_the_log_show_in_technician_mode(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lost audit key and a bad retention value are named; export still works, into
    a folder as on a USB stick, and no new audit key is made behind the screen."""
    from app.audit import AuditLog
    from privacy.audit import AUDIT_SECRET_NAME
    from privacy.codes import AuditAction

    folder = _device_with_one_call(tmp_path)
    store = open_keystore(folder, dev=True)
    audit = AuditLog(folder, store)
    audit.action(AuditAction.TECHNICIAN_MODE_OPENED)
    store.delete(AUDIT_SECRET_NAME)
    (folder / "settings.json").write_text('{"version": 1, "log_retention_days": 184}')
    view = KeptDataView(folder, store, audit=audit)
    qtbot.addWidget(view)
    view.refresh()
    assert "audit trail's key is missing" in view.health.text()
    assert "default of 90 days" in view.health.text()
    assert "90 days" in view.summary.text()
    usb = tmp_path / "usb"
    usb.mkdir()
    assert view.export(usb)
    (written,) = usb.iterdir()
    assert written.name.startswith("klasgenoot-export-") and str(written) in view.result.text()
    assert json.loads(written.read_text())["sessions"][0]["bytes_out"] == 4242
    assert store.get(AUDIT_SECRET_NAME) is None  # not silently replaced by the export's record


def test_what_this_device_keeps_follows_a_language_switch(
    qtbot: QtBot, tmp_path: Path, language: Path
) -> None:
    i18n.set_language("nl", language)
    folder = _device_with_one_call(tmp_path)
    view = KeptDataView(folder, open_keystore(folder, dev=True))
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    (tmp_path / "usb").mkdir()
    assert view.export(tmp_path / "usb" / "log.json")
    buttons = (view.export_button, view.erase_button, view.wipe_button, view.back_button)
    assert view.title.text() == "Wat dit apparaat bewaart"
    assert view.export_button.text() == "Exporteren…"
    assert view.health.text() == "Het logboek werkt."
    assert view.result.text().startswith("Geëxporteerd naar")
    dutch_kept = view.kept.toPlainText()

    i18n.set_language("en", language)  # as the technician panel does
    qtbot.waitUntil(lambda: view.title.text() == "What this device keeps")
    assert [b.text() for b in buttons] == ["Export…", "Erase logs", "Wipe device (service end)",
                                           "Back"]  # fmt: skip
    assert [b.accessibleName() for b in buttons] == [b.text() for b in buttons]
    assert view.health.text() == "Logging works."
    assert view.result.text().startswith("Exported to ")
    assert view.summary.text().startswith("Only technical connection data")
    assert view.kept.toPlainText() != dutch_kept  # the field list too
    assert "setup_ms=321" in view.log.toPlainText()

    i18n.set_language("nl", language)
    qtbot.waitUntil(lambda: view.export_button.text() == "Exporteren…")
    assert view.kept.toPlainText() == dutch_kept
