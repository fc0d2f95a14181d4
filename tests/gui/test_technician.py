"""Technician mode: opened by chord or long press, behind the PIN (with its lockout),
then the panel with device info, device choice and tests, status, exit."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app import i18n
from app.bridge import EngineBridge
from app.kiosk import KioskWindow
from app.settings import SettingsStore
from app.technician import TechnicianMode
from app.technician.pin import LOCKOUT_SECONDS, MAX_TRIES
from app.technician.pinpad import PinDialog, PinLockedDialog
from app.technician.view import TechnicianView
from media.state import CallState, StateChange
from media.stats import CallStats
from pairing.certificates import fingerprint
from pairing.device import DeviceConfig
from tests.support.a11y import assert_accessible
from tests.support.pki import TestFleet

PIN = "731904"
CHORD = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ShiftModifier
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class FakeDevice:
    id: bytes
    description: str


class FakeCatalog(QObject):
    """Shaped like app.av's catalog: three lists and a signal when one changes."""

    cameras_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.camera_list = [FakeDevice(b"/dev/video0", "Built-in camera"),
                            FakeDevice(b"/dev/video2", "USB camera")]  # fmt: skip
        self.microphone_list = [FakeDevice(b"mic-1", "Desk microphone")]

    def cameras(self) -> list[FakeDevice]:
        return self.camera_list

    def microphones(self) -> list[FakeDevice]:
        return self.microphone_list

    def speakers(self) -> list[FakeDevice]:
        return []


@pytest.fixture
def device(fleet: TestFleet) -> DeviceConfig:
    student, _ = fleet.pair(days=90)
    return DeviceConfig(
        credentials=student,
        signaling_urls=("wss://signal.school.nl:8443/ws",),
        ice_servers=(),
        ca_fingerprint=fingerprint(fleet.ca.certificate),
    )


@dataclass
class Rig:
    window: KioskWindow
    mode: TechnicianMode
    settings: SettingsStore
    clock: FakeClock
    catalog: FakeCatalog
    bridge: EngineBridge


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path, device: DeviceConfig) -> Rig:
    settings = SettingsStore(tmp_path / "device")
    clock, catalog, bridge = FakeClock(), FakeCatalog(), EngineBridge()
    window = KioskWindow(windowed=True, long_press_ms=200)
    qtbot.addWidget(window)
    window.set_content(QLabel("the call"))
    mode = TechnicianMode(window, settings, device=device, catalog=catalog, bridge=bridge,
                          clock=clock)  # fmt: skip
    mode.pins.set_pin(PIN, PIN)
    window.resize(1024, 768)
    window.show_kiosk()
    qtbot.waitExposed(window)
    return Rig(window, mode, settings, clock, catalog, bridge)


def pin_dialog(rig: Rig) -> PinDialog:
    dialog = rig.mode.dialog
    assert isinstance(dialog, PinDialog)
    return dialog


def enter(qtbot: QtBot, dialog: PinDialog, pin: str) -> None:
    qtbot.keyClicks(dialog.field, pin)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)


def test_chord_opens_the_pin_dialog(qtbot: QtBot, rig: Rig) -> None:
    rig.window.activateWindow()
    qtbot.waitUntil(rig.window.isActiveWindow)
    qtbot.keyClick(rig.window, Qt.Key.Key_T, CHORD)
    qtbot.waitUntil(lambda: rig.mode.dialog is not None and rig.mode.dialog.isVisible())
    assert rig.window.current_page() is rig.window.content()  # nothing shown before the PIN


