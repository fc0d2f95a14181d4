"""``klasgenoot demo`` with windows, as a person runs it: a real subprocess, a real call.

The screenshot test runs under Xvfb (a real X server, as on a desktop) and under
Qt's offscreen platform; both must write a PNG of each window showing the other
side's live picture. The Xvfb pictures are what docs/user-guide.md shows: they are
copied to docs/screenshots/ when missing there or with KLASGENOOT_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.assembly import open_sources
from app.av.catalog import DeviceState, FakeDeviceCatalog
from app.bridge import EngineBridge
from app.classroom.window import ClassroomWindow
from app.cli_gui import DeviceSession
from app.demo.windows import DemoOptions, GuiDemo
from app.demo.workspace import prepare
from app.firstrun.view import FirstRunView
from app.student.status import Connection
from app.student.window import StudentWindow
from media.control import ControlMessage
from media.state import CallState, StateChange
from pairing.roles import Role

KLASGENOOT = Path(sys.executable).with_name("klasgenoot")
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOT_SIZE = (1280, 800)


def _env(**extra: str) -> dict[str, str]:
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def _demo(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KLASGENOOT), "demo", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)  # fmt: skip


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    """A private Xvfb server; its display number is chosen by Xvfb itself (-displayfd)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb xauth): no X screenshots")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def _region_colours(image: QImage, x0: float, y0: float, x1: float, y1: float) -> set[int]:
    """Distinct colours in a region given as fractions of the image (every 4th pixel)."""
    w, h = image.width(), image.height()
    return {
        image.pixel(x, y)
        for x in range(int(x0 * w), int(x1 * w), 4)
        for y in range(int(y0 * h), int(y1 * h), 4)
    }


def _check_shots(folder: Path) -> None:
    for name in ("student.png", "classroom.png"):
        image = QImage(str(folder / name))
        assert not image.isNull(), f"{name} is not a PNG"
        assert (image.width(), image.height()) == SHOT_SIZE
        # The middle of each window is the other side's picture: the synthetic pattern
        # has many colours; a placeholder or an empty video area has a handful.
        middle = _region_colours(image, 0.3, 0.3, 0.7, 0.7)
        assert len(middle) > 200, f"{name}: no live picture in the middle ({len(middle)} colours)"


def test_demo_screenshots_under_xvfb(tmp_path: Path, xvfb_display: str) -> None:
    shots = tmp_path / "shots"
    result = _demo(_env(DISPLAY=xvfb_display), "--seconds", "8", "--screenshots", str(shots))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    _check_shots(shots)
    _publish(shots, ("student.png", "classroom.png"))


