"""Optical zoom where Qt exposes it (``QCamera.zoomFactor``): the engine's request is
applied on the GUI thread, frames carry the factor Qt reported, a camera without
zoom is left alone, and the classroom lends its lens to the pupil's looking around.
There is no real camera here: a small fake with QCamera's zoom methods and signals."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtMultimedia import QCamera, QVideoFrame, QVideoFrameFormat
from pytestqt.qtbot import QtBot

from app.av.camera import STUDENT_SIZE, CameraSource
from app.av.catalog import FakeDeviceCatalog
from app.av.zoom import OpticalZoom
from app.classroom.window import ClassroomWindow
from media.crop import View, ViewTrack
from media.optical import zoom_of
from media.synthetic_video import SyntheticVideoTrack
from pairing.roles import Role
from tests.gui.devices import CallRig, rig  # noqa: F401 (the fixture)
from tests.gui.test_av_camera import _send, needs_frame_input, pull

SETUP_MS = 20_000


class FakeZoomCamera(QObject):
    """QCamera's zoom surface. ``settles=False``: the lens reports only on :meth:`settle`."""

    zoomFactorChanged = Signal(float)
    maximumZoomFactorChanged = Signal(float)

    def __init__(self, maximum: float = 4.0, *, settles: bool = True) -> None:
        super().__init__()
        self.maximum, self.factor, self.settles = maximum, 1.0, settles
        self.calls: list[tuple[float, bool]] = []  # (factor, on the GUI thread)

    def zoomFactor(self) -> float:
        return self.factor

    def maximumZoomFactor(self) -> float:
        return self.maximum

    def setZoomFactor(self, factor: float) -> None:
        self.calls.append((factor, threading.current_thread() is threading.main_thread()))
        if self.settles:
            self.settle()

    def settle(self) -> None:
        self.factor = self.calls[-1][0]
        self.zoomFactorChanged.emit(self.factor)


def _from_another_thread(optics: OpticalZoom, factor: float) -> None:
    worker = threading.Thread(target=optics.request, args=(factor,))
    worker.start()
    worker.join()


def test_the_engines_request_zooms_on_the_gui_thread_and_waits_for_qts_report(
    qtbot: QtBot,
) -> None:
    optics = OpticalZoom()
    lens = FakeZoomCamera(settles=False)
    optics.attach(lens)
    assert optics.maximum == 4.0 and optics.factor == 1.0
    _from_another_thread(optics, 2.0)
    qtbot.waitUntil(lambda: bool(lens.calls), timeout=2000)
    assert lens.calls == [(2.0, True)]
    assert optics.factor == 1.0  # asked, not yet reported: frames are still unzoomed
    lens.settle()
    assert optics.factor == 2.0

    _from_another_thread(optics, 9.0)
    qtbot.waitUntil(lambda: len(lens.calls) == 2, timeout=2000)
    assert lens.calls[-1] == (4.0, True)  # never beyond what the camera offers
    lens.settle()
    optics.request(4.0)  # already there: the camera is not told again
    qtbot.waitUntil(lambda: optics.wanted == 4.0, timeout=2000)
    assert len(lens.calls) == 2

    optics.attach(None)  # the camera went: frames are unzoomed, nothing to offer
    assert (optics.factor, optics.maximum) == (1.0, 1.0)
    again = FakeZoomCamera()
    optics.attach(again)  # a camera comes back: it gets the last request
    assert again.calls == [(4.0, True)] and optics.factor == 4.0


def test_a_camera_without_zoom_is_left_alone(qtbot: QtBot) -> None:
    camera = QCamera()  # no device here: maximumZoomFactor() is 1, as on most webcams
    assert camera.maximumZoomFactor() == 1.0
    told: list[float] = []
    camera.setZoomFactor = told.append  # type: ignore[method-assign]
    optics = OpticalZoom()
    optics.attach(camera)
    optics.request(2.0)
    qtbot.waitUntil(lambda: optics.wanted == 2.0, timeout=2000)
    assert told == [] and optics.maximum == 1.0 and optics.factor == 1.0

    track = ViewTrack(SyntheticVideoTrack(640, 360))
    asked: list[float] = []
    optics.request = asked.append  # type: ignore[method-assign]
    track.set_optics(optics)
    track.set_view(View(0.4, 0.5, 3.0))
    frame = SyntheticVideoTrack(640, 360).make_frame(0, 0)
    assert track.crop_view(frame) == View(0.4, 0.5, 3.0)  # the crop does it all, as before
    assert asked == []


@needs_frame_input
def test_each_frame_carries_the_zoom_qt_reported_when_it_arrived(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog
) -> None:
    source = CameraSource(fake_catalog, size=STUDENT_SIZE)
    lens = FakeZoomCamera(settles=False)
    source.optics.attach(lens)
    size = QSize(*STUDENT_SIZE)
    fmt = QVideoFrameFormat(size, QVideoFrameFormat.PixelFormat.Format_YUV420P)

    def captured() -> float:
        _send(qtbot, source, [QVideoFrame(fmt)])
        return zoom_of(pull(source.track))

    assert captured() == 1.0
    source.optics.request(2.0)
    qtbot.waitUntil(lambda: bool(lens.calls), timeout=2000)
    assert captured() == 1.0  # the lens was asked; Qt has not reported it yet
    lens.settle()
    assert captured() == 2.0
    source.stop()


def test_the_classroom_lends_its_lens_to_the_pupils_zoom(
    rig: CallRig,  # noqa: F811
    qtbot: QtBot,
) -> None:
    classroom = rig.open(Role.CLASSROOM)
    lens = FakeZoomCamera()
    classroom.sources.camera.optics.attach(lens)  # synthetic frames, a fake lens
    pupil = rig.open(Role.STUDENT, start=False)
    announced: list[object] = []  # the pupil's control channel is open
    pupil.bridge.control_received.connect(
        lambda m: announced.append(m) if m.kind == "features" else None
    )
    pupil.start()
    window = classroom.window
    assert isinstance(window, ClassroomWindow) and window.camera is classroom.sources.camera
    qtbot.waitUntil(lambda: window.rule.sending and bool(announced), timeout=SETUP_MS)

    pupil.bridge.run(lambda e: e.features.set_view(0.5, 0.5, 2.0))  # centred: all optical
    qtbot.waitUntil(lambda: lens.calls[-1:] == [(2.0, True)], timeout=5000)
    pupil.bridge.run(lambda e: e.features.set_view(0.75, 0.5, 2.0))  # at the edge: none
    qtbot.waitUntil(lambda: lens.calls[-1:] == [(1.0, True)], timeout=5000)
    lent = threading.Event()
    optics = classroom.sources.camera.optics
    classroom.bridge.run(lambda e: lent.set() if e.view and e.view.optics is optics else None)
    qtbot.waitUntil(lent.is_set, timeout=3000)
    video = pupil.window.video
    painted = video.frames_painted
    qtbot.waitUntil(lambda: video.frames_painted > painted + 5, timeout=5000)  # the call goes on