def test_long_press_opens_the_pin_dialog(qtbot: QtBot, rig: Rig) -> None:
    qtbot.mousePress(rig.window.hot_zone, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(lambda: rig.mode.dialog is not None and rig.mode.dialog.isVisible())
    qtbot.mouseRelease(rig.window.hot_zone, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def test_right_pin_opens_the_panel(qtbot: QtBot, rig: Rig) -> None:
    rig.mode.request()
    dialog = pin_dialog(rig)
    assert_accessible(dialog)
    with qtbot.waitSignal(rig.mode.opened):
        enter(qtbot, dialog, PIN)
    assert rig.window.current_page() is rig.mode.view
    qtbot.waitUntil(lambda: rig.mode.dialog is None)


def test_digit_pad_types_the_pin(qtbot: QtBot, rig: Rig) -> None:
    rig.mode.request()
    dialog = pin_dialog(rig)
    for digit in PIN:
        (button,) = [b for b in dialog.findChildren(QPushButton) if b.text() == digit]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.field.text() == PIN
    with qtbot.waitSignal(rig.mode.opened):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)


def test_wrong_pin_then_lockout_across_a_restart(qtbot: QtBot, rig: Rig, tmp_path: Path) -> None:
    rig.mode.request()
    dialog = pin_dialog(rig)
    enter(qtbot, dialog, "000000")
    assert dialog.isVisible() and rig.window.current_page() is rig.window.content()
    assert str(MAX_TRIES - 1) in dialog.message.text()
    for _ in range(MAX_TRIES - 1):
        enter(qtbot, dialog, "000000")
    assert not dialog.field.isEnabled() and not dialog.open_button.isEnabled()
    assert "5" in dialog.message.text()  # minutes left

    # "Restart": a new window and technician mode on the same settings file.
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    window.set_content(QLabel("call"))
    again = TechnicianMode(window, rig.settings, clock=rig.clock)
    again.request()
    dialog = again.dialog
    assert isinstance(dialog, PinDialog)
    assert not dialog.field.isEnabled()
    assert not again.pins.check(PIN).ok  # even the right PIN while locked

    rig.clock.now += LOCKOUT_SECONDS
    qtbot.waitUntil(dialog.field.isEnabled, timeout=3000)  # the dialog's countdown sees it
    with qtbot.waitSignal(again.opened):
        enter(qtbot, dialog, PIN)


def test_enter_in_the_pin_field_counts_one_try(qtbot: QtBot, rig: Rig) -> None:
    """Enter reaches the dialog's default button only: once it also counted twice, so
    the lockout came after three tries instead of five."""
    rig.mode.request()
    dialog = pin_dialog(rig)
    dialog.field.setFocus()
    for tried in range(1, MAX_TRIES):
        qtbot.keyClicks(dialog.field, "000000")
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
        assert str(MAX_TRIES - tried) in dialog.message.text()
        assert dialog.field.isEnabled()
    qtbot.keyClicks(dialog.field, "000000")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.isVisible() and not dialog.field.isEnabled()  # says it is locked
    assert "5" in dialog.message.text()


def test_panel_shows_the_device(qtbot: QtBot, rig: Rig, device: DeviceConfig) -> None:
    rig.mode.open_panel()
    view = rig.mode.view
    info = device.info
    assert view.info_text("device_id").replace("\n", "") == info.device_id.text
    assert view.info_text("peer").replace("\n", "") == info.peer_id.text
    assert view.info_text("pairing") == info.pairing_id
    assert view.info_text("server") == "wss://signal.school.nl:8443/ws"
    assert view.info_text("ca").replace("\n", ":") == device.ca_fingerprint
    assert str(info.not_after.year) in view.info_text("expiry")
    assert view.info_text("role")
    assert_accessible(rig.window)


def test_device_choice_is_saved_and_tests_are_asked_for(qtbot: QtBot, rig: Rig) -> None:
    rig.mode.open_panel()
    view = rig.mode.view
    cameras = view.choices["camera"]
    assert [cameras.itemText(i) for i in range(cameras.count())] == ["Built-in camera",
                                                                      "USB camera"]  # fmt: skip
    with qtbot.waitSignal(rig.mode.device_chosen) as chosen:
        cameras.setCurrentIndex(1)
        cameras.activated.emit(1)
    assert chosen.args == ["camera", "/dev/video2"]
    assert rig.settings.load().camera == "/dev/video2"
    with qtbot.waitSignal(rig.mode.device_test_requested) as test:
        qtbot.mouseClick(view.test_buttons["microphone"], Qt.MouseButton.LeftButton)
    assert test.args == ["microphone", "mic-1"]
    assert not view.test_buttons["speaker"].isEnabled()  # no speaker: said, not testable
    assert not view.choices["speaker"].isEnabled()
    view.show_test_result("microphone", "level 42 %")
    assert view.test_results["microphone"].text() == "level 42 %"

    # The choice survives: a new panel selects the saved camera.
    fresh = TechnicianView()
    qtbot.addWidget(fresh)
    fresh.set_catalog(rig.catalog, {"camera": rig.settings.load().camera})
    assert fresh.choices["camera"].currentData() == "/dev/video2"


def test_devices_come_and_go(qtbot: QtBot, rig: Rig) -> None:
    view = rig.mode.view
    rig.catalog.camera_list = []
    rig.mode.open_panel()  # rereads the catalog
    assert not view.choices["camera"].isEnabled()
    rig.catalog.camera_list = [FakeDevice(b"/dev/video4", "New camera")]
    rig.catalog.cameras_changed.emit()  # plugged in: the panel follows by itself
    assert view.choices["camera"].currentText() == "New camera"


def test_connection_status_follows_the_engine(qtbot: QtBot, rig: Rig) -> None:
    view = rig.mode.view
    before = (view.status_text("signaling"), view.status_text("peer"), view.status_text("state"))
    rig.bridge.on_signaling(True)
    rig.bridge.on_peer_online(True)
    rig.bridge.on_state(StateChange(CallState.LIVE))
    rig.bridge.on_stats(CallStats(bitrate_in_kbps=1234.0, rtt_ms=42.0, candidate_type="relay"))
    qtbot.waitUntil(lambda: "1234" in view.status_text("stats"))
    after = (view.status_text("signaling"), view.status_text("peer"), view.status_text("state"))
    assert all(a != b for a, b in zip(after, before, strict=True))
    assert "42" in view.status_text("stats") and "relay" in view.status_text("stats")


def test_back_and_exit_to_desktop(qtbot: QtBot, rig: Rig) -> None:
    rig.mode.open_panel()
    qtbot.mouseClick(rig.mode.view.back_button, Qt.MouseButton.LeftButton)
    assert rig.window.current_page() is rig.window.content()
    rig.mode.open_panel()
    with qtbot.waitSignal(rig.window.closed):
        qtbot.mouseClick(rig.mode.view.exit_button, Qt.MouseButton.LeftButton)
    assert not rig.window.isVisible()


def damage(settings: SettingsStore, how: str) -> None:
    settings.path.parent.mkdir(parents=True, exist_ok=True)
    if how == "not json":
        settings.path.write_bytes(b'{"version": 1, "pin": {"salt": "tru')  # cut short
    else:  # valid JSON, the PIN record garbled
        settings.path.write_text('{"version": 1, "pin": {"salt": "!!", "digest": 3}}')


@pytest.mark.parametrize("how", ["not json", "pin record"])
def test_a_damaged_pin_record_keeps_technician_mode_shut_and_says_how_to_recover(
    qtbot: QtBot, tmp_path: Path, language: Path, how: str
) -> None:
    i18n.set_language("nl", language)
    settings = SettingsStore(tmp_path / "device")
    damage(settings, how)
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    window.set_content(QLabel("call"))
    mode = TechnicianMode(window, settings)
    window.show_kiosk()
    mode.request()
    dialog = mode.dialog
    assert isinstance(dialog, PinLockedDialog)
    qtbot.waitUntil(dialog.isVisible)
    text = dialog.message.text()
    assert text.startswith("Technicusmodus is op slot")
    assert f"klasgenoot technician reset-pin --config {tmp_path / 'device'}" in text
    assert not dialog.findChildren(QLineEdit)  # nowhere to type a new PIN
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not mode.panel_open
    assert not mode.pins.is_set()
    assert not mode.pins.check("0000").ok  # and no PIN opens it either


def test_panel_closes_by_itself_when_left_alone(qtbot: QtBot, tmp_path: Path) -> None:
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    window.set_content(QLabel("call"))
    mode = TechnicianMode(window, SettingsStore(tmp_path), idle_ms=400)
    window.show_kiosk()
    mode.open_panel()
    assert mode.panel_open
    start = time.monotonic()

    def busy_for_twice_the_idle_time() -> bool:
        qtbot.keyClick(mode.view.language_choice, Qt.Key.Key_Shift)  # activity
        return time.monotonic() - start > 0.8

    qtbot.waitUntil(busy_for_twice_the_idle_time, timeout=3000)
    assert mode.panel_open  # activity kept it open
    qtbot.waitUntil(lambda: not mode.panel_open, timeout=3000)
    assert window.current_page() is window.content()
