"""Technician settings of the classroom features (issue 5): school hours typed into the
editor reach the running classroom engine (which then refuses and, opened for the
rest of today, admits the pupil's real engine), bad input changes nothing, feature
switches and the pause time reach the settings and the next engine, and the
pupil's laptop starts at the technician's presence level."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLabel
from pytestqt.qtbot import QtBot

from app import feature_settings
from app.audit import AuditLog
from app.av.catalog import DeviceState
from app.bridge import EngineBridge
from app.cli_gui import DeviceSession
from app.cli_logs import audit_secret
from app.demo.workspace import Workspace, prepare
from app.kiosk import KioskWindow
from app.settings import SettingsStore
from app.student.status import Connection
from app.student.window import StudentWindow
from app.technician import TechnicianMode
from app.technician.features import FeaturesPage
from app.technician.lessons import LessonTimesView
from media.engine import Engine
from media.features.schedule import Schedule
from media.features.switches import FeatureSwitches
from pairing.keystore import open_keystore
from pairing.roles import Role
from privacy.audit import AuditTrail
from privacy.files import state_dir
from tests.gui.devices import CallRig, rig  # noqa: F401 (the fixture)
from tests.support.a11y import assert_accessible

SETUP_MS = 20_000
AMS = ZoneInfo("Europe/Amsterdam")
LEFT = Qt.MouseButton.LeftButton


def engine_value(qtbot: QtBot, bridge: EngineBridge, read: Callable[[Engine], Any]) -> Any:
    """Read from the running engine on its own thread (as the GUI must)."""
    box: list[Any] = []
    bridge.run(lambda engine: box.append(read(engine)))
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box[0]


def room_schedule(engine: Engine) -> Schedule | None:
    room = engine.features.classroom
    assert room is not None
    return room.schedule


def sending(engine: Engine) -> tuple[bool, bool]:
    """Whether the pupil's microphone (silence otherwise) and camera are sent."""
    assert engine.audio is not None and engine.video is not None
    return engine.audio.enabled, engine.video.enabled


def technician(window: KioskWindow, folder: Path, bridge: EngineBridge | None) -> TechnicianMode:
    from app.runtime import DeviceRuntime

    runtime = DeviceRuntime.load(folder, dev_keyring=True)
    mode = TechnicianMode(window, SettingsStore(folder), device=runtime.device, bridge=bridge,
                          audit=AuditLog(folder, runtime.keystore))  # fmt: skip
    mode.open_panel()
    return mode


def features_page(qtbot: QtBot, mode: TechnicianMode) -> FeaturesPage:
    assert mode.view.features_button.isVisible()
    qtbot.mouseClick(mode.view.features_button, LEFT)
    page = mode.features_page
    assert isinstance(page, FeaturesPage) and page.isVisible() and mode.panel_open
    return page


def type_lesson(qtbot: QtBot, lessons: LessonTimesView, day: int, start: str, end: str) -> None:
    qtbot.mouseClick(lessons.days[day].add_button, LEFT)
    row = lessons.days[day].rows[-1]
    qtbot.keyClicks(row.start, start)
    qtbot.keyClicks(row.end, end)


def audit_records(folder: Path) -> list[tuple[str | None, str | None, str | None]]:
    secret = audit_secret(open_keystore(folder, dev=True), create=False)
    assert secret is not None
    trail = AuditTrail(state_dir(folder), secret)
    assert trail.verify().ok
    return [(r.setting, r.old_value, r.new_value) for r in trail.records()
            if r.action == "setting_changed"]  # fmt: skip


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return prepare(tmp_path / "demo")[0]


@pytest.fixture
def sessions(qtbot: QtBot) -> Iterator[list[DeviceSession]]:
    opened: list[DeviceSession] = []
    yield opened
    for session in opened:
        session.close()


def open_session(
    qtbot: QtBot, sessions: list[DeviceSession], folder: Path, role: Role
) -> DeviceSession:
    session = DeviceSession(folder, role, windowed=True, synthetic=True, dev_keyring=True)
    session.open()
    sessions.append(session)
    qtbot.addWidget(session.windows[-1])
    assert session.technician is not None and session.bridge is not None
    return session


# -- school hours on the running classroom ----------------------------------------------


