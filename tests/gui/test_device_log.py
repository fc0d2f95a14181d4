"""A device unplugged and plugged back during a call reaches the connection log as
``device_lost`` / ``device_found`` with its kind, and nothing more about it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from app.av.catalog import FakeDeviceCatalog
from app.student.window import StudentWindow
from pairing.roles import Role
from privacy.export import open_for_reading, read_rows
from privacy.files import state_dir
from tests.gui.devices import CallRig, rig  # noqa: F401 (the fixture)

SETUP_MS = 20_000


def test_the_speaker_unplugged_and_back_is_logged_by_kind(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    rig.open(Role.CLASSROOM)
    pupil = rig.open(Role.STUDENT)
    window = pupil.window
    assert isinstance(window, StudentWindow)
    qtbot.waitUntil(lambda: window.video.frames_painted >= 1, timeout=SETUP_MS)
    catalog = pupil.sources.catalog
    assert isinstance(catalog, FakeDeviceCatalog)
    with qtbot.waitSignal(pupil.sources.speaker.lost):
        catalog.remove_speaker(b"speaker")
    with qtbot.waitSignal(pupil.sources.speaker.resumed, timeout=5000):
        catalog.add_speaker(b"speaker", "test speaker", default=True)
    pupil.stop()  # the engine writes and closes its log

    conn = open_for_reading(state_dir(rig.workspace.device_dir(Role.STUDENT)))
    assert conn is not None
    events = read_rows(conn, "events")
    conn.close()
    devices = [(e["kind"], e["code"]) for e in events if e["kind"].startswith("device_")]
    assert devices == [("device_lost", "speaker"), ("device_found", "speaker")]
    assert "test speaker" not in repr(events)  # the device's name is never kept
