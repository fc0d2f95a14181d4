"""A bundle installed while Klasgenoot runs is taken without a restart (issue 15,
item 12): a re-pair with a real fleet, installed as `klasgenoot enroll install` does."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from app.cli_gui import DeviceSession
from pairing.certificates import utcnow
from pairing.device import install_bundle
from pairing.enrollment import create_request
from pairing.fleet import init_fleet, pair
from pairing.identity import load_or_create_device_key
from pairing.keystore import open_keystore
from pairing.roles import Role

PASS = "correct horse battery staple"


def _pair(fleet: Path, requests: dict[Role, bytes], out: Path) -> dict[Role, bytes]:
    until = utcnow().date() + dt.timedelta(days=30)
    result = pair(fleet, PASS, requests[Role.STUDENT], requests[Role.CLASSROOM],
                  until=until, out_dir=out)  # fmt: skip
    return {Role.STUDENT: result.student_bundle.read_bytes(),
            Role.CLASSROOM: result.classroom_bundle.read_bytes()}  # fmt: skip


def test_a_new_bundle_is_taken_while_running(qtbot: QtBot, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    init_fleet(fleet, PASS, server_name="localhost", signaling_url="wss://localhost:8443/ws")
    folders = {role: tmp_path / role.value for role in Role}
    requests = {}
    for role, folder in folders.items():
        key = load_or_create_device_key(open_keystore(folder, dev=True))
        requests[role] = create_request(key, role)
    first = _pair(fleet, requests, tmp_path / "b1")
    student = folders[Role.STUDENT]
    install_bundle(student, open_keystore(student, dev=True), first[Role.STUDENT])

    session = DeviceSession(student, Role.STUDENT, windowed=True, synthetic=True,
                            dev_keyring=True)  # fmt: skip
    session.open()
    old_window = session.windows[-1]
    qtbot.addWidget(old_window)
    try:
        assert session.runtime is not None and session.bridge is not None
        old_serial = session.runtime.device.credentials.info.serial
        old_bridge = session.bridge
        second = _pair(fleet, requests, tmp_path / "b2")  # the re-pair revokes the first
        install_bundle(student, open_keystore(student, dev=True), second[Role.STUDENT])
        qtbot.waitUntil(
            lambda: (
                session.runtime is not None
                and session.runtime.device.credentials.info.serial != old_serial
            ),
            timeout=10_000,
        )
        qtbot.addWidget(session.windows[-1])
        assert session.bridge is not None and session.bridge is not old_bridge
        assert session.windows[-1] is not old_window and not old_window.isVisible()
        assert session.bridge.responsive  # the new engine runs
    finally:
        session.close()