def test_lesson_times_refuse_the_pupil_and_open_for_today_admits_them(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    classroom = rig.open(Role.CLASSROOM)
    folder = rig.workspace.device_dir(Role.CLASSROOM)
    mode = technician(classroom.window, folder, classroom.bridge)
    page = features_page(qtbot, mode)
    lessons = page.lessons
    assert "Europe/Amsterdam" in lessons.timezone_label.text()
    assert not page.switches.checks["schedule"].isEnabled()  # no lesson times yet
    # Lessons only tomorrow (Amsterdam): closed now, whatever the time.
    tomorrow = (dt.datetime.now(AMS) + dt.timedelta(days=1)).weekday()
    type_lesson(qtbot, lessons, tomorrow, "8:30", "12:00")
    type_lesson(qtbot, lessons, tomorrow, "12:30", "15:15")
    assert_accessible(page)
    qtbot.mouseClick(lessons.save_button, LEFT)
    assert "Saved" in lessons.message.text()

    stored = feature_settings.load(SettingsStore(folder))
    assert stored.schedule is not None
    assert stored.schedule.week[tomorrow] == ((dt.time(8, 30), dt.time(12)),
                                              (dt.time(12, 30), dt.time(15, 15)))  # fmt: skip
    assert stored.effective_switches.schedule  # the first lesson times switch it on
    assert page.switches.checks["schedule"].isEnabled()
    assert page.switches.checks["schedule"].isChecked()
    bridge = classroom.bridge
    qtbot.waitUntil(lambda: engine_value(qtbot, bridge, room_schedule) == stored.schedule)
    assert engine_value(qtbot, bridge, lambda e: e.features.switches.schedule)
    assert "Closed now" in lessons.today_status.text()

    student = rig.open(Role.STUDENT)
    pupil = student.window
    assert isinstance(pupil, StudentWindow)
    qtbot.waitUntil(lambda: pupil.connection is Connection.OUTSIDE_HOURS, timeout=SETUP_MS)
    qtbot.waitUntil(lambda: pupil.next_lesson is not None)

    assert lessons.open_today_button.isEnabled()
    qtbot.mouseClick(lessons.open_today_button, LEFT)
    today = dt.datetime.now(AMS).date()
    assert "midnight" in lessons.today_status.text()
    assert lessons.close_today_button.isVisible() and not lessons.open_today_button.isEnabled()
    opened = feature_settings.load(SettingsStore(folder)).schedule
    assert opened is not None and opened.open_day == today  # kept over a restart
    qtbot.waitUntil(lambda: engine_value(qtbot, bridge, room_schedule) == opened)
    rejoin = pupil.view.controls.leave  # "Join again" while the pupil is outside
    qtbot.waitUntil(lambda: rejoin.isVisible() and not pupil.view.controls._in_call)
    qtbot.mouseClick(rejoin, LEFT)
    qtbot.waitUntil(lambda: pupil.connection is Connection.CONNECTED, timeout=SETUP_MS)

    records = audit_records(folder)
    assert ("schedule", "none", "1 days, 2 lesson times, 0 days off") in records
    assert ("features.schedule", "false", "true") in records
    assert ("schedule.open_day", None, today.isoformat()) in records


def test_bad_lesson_times_change_nothing(qtbot: QtBot, workspace: Workspace) -> None:
    folder = workspace.device_dir(Role.CLASSROOM)
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    window.set_content(QLabel("the call"))
    window.show_kiosk()
    mode = technician(window, folder, None)
    lessons = features_page(qtbot, mode).lessons
    before = SettingsStore(folder).path.read_bytes() if SettingsStore(folder).path.exists() else b""

    cases = [
        (("08:30", "25:00"), "hours:minutes"),
        (("12:00", "11:00"), "end must be after the start"),
        (("8u30", "12:00"), "hours:minutes"),
    ]
    for (start, end), words in cases:
        type_lesson(qtbot, lessons, 0, start, end)
        qtbot.mouseClick(lessons.save_button, LEFT)
        assert words in lessons.message.text() and "Nothing was saved" in lessons.message.text()
        qtbot.mouseClick(lessons.days[0].rows[-1].remove_button, LEFT)
    type_lesson(qtbot, lessons, 2, "08:00", "12:00")
    type_lesson(qtbot, lessons, 2, "11:00", "13:00")
    qtbot.mouseClick(lessons.save_button, LEFT)
    assert "overlaps" in lessons.message.text()
    lessons.first_day.setDate(lessons.first_day.date().addDays(3))
    lessons.last_day.setDate(lessons.first_day.date().addDays(-1))
    qtbot.mouseClick(lessons.add_days_button, LEFT)
    assert "before the first" in lessons.message.text()
    assert lessons.days_off_list.count() == 0

    after = SettingsStore(folder).path.read_bytes() if SettingsStore(folder).path.exists() else b""
    assert after == before
    assert feature_settings.load(SettingsStore(folder)).schedule is None
    mode.open_features()  # reopened: the stored hours again, the bad rows are gone
    assert all(not day.rows for day in lessons.days)


def test_days_off_are_added_and_removed(qtbot: QtBot, workspace: Workspace) -> None:
    folder = workspace.device_dir(Role.CLASSROOM)
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    window.show_kiosk()
    mode = technician(window, folder, None)
    lessons = features_page(qtbot, mode).lessons
    type_lesson(qtbot, lessons, 0, "08:30", "15:00")
    start = lessons.first_day.date().addDays(10)
    lessons.first_day.setDate(start)
    lessons.last_day.setDate(start.addDays(4))  # a holiday week
    qtbot.mouseClick(lessons.add_days_button, LEFT)
    assert lessons.days_off_list.count() == 5
    lessons.days_off_list.item(0).setSelected(True)
    qtbot.mouseClick(lessons.remove_days_button, LEFT)
    assert lessons.days_off_list.count() == 4
    qtbot.mouseClick(lessons.save_button, LEFT)
    stored = feature_settings.load(SettingsStore(folder)).schedule
    assert stored is not None and len(stored.days_off) == 4
    assert start.toPython() not in stored.days_off
    assert start.addDays(1).toPython() in stored.days_off
    assert_accessible(lessons)


# -- switches and the pause time --------------------------------------------------------


def test_a_switch_and_the_pause_time_reach_the_engine_now_and_the_next_one(
    qtbot: QtBot, workspace: Workspace, sessions: list[DeviceSession]
) -> None:
    folder = workspace.device_dir(Role.CLASSROOM)
    session = open_session(qtbot, sessions, folder, Role.CLASSROOM)
    mode = session.technician
    assert mode is not None and session.bridge is not None
    mode.open_panel()
    page = features_page(qtbot, mode)
    whisper = page.switches.checks["whisper"]
    assert whisper.isChecked()
    qtbot.mouseClick(whisper, LEFT, pos=QPoint(12, whisper.height() // 2))  # on the box
    assert not whisper.isChecked()
    choice: QComboBox = page.switches.pause_choice
    five = choice.findData(5)
    choice.setCurrentIndex(five)
    choice.activated.emit(five)  # as a tap on "5 minutes" does
    assert_accessible(page)

    stored = feature_settings.load(SettingsStore(folder))
    assert stored.switches == FeatureSwitches(whisper=False, schedule=False)
    assert stored.pause_minutes == 5
    bridge = session.bridge
    qtbot.waitUntil(lambda: not engine_value(qtbot, bridge, lambda e: e.features.switches.whisper))
    assert engine_value(qtbot, bridge, lambda e: e.features.config.pause_minutes) == 5.0

    session.close()
    again = open_session(qtbot, sessions, folder, Role.CLASSROOM)
    assert again.bridge is not None
    config = engine_value(qtbot, again.bridge, lambda e: e.config.features)
    assert config.switches == FeatureSwitches(whisper=False, schedule=False)
    assert config.pause_minutes == 5.0
    assert not engine_value(qtbot, again.bridge, lambda e: e.features.switches.whisper)
    records = audit_records(folder)
    assert ("features.whisper", "true", "false") in records
    assert ("pause_minutes", "10", "5") in records


# -- the pupil's starting presence ------------------------------------------------------


def test_the_pupil_starts_at_the_technicians_presence_level(
    qtbot: QtBot, workspace: Workspace, sessions: list[DeviceSession]
) -> None:
    folder = workspace.device_dir(Role.STUDENT)
    session = open_session(qtbot, sessions, folder, Role.STUDENT)
    mode = session.technician
    assert mode is not None and mode.features is not None
    assert not mode.view.features_button.isVisible()  # the classroom's page only
    presence = mode.features.presence
    assert presence is not None
    mode.open_panel()
    assert presence.isVisible()
    assert_accessible(session.windows[-1])
    listening = presence.choice.findData("listening")
    presence.choice.setCurrentIndex(listening)
    presence.choice.activated.emit(listening)
    assert feature_settings.load(SettingsStore(folder)).start_presence == "listening"
    assert ("start_presence", "video", "listening") in audit_records(folder)

    session.close()
    again = open_session(qtbot, sessions, folder, Role.STUDENT)
    window = again.windows[-1]
    assert isinstance(window, StudentWindow) and again.sources is not None
    assert window.presence == "listening"
    assert not window.mic_on and not window.camera_on
    assert again.sources.camera.state is DeviceState.OFF  # released: its light stays off
    assert again.sources.microphone.state is DeviceState.OFF
    assert not window.view.controls.mic.isChecked()
    assert not window.view.controls.camera.isChecked()
    assert again.bridge is not None
    assert engine_value(qtbot, again.bridge, lambda e: e.features.presence) == "listening"
    assert engine_value(qtbot, again.bridge, sending) == (False, False)
    assert again.technician is not None and again.technician.features is not None
    presence = again.technician.features.presence
    assert presence is not None and presence.level == "listening"


def test_the_features_page_closes_when_left_alone(qtbot: QtBot, workspace: Workspace) -> None:
    from app.runtime import DeviceRuntime

    folder = workspace.device_dir(Role.CLASSROOM)
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    window.set_content(QLabel("the call"))
    window.show_kiosk()
    runtime = DeviceRuntime.load(folder, dev_keyring=True)
    mode = TechnicianMode(window, SettingsStore(folder), device=runtime.device, idle_ms=300)
    mode.open_panel()
    page = features_page(qtbot, mode)
    qtbot.mouseClick(page.lessons.days[0].add_button, LEFT)  # new fields are watched too
    qtbot.waitUntil(lambda: not mode.panel_open, timeout=3000)
    assert window.current_page() is window.content()
