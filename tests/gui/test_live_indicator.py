"""The LIVE indicator follows DESIGN.md "Call flow" 7: its rule, then the real window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.bridge import EngineBridge
from app.classroom.live import LiveRule
from app.classroom.window import ClassroomWindow
from media.state import CallState
from pairing.roles import Role
from tests.gui.devices import CallRig, rig  # noqa: F401 (the fixture)

SETUP_MS = 20_000


def test_live_goes_on_with_the_call_and_asks_for_confirmation() -> None:
    rule = LiveRule()
    assert rule.state_changed(CallState.CONNECTING) is False and not rule.on
    assert rule.state_changed(CallState.LIVE) is True and rule.on


def test_live_goes_off_only_after_sending_has_stopped() -> None:
    rule = LiveRule()
    rule.state_changed(CallState.LIVE)
    rule.sending_changed(True)
    rule.state_changed(CallState.RECONNECTING)
    assert rule.on  # still sending as far as we know
    rule.sending_changed(False)
    assert not rule.on


def test_a_live_period_that_never_sent_turns_off_when_it_ends() -> None:
    rule = LiveRule()
    rule.state_changed(CallState.LIVE)
    rule.state_changed(CallState.ENDED)  # before the confirmation reached the engine
    assert not rule.on


def test_a_stale_sending_stop_does_not_turn_off_a_live_call() -> None:
    rule = LiveRule()
    rule.state_changed(CallState.LIVE)
    rule.sending_changed(True)
    rule.sending_changed(False)  # e.g. an old link's gate closing late
    assert rule.on


def test_sending_without_live_turns_live_on() -> None:
    rule = LiveRule()
    rule.sending_changed(True)
    assert rule.on


def test_live_stays_on_while_the_engine_does_not_answer() -> None:
    rule = LiveRule()
    rule.state_changed(CallState.LIVE)
    rule.sending_changed(True)
    rule.responsive_changed(False)
    assert rule.on and rule.stalled_while_live
    rule.responsive_changed(True)
    assert rule.on and not rule.stalled_while_live


# -- the real classroom window on a real call ---------------------------------------


def _first_frame_recorder(bridge: EngineBridge) -> list[float]:
    """Times (on the engine thread, as frames arrive) of the pupil's received frames."""
    times: list[float] = []
    bridge.video_frame_arrived.connect(
        lambda: times.append(time.monotonic()), Qt.ConnectionType.DirectConnection
    )
    return times


def test_live_is_on_screen_before_the_pupil_gets_the_first_class_frame(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    classroom = rig.open(Role.CLASSROOM)
    window = classroom.window
    assert isinstance(window, ClassroomWindow)
    painted: list[float] = []
    window.live.painted.connect(lambda: painted.append(time.monotonic()))
    sending: list[tuple[float, bool]] = []
    classroom.bridge.sending_changed.connect(lambda on: sending.append((time.monotonic(), on)))
    assert not window.live.isVisible() and window.pupil.showing == "idle"

    student = rig.open(Role.STUDENT, start=False)
    frames = _first_frame_recorder(student.bridge)
    student.start()
    qtbot.waitUntil(lambda: len(frames) >= 3, timeout=SETUP_MS)
    assert painted and painted[0] < frames[0]  # LIVE was painted before the first frame
    assert sending[0][1] is True and painted[0] < sending[0][0]  # ... and before sending
    assert window.live.isVisible() and window.live.is_on
    assert window.live_call  # the screen stays on while live


def test_live_goes_off_only_after_sending_has_stopped(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    classroom = rig.open(Role.CLASSROOM)
    student = rig.open(Role.STUDENT)
    window = classroom.window
    assert isinstance(window, ClassroomWindow)
    qtbot.waitUntil(lambda: window.rule.sending, timeout=SETUP_MS)
    # Connected after the window's own slots, so these see what the window just did.
    seen: list[tuple[str, object, bool]] = []
    classroom.bridge.state_changed.connect(
        lambda c: seen.append(("state", c.state, window.live.isVisible()))
    )
    classroom.bridge.sending_changed.connect(
        lambda on: seen.append(("sending", on, window.live.isVisible()))
    )
    student.bridge.hangup()
    qtbot.waitUntil(lambda: ("sending", False, False) in seen, timeout=5000)
    stop = seen.index(("sending", False, False))
    assert any(kind == "state" and value is not CallState.LIVE for kind, value, _ in seen[:stop])
    assert all(on for _, _, on in seen[:stop])  # on until sending had stopped
    assert not window.live.isVisible() and not window.live_call
    qtbot.waitUntil(lambda: window.pupil.showing == "idle", timeout=3000)


def test_live_stays_on_when_the_engine_stops_answering(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    classroom = rig.open(Role.CLASSROOM)
    rig.open(Role.STUDENT)
    window = classroom.window
    assert isinstance(window, ClassroomWindow)
    qtbot.waitUntil(lambda: window.rule.sending, timeout=SETUP_MS)

    with qtbot.waitSignal(classroom.bridge.engine_responsive_changed, timeout=6000) as blocker:
        classroom.bridge.run(lambda _engine: time.sleep(3))  # the engine loop hangs
    assert blocker.args == [False]
    assert window.live.isVisible() and window.live.is_on
    assert "not responding" in window.banner.text()  # the technician is told
    with qtbot.waitSignal(classroom.bridge.engine_responsive_changed, timeout=6000) as back:
        pass
    assert back.args == [True]
    assert window.banner.text() == ""


def test_nothing_hides_live_not_even_the_technician_panel(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    classroom = rig.open(Role.CLASSROOM)
    rig.open(Role.STUDENT)
    window = classroom.window
    assert isinstance(window, ClassroomWindow)
    qtbot.waitUntil(lambda: window.live.is_on, timeout=SETUP_MS)
    panel = QWidget()
    window.show_panel(panel)
    assert window.current_page() is panel
    assert window.live.isVisible() and window.live.parentWidget() is window
    siblings = [c for c in window.children() if isinstance(c, QWidget)]  # bottom → top
    assert siblings.index(window.live) > siblings.index(panel.parentWidget())


def test_volume_buttons_and_slider_set_the_speaker(rig: CallRig, qtbot: QtBot) -> None:  # noqa: F811
    classroom = rig.open(Role.CLASSROOM)
    window = classroom.window
    assert isinstance(window, ClassroomWindow)
    speaker = classroom.sources.speaker
    volume = window.volume
    assert speaker.volume == pytest.approx(volume.volume)
    before = speaker.volume
    qtbot.mouseClick(volume.down, Qt.MouseButton.LeftButton)
    assert speaker.volume == pytest.approx(before - 0.1)
    qtbot.mouseClick(volume.up, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(volume.up, Qt.MouseButton.LeftButton)
    assert speaker.volume == pytest.approx(before + 0.1)
    volume.slider.setFocus()
    qtbot.keyClick(volume.slider, Qt.Key.Key_Home)
    assert speaker.volume == 0.0 and volume.percent.text() == "0 %"
    assert not volume.no_speaker.isVisible()
