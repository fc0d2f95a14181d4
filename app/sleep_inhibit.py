"""Keep the screen on and the machine awake while a call is live; allow it again after.

Backends, first that fits:

- Windows: ``SetThreadExecutionState`` (display and system required).
- A desktop with ``org.freedesktop.ScreenSaver`` on the session bus (GNOME, KDE,
  Xfce, ...): ``Inhibit`` over QtDBus. The inhibition is held by a private bus
  connection and released by closing it: the screen-saver services drop an
  inhibition when its caller leaves the bus (so a crash releases it too), and
  PySide6 cannot marshal the uint32 cookie ``UnInhibit`` wants.
- X11 without that service (a bare kiosk session): ``xset s off -dpms``, and
  ``xset s default +dpms`` after.
- Otherwise nothing, with one line in the log (a kiosk compositor such as cage is
  configured not to blank instead: see packaging/).

Nothing here blocks the GUI thread: the D-Bus call is asynchronous and ``xset`` is
started detached.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import sys
from typing import Protocol

from PySide6.QtCore import QObject, QProcess
from PySide6.QtDBus import (
    QDBusConnection,
    QDBusMessage,
    QDBusPendingCallWatcher,
)
from PySide6.QtGui import QGuiApplication

logger = logging.getLogger(__name__)

APP_NAME = "Klasgenoot"
SERVICE = "org.freedesktop.ScreenSaver"
PATH = "/org/freedesktop/ScreenSaver"


class InhibitBackend(Protocol):
    name: str

    def inhibit(self, reason: str) -> None: ...

    def release(self) -> None: ...


class NullBackend:
    name = "none"

    def inhibit(self, reason: str) -> None:
        logger.info("no way to keep the screen on here: relying on the session's settings")

    def release(self) -> None:
        pass


class WindowsBackend:
    name = "windows"
    _CONTINUOUS, _SYSTEM, _DISPLAY = 0x80000000, 0x00000001, 0x00000002

    def _set(self, flags: int) -> None:
        if sys.platform == "win32":
            ctypes.windll.kernel32.SetThreadExecutionState(flags)

    def inhibit(self, reason: str) -> None:
        self._set(self._CONTINUOUS | self._SYSTEM | self._DISPLAY)

    def release(self) -> None:
        self._set(self._CONTINUOUS)


class DBusScreenSaverBackend(QObject):
    name = "dbus"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection = f"klasgenoot-inhibit-{id(self):x}"
        self._watcher: QDBusPendingCallWatcher | None = None

    @staticmethod
    def available() -> bool:
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return False
        reply = bus.interface().isServiceRegistered(SERVICE)
        return reply.isValid() and bool(reply.value())

    def inhibit(self, reason: str) -> None:
        bus = QDBusConnection.connectToBus(QDBusConnection.BusType.SessionBus, self._connection)
        if not bus.isConnected():
            logger.warning("screen saver: no session bus")
            return
        message = QDBusMessage.createMethodCall(SERVICE, PATH, SERVICE, "Inhibit")
        message.setArguments([APP_NAME, reason])
        self._watcher = QDBusPendingCallWatcher(bus.asyncCall(message), self)
        self._watcher.finished.connect(self._answered)

    def _answered(self, watcher: QDBusPendingCallWatcher) -> None:
        if watcher.isError():
            logger.warning("screen saver refused the inhibition: %s", watcher.error().name())
        else:
            logger.info("screen blanking inhibited (D-Bus)")

    def release(self) -> None:
        QDBusConnection.disconnectFromBus(self._connection)
        self._watcher = None
        logger.info("screen blanking allowed again (D-Bus)")


class XsetBackend:
    name = "xset"

    def __init__(self, program: str) -> None:
        self._program = program

    @staticmethod
    def find() -> str | None:
        if QGuiApplication.platformName() != "xcb" or not os.environ.get("DISPLAY"):
            return None
        return shutil.which("xset")

    def inhibit(self, reason: str) -> None:
        QProcess.startDetached(self._program, ["s", "off", "-dpms"])
        logger.info("screen blanking off (xset)")

    def release(self) -> None:
        QProcess.startDetached(self._program, ["s", "default", "+dpms"])
        logger.info("screen blanking allowed again (xset)")


def choose_backend(parent: QObject | None = None) -> InhibitBackend:
    if sys.platform == "win32":
        return WindowsBackend()
    if QGuiApplication.platformName() not in {"offscreen", "minimal"}:
        if DBusScreenSaverBackend.available():
            return DBusScreenSaverBackend(parent)
        xset = XsetBackend.find()
        if xset:
            return XsetBackend(xset)
    return NullBackend()


class SleepInhibitor(QObject):
    """On while a call is live; idempotent both ways."""

    def __init__(
        self, backend: InhibitBackend | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    @property
    def backend(self) -> InhibitBackend:
        if self._backend is None:  # chosen late: a window that never goes live asks nothing
            self._backend = choose_backend(self)
            logger.debug("sleep inhibition: %s", self._backend.name)
        return self._backend

    def set_active(self, active: bool, reason: str = "live call") -> None:
        if active == self._active:
            return
        self._active = active
        if active:
            self.backend.inhibit(reason)
        else:
            self.backend.release()
