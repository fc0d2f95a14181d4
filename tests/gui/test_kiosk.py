"""KioskWindow: close ignored unless windowed, technician chord and long press,
banner and error hooks, sleep inhibition while live, cursor, content and panels."""

from __future__ import annotations

import os
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.banner import BannerKind
from app.kiosk import KioskWindow, install_excepthooks
from app.sleep_inhibit import SleepInhibitor
from common.errors import KlasgenootError
from pairing.errors import BundleWrongDevice
from tests.support.a11y import assert_accessible


class RecordingBackend:
    name = "recording"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def inhibit(self, reason: str) -> None:
        self.calls.append("inhibit")

    def release(self) -> None:
        self.calls.append("release")


def make(qtbot: QtBot, **kwargs: object) -> KioskWindow:
    window = KioskWindow(**kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.set_content(QLabel("call"))
    return window


def test_kiosk_window_ignores_close(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_kiosk()
    qtbot.waitExposed(window)
    assert window.isFullScreen()
    screen = window.screen()  # also where no window manager makes it full screen
    assert screen is not None and window.geometry() == screen.geometry()
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert window.close() is False
    assert window.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert window.isVisible()


def test_windowed_window_closes(qtbot: QtBot) -> None:
    window = make(qtbot, windowed=True)
    window.show_kiosk()
    qtbot.waitExposed(window)
    assert not window.isFullScreen()
    assert not window.windowFlags() & Qt.WindowType.FramelessWindowHint
    with qtbot.waitSignal(window.closed):
        assert window.close() is True
    assert not window.isVisible()


def test_exit_to_desktop_closes_a_kiosk_window(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_kiosk()
    with qtbot.waitSignal(window.closed):
        window.exit_to_desktop()
    assert not window.isVisible()


def test_cursor_hidden_on_the_classroom_kiosk(qtbot: QtBot) -> None:
    kiosk = make(qtbot, hide_cursor=True)
    assert kiosk.cursor().shape() == Qt.CursorShape.BlankCursor
    panel = QLabel("technician")
    kiosk.show_panel(panel)  # the technician works with a pointer
    assert panel.cursor().shape() == Qt.CursorShape.ArrowCursor
    assert make(qtbot).cursor().shape() != Qt.CursorShape.BlankCursor
    windowed = make(qtbot, hide_cursor=True, windowed=True)  # development: keep the mouse
    assert windowed.cursor().shape() != Qt.CursorShape.BlankCursor


def test_technician_chord_asks_for_technician_mode(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_kiosk()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts go to the active window
    chord = (
        Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier
        | Qt.KeyboardModifier.ShiftModifier
    )
    with qtbot.assertNotEmitted(window.technician_requested):
        qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.technician_requested, timeout=2000):
        qtbot.keyClick(window, Qt.Key.Key_T, chord)


def test_long_press_in_the_corner_asks_for_technician_mode(qtbot: QtBot) -> None:
    window = make(qtbot, long_press_ms=300)
    window.resize(800, 600)
    window.show_kiosk()
    qtbot.waitExposed(window)
    zone = window.hot_zone
    assert zone.geometry().topLeft() == QPoint(0, 0)
    assert (zone.width(), zone.height()) == (48, 48)
    assert zone.accessibleName()
    assert window.childAt(QPoint(10, 10)) is zone  # above the content
    # A short tap does nothing.
    with qtbot.assertNotEmitted(window.technician_requested, wait=500):
        qtbot.mousePress(zone, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
        qtbot.mouseRelease(zone, Qt.MouseButton.LeftButton, pos=QPoint(10, 10), delay=50)
    with qtbot.waitSignal(window.technician_requested, timeout=2000):
        qtbot.mousePress(zone, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseRelease(zone, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))


def test_default_long_press_is_three_seconds(qtbot: QtBot) -> None:
    assert make(qtbot).hot_zone.hold_ms == 3000


def test_no_sleep_while_live_and_allowed_after(qtbot: QtBot) -> None:
    backend = RecordingBackend()
    window = make(qtbot, inhibitor=SleepInhibitor(backend))
    window.set_live_call(True)
    window.set_live_call(True)  # idempotent
    assert window.live_call and backend.calls == ["inhibit"]
    window.set_live_call(False)
    assert not window.live_call and backend.calls == ["inhibit", "release"]
    window.set_live_call(True)
    window.exit_to_desktop()  # closing releases too
    assert backend.calls == ["inhibit", "release", "inhibit", "release"]


def test_banner_shows_errors_in_dutch_without_traceback(qtbot: QtBot) -> None:
    window = make(qtbot, windowed=True)
    window.show_kiosk()
    window.show_error(BundleWrongDevice("for ABCDEFG"))
    assert window.banner.text() == BundleWrongDevice.message()
    assert window.banner.kind is BannerKind.ERROR
    window.show_error(ValueError("secret internals"))
    assert window.banner.text() == KlasgenootError.message()
    assert "internals" not in window.banner.text()
    window.show_error(str(BundleWrongDevice("for ABCDEFG")))  # as the bridge's failed() says it
    assert window.banner.text() == BundleWrongDevice.message()
    assert_accessible(window)
    qtbot.mouseClick(window.banner.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert window.banner.text() == ""


def test_panel_over_content_and_back(qtbot: QtBot) -> None:
    window = make(qtbot, windowed=True)
    call = window.content()
    panel = QLabel("panel")
    window.show_panel(panel)
    assert window.current_page() is panel
    window.close_panel()
    assert window.current_page() is call
    replacement = QLabel("new call")
    window.set_content(replacement)
    assert window.content() is replacement and window.current_page() is replacement


def test_excepthooks_log_and_show_a_banner(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    window = make(qtbot, windowed=True)
    window.show_kiosk()
    restore = install_excepthooks(window)
    try:
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
        assert window.banner.text() == KlasgenootError.message()
        window.hide_banner()

        def worker() -> None:
            raise BundleWrongDevice("in a thread")

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: window.banner.text() == BundleWrongDevice.message())
    finally:
        restore()
    assert sys.excepthook is not None and threading.excepthook is not None
    assert "boom in a slot" in caplog.text  # the log keeps the technical detail
    assert "in a thread" in caplog.text
