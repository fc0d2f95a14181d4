"""The windowed demo: both devices side by side on this machine, each in its own window.

The signaling server runs on its own thread and loop (the GUI thread never waits on
the network); each window has its own EngineBridge, so each engine has its own
thread, as on the real devices. ICE stays on loopback. With ``seconds`` the call
runs that long once both sides show the other's picture, then (optionally) each
window is saved as a PNG and the demo ends; without it, it runs until closed.
Closing one window switches that device off (its engine hangs up, its camera and
microphone are released): the other window then shows that the peer has gone.
Closing the last one ends the demo.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from app.assembly import Sources, build_window, open_sources, start_engine
from app.av.catalog import FakeDeviceCatalog
from app.bridge import EngineBridge
from app.cli_gui import application, quit_on_interrupt
from app.demo.workspace import Workspace
from app.i18n import set_language
from app.kiosk import KioskWindow
from app.runtime import DeviceRuntime
from common.errors import KlasgenootError
from pairing.roles import Role
from signaling.server import RunningServer, start_server

logger = logging.getLogger(__name__)

SETUP_TIMEOUT_S = 40.0
MIN_PAINTED = 10  # frames each side must have painted before the call counts as running
SHOT_SIZE = (1280, 800)
SHOT_NAMES = {Role.STUDENT: "student.png", Role.CLASSROOM: "classroom.png"}


class DemoFailed(KlasgenootError):
    """De demo kwam niet op gang: er kwam geen beeld aan. Probeer het opnieuw."""


class ScreenshotsNotWritten(KlasgenootError):
    """De schermafbeeldingen konden niet worden opgeslagen. Controleer de map."""


class EmbeddedServer:
    """The signaling server on a thread of its own, for the length of the demo."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="server", daemon=True)
        self._server: RunningServer | None = None

    def start(self, timeout: float = 10.0) -> int:
        """Start and return the port (binding on 127.0.0.1 takes milliseconds)."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            start_server(self._folder, "127.0.0.1", 0), self._loop
        )
        self._server = future.result(timeout)
        return self._server.port

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"wss://127.0.0.1:{self._server.port}/ws"

    def stop(self, timeout: float = 5.0) -> None:
        if not self._thread.is_alive():
            return  # stopped already (a test takes the server away mid-call)
        if self._server is not None:
            future = asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop)
            try:
                future.result(timeout)
            except (concurrent.futures.TimeoutError, Exception):
                logger.warning("signaling server did not stop cleanly")
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)


@dataclass
class Device:
    role: Role
    bridge: EngineBridge
    sources: Sources
    window: KioskWindow
    stopped: bool = False

    def stop(self) -> None:
        """Hang up, end the engine and release the sources (once; closing calls it too)."""
        if self.stopped:
            return
        self.stopped = True
        self.bridge.stop()
        self.sources.stop()


@dataclass
class DemoOptions:
    seconds: float | None = None
    screenshots: Path | None = None
    synthetic: bool = False


@dataclass
class GuiDemo:
    """Both windows, their engines and the embedded server; ``run`` returns an exit code."""

    workspace: Workspace
    options: DemoOptions
    devices: dict[Role, Device] = field(default_factory=dict)
    server: EmbeddedServer | None = None
    result: int = 0
    _started: float = 0.0
    _running_since: float | None = None
    _watch: QTimer | None = None

    def run(self, app: QApplication) -> int:
        try:
            self.start(app)
            quit_on_interrupt(app)
            app.exec()
        finally:
            self.close()
        return self.result

    def start(self, app: QApplication) -> None:
        """The server, both devices and their windows; ``run`` then turns Qt's loop."""
        self.server = EmbeddedServer(self.workspace.server)
        self.server.start()
        for role in (Role.CLASSROOM, Role.STUDENT):
            self.devices[role] = self._open(role, self.server.url)
        self._place_windows(app)
        self._started = time.monotonic()
        self._watch = QTimer()
        self._watch.setInterval(100)  # also lets Python see Ctrl+C between Qt events
        self._watch.timeout.connect(lambda: self._tick(app))
        self._watch.start()

    def _open(self, role: Role, url: str) -> Device:
        runtime = DeviceRuntime.load(
            self.workspace.device_dir(role), dev_keyring=True, signaling_url=url
        )
        # One machine, one camera: the pupil may use it, the class side is synthetic.
        # Both "microphones" are synthetic: a real one would howl through the other
        # window's speaker in the same room.
        synthetic = self.options.synthetic or role is Role.CLASSROOM
        catalog = None
        if self.options.screenshots is not None:
            # Pictures are written: no real device is touched at all, not even a speaker.
            catalog = FakeDeviceCatalog()
            catalog.add_speaker(b"demo-speaker", "demo", default=True)
        sources = open_sources(  # the folder: the pupil starts at its stored level
            role, self.workspace.device_dir(role), synthetic=synthetic,
            synthetic_microphone=True, catalog=catalog,
        )  # fmt: skip
        bridge = EngineBridge()
        window = build_window(role, bridge, sources, windowed=True)
        start_engine(bridge, runtime, sources.media, loopback_only=True)
        device = Device(role, bridge, sources, window)
        # A closed window is a device switched off: otherwise its side of the call,
        # camera included, would go on unseen, and the other window would show it live.
        window.closed.connect(device.stop)
        window.show_kiosk()
        return device

    def _place_windows(self, app: QApplication) -> None:
        if self.options.screenshots is not None:  # the same picture on every screen
            for device in self.devices.values():
                device.window.resize(*SHOT_SIZE)
            return
        screen = app.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        width = min(960, (area.width() // 2 - 24) if area else 960)
        height = width * 10 // 16 + 120
        if area is not None:  # a narrow screen: taller, so the class still shows
            height = min(area.height() - 60, max(height, 640))
        x0 = area.x() + 8 if area else 0
        y0 = area.y() + 40 if area else 0
        for i, role in enumerate((Role.STUDENT, Role.CLASSROOM)):
            window = self.devices[role].window
            window.resize(width, height)
            x = x0 + i * (width + 16)
            if area is not None and i:  # a small screen: overlap rather than run off it
                x = max(x0, min(x, area.right() - 8 - max(width, window.minimumSizeHint().width())))
            window.move(x, y0)
            window.setWindowTitle(window.windowTitle() + " — " + _role_title(role))

    def _tick(self, app: QApplication) -> None:
        if self.options.seconds is None:
            return  # runs until the windows are closed
        now = time.monotonic()
        painted = all(_painted(d) >= MIN_PAINTED for d in self.devices.values())
        if self._running_since is None:
            if painted:
                self._running_since = now
            elif now - self._started > SETUP_TIMEOUT_S:
                print(DemoFailed.message(), file=sys.stderr)
                self.result = 1
                app.quit()
            return
        if now - self._running_since >= self.options.seconds:
            if self.options.screenshots is not None:
                try:
                    self.save_screenshots(self.options.screenshots)
                except ScreenshotsNotWritten as exc:  # a sentence, never a traceback
                    print(f"klasgenoot: {exc}", file=sys.stderr)
                    self.result = 1
            app.quit()

    def save_screenshots(self, folder: Path) -> list[Path]:
        """Each window as it is on screen (the video views paint their frames themselves)."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ScreenshotsNotWritten(str(folder)) from exc
        written = []
        for role, device in self.devices.items():
            path = folder / SHOT_NAMES[role]
            if not device.window.grab().save(str(path), "PNG"):
                raise ScreenshotsNotWritten(str(path))
            written.append(path)
        return written

    def close(self) -> None:
        if self._watch is not None:
            self._watch.stop()
        # The pupil leaves first, as in class: the classroom sees a clean hang-up.
        for device in sorted(self.devices.values(), key=lambda d: d.role is Role.CLASSROOM):
            device.stop()
            device.window.close()
        if self.server is not None:
            self.server.stop()
            self.server = None


def _painted(device: Device) -> int:
    video: Any = getattr(device.window, "video", None)
    return int(getattr(video, "frames_painted", 0) or 0)


def _role_title(role: Role) -> str:
    return {
        Role.STUDENT: QCoreApplication.translate("Demo", "pupil"),
        Role.CLASSROOM: QCoreApplication.translate("Demo", "class"),
    }[role]


def run_windowed(workspace: Workspace, options: DemoOptions) -> int:
    app = application()
    set_language("nl")
    return GuiDemo(workspace, options).run(app)
