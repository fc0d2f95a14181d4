"""The device app under systemd: readiness when its window is up, and a watchdog fed
only while both the Qt event loop and the call engine's thread are alive.

The kiosk unit (packaging/kiosk/klasgenoot-kiosk.service) runs the app as a child of
the cage compositor with ``NotifyAccess=all``, ``Type=notify`` and ``WatchdogSec=``:
a Qt loop that hangs stops the timer below, an engine loop that hangs stops answering
the bridge's pings (``EngineBridge.heartbeat``), and either way systemd restarts the
session. Outside systemd every call here does nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from app.bridge import EngineBridge
from common import sdnotify

logger = logging.getLogger(__name__)

GUI = "gui"
ENGINE = "engine"


class ServiceWatchdog(QObject):
    """Feeds systemd's watchdog from the GUI thread's event loop while every part lives."""

    def __init__(self, interval: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._parts = {GUI}
        self._heartbeat = sdnotify.Heartbeat((GUI,))
        self._timer = QTimer(self)
        # Half of WatchdogSec=, as sd_watchdog_enabled(3) advises; the engine's pong
        # arrives every EngineBridge ping (0.5 s), well within that.
        self._timer.setInterval(max(100, int(interval * 1000 / 2)))
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    @classmethod
    def from_environment(cls, parent: QObject | None = None) -> ServiceWatchdog | None:
        """A watchdog when systemd asked for one (``WatchdogSec=``), else None. The app
        is the compositor's child in the kiosk unit, so WATCHDOG_PID names cage."""
        interval = sdnotify.watchdog_seconds(child_of_main=True)
        if interval is None:
            return None
        logger.info("systemd watchdog every %.1f s", interval)
        return cls(interval, parent)

    def watch(self, bridge: EngineBridge) -> None:
        """From now on the engine's thread must beat too (the call window is up)."""
        self._parts.add(ENGINE)
        self._heartbeat = heartbeat = sdnotify.Heartbeat(tuple(sorted(self._parts)))
        bridge.heartbeat = heartbeat

    def _tick(self) -> None:
        self._heartbeat.beat(GUI)
        self._heartbeat.ping()


def ready() -> None:
    """The first window is on screen: the unit has started (``Type=notify``)."""
    sdnotify.notify("READY=1")