def test_demo_screenshots_offscreen(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    env = _env(QT_QPA_PLATFORM="offscreen")
    result = _demo(env, "--seconds", "8", "--screenshots", str(shots))
    assert result.returncode == 0, result.stderr[-3000:]
    _check_shots(shots)
    assert "Schermafbeeldingen opgeslagen" in result.stdout


def test_screenshots_are_refused_with_a_real_camera(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    env = _env(QT_QPA_PLATFORM="offscreen")
    result = _demo(env, "--camera", "--screenshots", str(shots), timeout=30)
    assert result.returncode == 1
    assert "synthetisch beeld" in result.stderr and "Traceback" not in result.stderr
    assert not shots.exists()  # nothing written


def test_without_a_display_the_demo_says_so_and_runs_headless(tmp_path: Path) -> None:
    result = _demo(_env(), "--seconds", "2", timeout=90)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Geen beeldscherm gevonden" in result.stderr
    assert "Media beide kanten op: ja" in result.stdout


def render_quiet_moments(folder: str) -> None:
    """In its own process (the UI language is global): the screens with no call, in Dutch."""
    from PySide6.QtWidgets import QApplication

    from app.i18n import set_language

    app = QApplication.instance() or QApplication([])
    set_language("nl")
    catalog = FakeDeviceCatalog()
    catalog.add_speaker(b"speaker", "speaker", default=True)
    sources = open_sources(Role.STUDENT, synthetic=True, catalog=catalog)
    student = StudentWindow(EngineBridge(), camera=sources.camera, speaker=sources.speaker,
                            windowed=True)  # fmt: skip
    classroom = ClassroomWindow(EngineBridge(), speaker=sources.speaker, windowed=True)
    for window in (student, classroom):
        window.resize(*SHOT_SIZE)
        window.show()
    student.bridge.signaling_changed.emit(True)
    student.bridge.state_changed.emit(StateChange(CallState.WAITING))
    while student.preview.frames_painted == 0:  # the self-view's first picture
        app.processEvents()
    shots = {"student-waiting.png": student, "classroom-idle.png": classroom}
    for name, window in shots.items():
        window.grab().save(str(Path(folder) / name), "PNG")
    classroom.bridge.state_changed.emit(StateChange(CallState.LIVE))
    classroom.bridge.control_received.emit(ControlMessage("media", {"mic": True, "camera": False}))
    app.processEvents()
    classroom.grab().save(str(Path(folder) / "classroom-camera-off.png"), "PNG")
    print(student.view.waiting.title.text())
    sources.stop()


def test_pictures_of_the_quiet_moments_for_the_user_guide(tmp_path: Path) -> None:
    """What the pupil and the class see when there is no call (engine signals played)."""
    code = f"from tests.gui.test_gui_demo import render_quiet_moments as r; r({str(tmp_path)!r})"
    result = subprocess.run([sys.executable, "-c", code], env=_env(QT_QPA_PLATFORM="offscreen"),
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "De klas is nog niet online"
    names = ("student-waiting.png", "classroom-idle.png", "classroom-camera-off.png")
    for name in names:
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == SHOT_SIZE
    avatar = QImage(str(tmp_path / "classroom-camera-off.png"))
    assert len(_region_colours(avatar, 0.7, 0.0, 1.0, 0.15)) > 5  # LIVE is in the corner
    _publish(tmp_path, names)


def _publish(folder: Path, names: tuple[str, ...]) -> None:
    """Copy pictures to docs/screenshots/ when missing there, or when asked to refresh."""
    for name in names:
        target = DOCS_SHOTS / name
        if not target.exists() or os.environ.get("KLASGENOOT_UPDATE_SCREENSHOTS") == "1":
            DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / name, target)


def test_closing_the_pupils_demo_window_switches_that_side_off(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """In this process, so the test can close a window as a person does."""
    from PySide6.QtWidgets import QApplication

    workspace, _ = prepare(tmp_path / "demo")
    demo = GuiDemo(workspace, DemoOptions(synthetic=True))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        demo.start(app)
        pupil, room = demo.devices[Role.STUDENT], demo.devices[Role.CLASSROOM]
        classroom = room.window
        assert isinstance(classroom, ClassroomWindow)
        qtbot.waitUntil(lambda: classroom.video.frames_painted >= 5 and classroom.live.is_on,
                        timeout=40_000)  # fmt: skip

        assert pupil.window.close()  # the window's close button
        assert pupil.stopped and pupil.sources.camera.state is DeviceState.OFF
        assert pupil.sources.microphone.state is DeviceState.OFF
        # The class sees the pupil go: no picture, LIVE off; its own side keeps running.
        qtbot.waitUntil(lambda: classroom.pupil.showing == "idle", timeout=10_000)
        qtbot.waitUntil(lambda: not classroom.live.is_on, timeout=10_000)
        assert not room.stopped and classroom.isVisible()
    finally:
        demo.close()
    assert room.stopped


def test_the_command_line_loads_no_qt_until_a_window_is_asked_for() -> None:
    code = (
        "import sys, app.cli; app.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True,
                            text=True, timeout=60, check=True)  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_the_device_commands_open_first_run_then_the_call(tmp_path: Path, qtbot: QtBot) -> None:
    workspace, _ = prepare(tmp_path / "demo")
    folder = tmp_path / "laptop"
    session = DeviceSession(folder, Role.STUDENT, windowed=True, synthetic=True,
                            dev_keyring=True)  # fmt: skip
    session.open()
    try:
        first_run = session.windows[0]
        view = first_run.content()
        assert isinstance(view, FirstRunView)
        # What the technician's steps leave behind (FirstRunView's own tests cover them):
        shutil.copytree(workspace.device_dir(Role.STUDENT), folder, dirs_exist_ok=True)
        view.enrolled.emit(None)
        window = session.windows[-1]
        assert isinstance(window, StudentWindow)
        assert not first_run.isVisible()  # replaced by the call window
        assert session.sources is not None and session.sources.camera.is_synthetic
        assert session.technician is not None  # the chord / long press leads somewhere
        # The bundle's server (wss://localhost:8443) is not running here: the engine
        # keeps trying, and the pupil reads why there is no class.
        qtbot.waitUntil(lambda: window.connection is Connection.NO_SERVER, timeout=10_000)
        assert window.view.waiting.title.text() == "No connection with the server"
    finally:
        session.close()
        for window in session.windows:
            window.close()
