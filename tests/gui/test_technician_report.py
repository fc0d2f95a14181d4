"""Technician mode's "Report a fault" against the real console: shown, then sent."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.helpdesk_setting import read_helpdesk_url
from app.kiosk import KioskWindow
from app.settings import SettingsStore
from app.technician import TechnicianMode
from pairing.device import load_device
from pairing.fleet import ca_fingerprint
from pairing.keystore import open_keystore
from tests.support.console import KLASGENOOT, env, init_fleet, ok, services


def test_a_technician_sees_the_report_then_sends_it_to_the_helpdesk(
    qtbot: QtBot, tmp_path: Path
) -> None:
    fleet = tmp_path / "fleet"
    port = init_fleet(fleet)
    out = ok("console", "pair", "KG-0042", "--data", str(fleet),
             "--consent-date", "2026-01-05", "--consent-ref", "dossier 1")  # fmt: skip
    codes = {r[0]: r[1] for r in (ln.split() for ln in out.splitlines()) if r and r[0] in (
        "student", "classroom")}  # fmt: skip
    s_dir, c_dir = tmp_path / "student", tmp_path / "classroom"
    with services(fleet, port) as svc:
        fp = ca_fingerprint(fleet)
        first = subprocess.Popen(
            [KLASGENOOT, "enroll", "code", codes["student"], "--config", str(s_dir),
             "--url", svc.url, "--ca-fingerprint", fp], env=env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        qtbot.waitUntil((s_dir / "device.json").exists, timeout=30000)
        ok("enroll", "code", codes["classroom"], "--config", str(c_dir), "--url", svc.url,
           "--ca-fingerprint", fp)  # fmt: skip
        assert first.wait(timeout=60) == 0
        assert read_helpdesk_url(c_dir) == svc.url  # remembered from the enrollment

        device = load_device(c_dir, open_keystore(c_dir, dev=True))
        window = KioskWindow(windowed=True)
        qtbot.addWidget(window)
        mode = TechnicianMode(window, SettingsStore(c_dir), device=device)
        section = mode.fault_report
        assert section is not None
        assert not section.preview.isVisibleTo(section)  # nothing shown before asking
        qtbot.mouseClick(section.report_button, Qt.MouseButton.LeftButton)
        shown = section.preview.toPlainText()
        assert '"schema": "klasgenoot.fault-report"' in shown and '"last_events"' in shown
        assert "127.0.0.1" not in shown and device.info.device_id.text not in shown
        with qtbot.waitSignal(section.sent, timeout=15000) as sent:
            qtbot.mouseClick(section.send_button, Qt.MouseButton.LeftButton)
        assert sent.args[0] == 1
        assert "#1" in section.status.text()
    with sqlite3.connect(fleet / "console" / "console.db") as conn:
        (body,) = conn.execute("SELECT body FROM reports").fetchone()
    assert body == shown  # exactly what the technician saw


def test_a_device_enrolled_from_a_file_offers_no_report(qtbot: QtBot, tmp_path: Path) -> None:
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    mode = TechnicianMode(window, SettingsStore(tmp_path / "device"))
    assert mode.fault_report is None
