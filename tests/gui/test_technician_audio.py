"""Technician: the audio processing stages (issue 11) reach the running engine, the
settings and the audit trail; without the module the panel says so in words."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app import audio_settings
from app.bridge import EngineBridge
from app.cli_gui import DeviceSession
from app.demo.workspace import Workspace, prepare
from app.settings import SettingsStore
from app.technician import TechnicianMode
from app.technician.audio import AudioProcessingView
from media.audio.processor import ProcessingState
from media.audio.settings import AudioSettings
from pairing.roles import Role
from tests.gui.test_technician_features import audit_records, engine_value
from tests.support.a11y import assert_accessible

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return prepare(tmp_path / "demo")[0]


@pytest.fixture
def sessions(qtbot: QtBot) -> Iterator[list[DeviceSession]]:
    opened: list[DeviceSession] = []
    yield opened
    for session in opened:
        session.close()


def open_session(qtbot: QtBot, sessions: list[DeviceSession], folder: Path) -> DeviceSession:
    session = DeviceSession(folder, Role.STUDENT, windowed=True, synthetic=True,
                            dev_keyring=True)  # fmt: skip
    session.open()
    sessions.append(session)
    qtbot.addWidget(session.windows[-1])
    assert session.technician is not None and session.bridge is not None
    return session


def audio_panel(session: DeviceSession) -> tuple[TechnicianMode, EngineBridge, AudioProcessingView]:
    """The technician panel opened, and its sound-processing group."""
    mode, bridge = session.technician, session.bridge
    assert mode is not None and bridge is not None
    mode.open_panel()
    return mode, bridge, mode.audio.view


def test_a_stage_switched_off_reaches_the_engine_now_and_the_next_one(
    qtbot: QtBot, workspace: Workspace, sessions: list[DeviceSession]
) -> None:
    folder = workspace.device_dir(Role.STUDENT)
    session = open_session(qtbot, sessions, folder)
    _mode, bridge, view = audio_panel(session)
    on = view.tr("Sound processing is on. Changes apply at once, also in a call.")
    qtbot.waitUntil(lambda: view.state_label.text() == on, timeout=5000)
    echo = view.checks["echo_cancellation"]
    assert echo.isChecked() and not view.checks["auto_gain_control"].isChecked()
    qtbot.mouseClick(echo, LEFT, pos=QPoint(12, echo.height() // 2))  # on the box
    assert not echo.isChecked()
    assert_accessible(view)

    expected = AudioSettings(echo_cancellation=False)
    assert audio_settings.load(SettingsStore(folder)) == expected
    qtbot.waitUntil(lambda: engine_value(qtbot, bridge, lambda e: e.processor.settings) == expected)
    assert ("audio.echo_cancellation", "true", "false") in audit_records(folder)

    session.close()
    again = open_session(qtbot, sessions, folder)
    assert again.bridge is not None
    assert engine_value(qtbot, again.bridge, lambda e: e.processor.settings) == expected


def test_without_the_module_the_panel_says_so(
    qtbot: QtBot, workspace: Workspace, sessions: list[DeviceSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "livekit.rtc", None)  # as if livekit were missing
    session = open_session(qtbot, sessions, workspace.device_dir(Role.STUDENT))
    _mode, bridge, view = audio_panel(session)
    state = engine_value(qtbot, bridge, lambda e: e.processor.state)
    assert state is ProcessingState.UNAVAILABLE
    qtbot.waitUntil(lambda: "could not start" in view.state_label.text(), timeout=5000)
    assert "echo" in view.state_label.text()


def test_the_loudness_target_is_this_devices_own(
    qtbot: QtBot, workspace: Workspace, sessions: list[DeviceSession]
) -> None:
    folder = workspace.device_dir(Role.STUDENT)
    session = open_session(qtbot, sessions, folder)
    mode, bridge, view = audio_panel(session)
    assert view.target.value() == -20 and not view.target.isEnabled()  # automatic loudness off
    agc = view.checks["auto_gain_control"]
    qtbot.mouseClick(agc, LEFT, pos=QPoint(12, agc.height() // 2))
    assert view.target.isEnabled()
    for _ in range(4):  # four taps on the arrow: one stored and audited change
        view.target.stepUp()
    assert audio_settings.load(SettingsStore(folder)).agc_target_dbfs == -20  # not yet
    expected = AudioSettings(auto_gain_control=True, agc_target_dbfs=-16)
    qtbot.waitUntil(lambda: audio_settings.load(SettingsStore(folder)) == expected, timeout=3000)
    qtbot.waitUntil(lambda: engine_value(qtbot, bridge, lambda e: e.processor.settings) == expected)
    records = audit_records(folder)
    assert ("audio.agc_target_dbfs", "-20", "-16") in records
    assert sum(1 for r in records if r[0] == "audio.agc_target_dbfs") == 1
    assert_accessible(view)
    other = workspace.device_dir(Role.CLASSROOM)  # the peer keeps its own target
    assert audio_settings.load(SettingsStore(other)).agc_target_dbfs == -20
    assert not mode.audio.set_target(-3)  # out of range: refused, nothing changed
    assert audio_settings.load(SettingsStore(folder)) == expected


def test_ducking_and_the_leak_guard_are_switches_that_reach_the_engine(
    qtbot: QtBot, workspace: Workspace, sessions: list[DeviceSession]
) -> None:
    folder = workspace.device_dir(Role.CLASSROOM)
    session = open_session(qtbot, sessions, folder)
    _mode, bridge, view = audio_panel(session)
    ducking, guard = view.checks["ducking"], view.checks["leak_guard"]
    assert not ducking.isChecked() and guard.isChecked()  # the defaults
    qtbot.mouseClick(ducking, LEFT, pos=QPoint(12, ducking.height() // 2))
    qtbot.mouseClick(guard, LEFT, pos=QPoint(12, guard.height() // 2))
    expected = AudioSettings(ducking=True, leak_guard=False)
    assert audio_settings.load(SettingsStore(folder)) == expected
    qtbot.waitUntil(lambda: engine_value(qtbot, bridge, lambda e: e.processor.settings) == expected)
    records = audit_records(folder)
    assert ("audio.ducking", "false", "true") in records
    assert ("audio.leak_guard", "true", "false") in records
    assert_accessible(view)
