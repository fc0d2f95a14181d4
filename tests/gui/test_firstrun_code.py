"""First run with a code from the helpdesk: the real console process, the first-run
screen's code page, the fingerprint check, waiting for the peer, and refusals."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.firstrun import FirstRunView
from pairing.device import load_device
from pairing.enrollcode import new_code
from pairing.errors import EnrollmentCodeMistyped, EnrollmentCodeRefused
from pairing.fleet import ca_fingerprint
from pairing.keystore import open_keystore
from pairing.roles import Role
from tests.support.a11y import assert_accessible
from tests.support.console import KLASGENOOT, env, init_fleet, ok, services


def _codes(fleet: Path) -> dict[str, str]:
    out = ok("console", "pair", "KG-0042", "--data", str(fleet),
             "--consent-date", "2026-01-05", "--consent-ref", "dossier 1")  # fmt: skip
    rows = [line.split() for line in out.splitlines()]
    return {row[0]: row[1] for row in rows if row and row[0] in ("student", "classroom")}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_pupils_laptop_enrolls_with_a_code_on_its_first_run_screen(
    qtbot: QtBot, tmp_path: Path
) -> None:
    fleet = tmp_path / "fleet"
    port = init_fleet(fleet)
    codes = _codes(fleet)
    view = FirstRunView(tmp_path / "student", Role.STUDENT, dev_keyring=True)
    qtbot.addWidget(view)
    view.resize(1024, 768)
    view.show()
    with services(fleet, port) as svc:
        qtbot.mouseClick(view.code_button, Qt.MouseButton.LeftButton)
        assert view.step == "code"
        flow = view.code_flow
        flow.url_edit.setText(svc.url)

        # A typo is said at once, without asking the console; nothing is written.
        before = _snapshot(tmp_path / "student")
        flow.code_edit.setText(
            codes["student"][:-1] + ("2" if codes["student"][-1] != "2" else "3")
        )
        with qtbot.waitSignal(flow.failed) as typo:
            qtbot.mouseClick(flow.check_button, Qt.MouseButton.LeftButton)
        assert isinstance(typo.args[0], EnrollmentCodeMistyped)
        assert view.banner.text() == EnrollmentCodeMistyped.message()

        # The classroom's code is for the other role: refused by the console's answer.
        flow.code_edit.setText(codes["classroom"])
        qtbot.mouseClick(flow.check_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(flow.match_button.isEnabled, timeout=15000)
        with qtbot.waitSignal(flow.failed, timeout=15000):
            qtbot.mouseClick(flow.match_button, Qt.MouseButton.LeftButton)
        assert _snapshot(tmp_path / "student") == before

        # The right code: the fingerprint shown is the fleet's, in four rows of eight.
        flow.code_edit.setText(codes["student"].lower())
        qtbot.mouseClick(flow.check_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(flow.match_button.isEnabled, timeout=15000)
        rows = flow.fingerprint_label.text().split("\n")
        assert len(rows) == 4 and ":".join(rows) == ca_fingerprint(fleet)
        assert_accessible(view)
        qtbot.mouseClick(flow.match_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Wacht op het andere apparaat" in flow.status.text()
                        or "Waiting" in flow.status.text(), timeout=15000)  # fmt: skip

        # The technician gives up waiting and tries again later with the same code: the
        # code is no longer open, but it is this device's, so it goes on waiting.
        qtbot.mouseClick(flow.cancel_button, Qt.MouseButton.LeftButton)
        assert view.step == "identity"
        view.enroll_with_code()
        flow.url_edit.setText(svc.url)
        flow.code_edit.setText(codes["student"])
        qtbot.mouseClick(flow.check_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(flow.match_button.isEnabled, timeout=15000)
        qtbot.mouseClick(flow.match_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Wacht op het andere apparaat" in flow.status.text()
                        or "Waiting" in flow.status.text(), timeout=15000)  # fmt: skip

        # The classroom unit uses its code: both are enrolled.
        subprocess.run(
            [KLASGENOOT, "enroll", "code", codes["classroom"], "--config",
             str(tmp_path / "classroom"), "--url", svc.url, "--ca-fingerprint",
             ca_fingerprint(fleet)],
            env=env(), check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        qtbot.waitUntil(lambda: view.step == "pin", timeout=20000)
    with qtbot.waitSignal(view.enrolled) as enrolled:
        view.pin_setup.set_pin("864200", "864200")
    config = load_device(tmp_path / "student", open_keystore(tmp_path / "student", dev=True))
    assert enrolled.args[0].pairing_id == config.info.pairing_id
    assert config.role is Role.STUDENT


def test_a_refused_code_shows_the_sentence_and_changes_nothing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    fleet = tmp_path / "fleet"
    port = init_fleet(fleet)
    view = FirstRunView(tmp_path / "student", Role.STUDENT, dev_keyring=True)
    qtbot.addWidget(view)
    view.show()
    before = _snapshot(tmp_path / "student")
    with services(fleet, port) as svc:
        view.enroll_with_code()
        view.code_flow.url_edit.setText(svc.url)
        view.code_flow.code_edit.setText(new_code())  # well-formed, but never issued
        qtbot.mouseClick(view.code_flow.check_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(view.code_flow.match_button.isEnabled, timeout=15000)
        with qtbot.waitSignal(view.code_flow.failed, timeout=15000) as refused:
            qtbot.mouseClick(view.code_flow.match_button, Qt.MouseButton.LeftButton)
    assert isinstance(refused.args[0], EnrollmentCodeRefused)
    assert view.banner.text() == EnrollmentCodeRefused.message()
    assert _snapshot(tmp_path / "student") == before
