"""Issue 15, item 17: technician mode opens by a finger held on the corner, also while
a banner shows. Real touch events (QTest's touch screen) on the window, the real
TechnicianMode behind it: the PIN dialog must open."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.banner import BannerKind
from app.bridge import EngineBridge
from app.classroom.window import ClassroomWindow
from app.kiosk import HOT_ZONE, KioskWindow
from app.settings import SettingsStore
from app.technician import TechnicianMode
from media.state import CallState, EndReason, StateChange

HOLD_MS = 200
PIN = "4821"
CORNER = QPoint(HOT_ZONE // 2, HOT_ZONE // 2)


@pytest.fixture(scope="module")
def screen() -> QPointingDevice:
    return QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)


@pytest.fixture
def no_mouse_from_touch() -> Iterator[None]:
    """A platform that does not turn an unhandled touch into mouse events."""
    attribute = Qt.ApplicationAttribute.AA_SynthesizeMouseForUnhandledTouchEvents
    before = QApplication.testAttribute(attribute)
    QApplication.setAttribute(attribute, False)
    yield
    QApplication.setAttribute(attribute, before)


def _technician(qtbot: QtBot, window: KioskWindow, folder: Path) -> TechnicianMode:
    qtbot.addWidget(window)
    mode = TechnicianMode(window, SettingsStore(folder))
    mode.pins.set_pin(PIN, PIN)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return mode


def _kiosk(qtbot: QtBot, tmp_path: Path) -> tuple[KioskWindow, TechnicianMode]:
    window = KioskWindow(windowed=True, long_press_ms=HOLD_MS)
    window.set_content(QLabel("the call"))
    return window, _technician(qtbot, window, tmp_path / "device")


def _hold_corner(qtbot: QtBot, window: QWidget, screen: QPointingDevice) -> None:
    QTest.touchEvent(window, screen).press(0, CORNER, window).commit()
    qtbot.wait(HOLD_MS // 4)
    QTest.touchEvent(window, screen).move(0, CORNER + QPoint(1, 0), window).commit()  # a finger
    qtbot.wait(HOLD_MS + 150)
    QTest.touchEvent(window, screen).release(0, CORNER + QPoint(1, 0), window).commit()


def _pin_dialog_opened(qtbot: QtBot, mode: TechnicianMode) -> None:
    qtbot.waitUntil(lambda: mode.dialog is not None and mode.dialog.isVisible(), timeout=2000)


def test_a_held_finger_opens_technician_mode_while_a_banner_shows(
    qtbot: QtBot, tmp_path: Path, screen: QPointingDevice
) -> None:
    window, mode = _kiosk(qtbot, tmp_path)
    # Shown by whoever holds the banner (the first-run screen shows its own this way):
    # the banner used to raise itself over the corner and take the finger.
    window.banner.show_message("Er ging iets mis.", BannerKind.ERROR)
    assert window.banner.isVisible()
    assert window.banner.geometry().contains(CORNER)  # the banner really is under it
    _hold_corner(qtbot, window, screen)
    _pin_dialog_opened(qtbot, mode)
    assert window.banner.isVisible()  # the finger did not go to the banner


def test_a_short_touch_opens_nothing(qtbot: QtBot, tmp_path: Path, screen: QPointingDevice) -> None:
    window, mode = _kiosk(qtbot, tmp_path)
    window.show_banner("Er ging iets mis.", BannerKind.WARNING)
    QTest.touchEvent(window, screen).press(0, CORNER, window).commit()
    qtbot.wait(HOLD_MS // 4)
    QTest.touchEvent(window, screen).release(0, CORNER, window).commit()
    qtbot.wait(HOLD_MS * 2)
    assert mode.dialog is None


@pytest.mark.usefixtures("no_mouse_from_touch")
def test_the_corner_takes_the_touch_itself(
    qtbot: QtBot, tmp_path: Path, screen: QPointingDevice
) -> None:
    """Not through mouse events made up from the touch: a platform may not make them."""
    window, mode = _kiosk(qtbot, tmp_path)
    window.show_banner("Er ging iets mis.", BannerKind.ERROR)
    _hold_corner(qtbot, window, screen)
    _pin_dialog_opened(qtbot, mode)


def test_a_sign_raised_later_over_the_corner_does_not_hide_it(
    qtbot: QtBot, tmp_path: Path, screen: QPointingDevice
) -> None:
    window, mode = _kiosk(qtbot, tmp_path)
    window.show_banner("Er ging iets mis.", BannerKind.ERROR)
    sign = QLabel("LIVE", window)  # a child of the window, as the classroom's LIVE sign
    sign.setGeometry(0, 0, 300, 120)
    sign.show()
    sign.raise_()
    assert window.childAt(CORNER) is window.hot_zone
    _hold_corner(qtbot, window, screen)
    _pin_dialog_opened(qtbot, mode)


def test_the_class_unit_opens_technician_mode_by_touch_with_its_update_banner(
    qtbot: QtBot, tmp_path: Path, screen: QPointingDevice
) -> None:
    window = ClassroomWindow(EngineBridge(), windowed=True, long_press_ms=HOLD_MS)
    mode = _technician(qtbot, window, tmp_path / "device")
    window.bridge.state_changed.emit(StateChange(CallState.ENDED, EndReason.UPDATE_NEEDED))
    qtbot.waitUntil(window.banner.isVisible)
    qtbot.wait(50)  # the banner's layout and the LIVE sign's placing settle
    _hold_corner(qtbot, window, screen)
    _pin_dialog_opened(qtbot, mode)
