"""CameraSource: hot-plug through the catalog, "off" releases, and real QVideoFrames
(pushed through a real capture session with QVideoFrameInput) reach the track as
YUV without any RGB round trip."""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import av
import pytest
from PySide6 import QtMultimedia
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QMediaCaptureSession, QVideoFrame, QVideoFrameFormat
from pytestqt.qtbot import QtBot

from app.av.camera import CLASSROOM_CAPTURE, STUDENT_SIZE, CameraSource
from app.av.catalog import DeviceState, FakeDeviceCatalog
from app.av.convert import choose_format, format_key, video_frame_to_av
from media.push import VIDEO_TIME_BASE, PushVideoTrack
from media.synthetic_video import read_marker

PF = QVideoFrameFormat.PixelFormat
HAS_FRAME_INPUT = hasattr(QtMultimedia, "QVideoFrameInput")
needs_frame_input = pytest.mark.skipif(
    not HAS_FRAME_INPUT, reason="QVideoFrameInput needs Qt >= 6.8 with the FFmpeg backend"
)


def pull(track: PushVideoTrack, timeout: float = 2.0) -> av.VideoFrame:
    """One frame as the engine would take it (a fresh loop stands in for the engine's)."""

    async def take() -> av.VideoFrame:
        return await asyncio.wait_for(track.recv(), timeout)

    return asyncio.run(take())


def nothing_flows(track: PushVideoTrack) -> bool:
    try:
        pull(track, 0.3)
    except TimeoutError:
        return True
    return False


@pytest.fixture
def source(qtbot: QtBot, fake_catalog: FakeDeviceCatalog) -> CameraSource:
    camera = CameraSource(fake_catalog, size=STUDENT_SIZE)
    yield camera
    camera.stop()


# -- hot-plug and on/off --------------------------------------------------------------


def test_camera_unplugged_and_back_resumes_by_itself(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog, source: CameraSource
) -> None:
    fake_catalog.add_camera(b"usb-1", "Webcam", default=True)
    source.start()
    assert source.state is DeviceState.ACTIVE
    assert pull(source.track).width == 640  # the fake camera's picture flows
    with qtbot.waitSignal(source.lost):
        fake_catalog.remove_camera(b"usb-1")
    assert source.state is DeviceState.LOST
    assert nothing_flows(source.track)
    with qtbot.waitSignal(source.resumed, timeout=3000):
        fake_catalog.add_camera(b"usb-1", "Webcam", default=True)
    assert source.state is DeviceState.ACTIVE
    frame = pull(source.track)
    assert (frame.width, frame.height) == STUDENT_SIZE


def test_camera_off_releases_and_on_again(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog, source: CameraSource
) -> None:
    fake_catalog.add_camera(b"usb-1")
    source.start()
    pull(source.track)
    source.stop()
    assert source.state is DeviceState.OFF and source.camera is None
    assert not source.is_synthetic
    assert nothing_flows(source.track)
    source.start()
    assert pull(source.track).height == 480


def test_no_camera_means_synthetic_until_one_is_plugged_in(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog, source: CameraSource
) -> None:
    source.start()
    assert source.state is DeviceState.SYNTHETIC and source.is_synthetic
    first = pull(source.track)
    assert read_marker(first) is not None  # the synthetic picture, with its marker
    with qtbot.waitSignal(source.frame_captured) as preview:  # a self-view sees it too
        pass
    assert isinstance(preview.args[0], av.VideoFrame)
    fake_catalog.add_camera(b"usb-1")
    assert source.state is DeviceState.ACTIVE
    assert pull(source.track).pts > first.pts  # one timeline across the switch


def test_forced_synthetic_is_used_even_with_a_camera(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog
) -> None:
    fake_catalog.add_camera(b"usb-1")
    camera = CameraSource(fake_catalog, synthetic=True)
    camera.start()
    assert camera.state is DeviceState.SYNTHETIC
    assert pull(camera.track).width == 1280  # classroom size by default
    camera.stop()
    assert nothing_flows(camera.track)


# -- format choice ------------------------------------------------------------------


def test_format_choice_prefers_rate_then_size_then_yuv() -> None:
    def best(formats: list[tuple[int, int, float, PF]], size: tuple[int, int]) -> tuple:
        return min(formats, key=lambda f: format_key(*f, size=size, fps=30))

    usb2_webcam = [
        (1280, 720, 10, PF.Format_YUYV),  # raw 720p is too slow on USB 2
        (1280, 720, 30, PF.Format_Jpeg),
        (640, 480, 30, PF.Format_YUYV),
        (1920, 1080, 30, PF.Format_Jpeg),
    ]
    assert best(usb2_webcam, (1280, 720)) == (1280, 720, 30, PF.Format_Jpeg)
    assert best(usb2_webcam, (640, 480)) == (640, 480, 30, PF.Format_YUYV)
    laptop = [(1280, 720, 30, PF.Format_NV12), (1280, 720, 30, PF.Format_BGRA8888)]
    assert best(laptop, (1280, 720))[3] == PF.Format_NV12
    small = [(320, 240, 30, PF.Format_NV12), (640, 360, 30, PF.Format_NV12)]
    assert best(small, (1280, 720))[:2] == (640, 360)  # nothing big enough: the largest
    assert choose_format([], (1280, 720), 30) is None


def test_the_classroom_captures_the_largest_format_at_full_rate_up_to_4k() -> None:
    """Looking around crops the full frame: every pixel up to 4K is detail for the pupil."""

    def best(formats: list[tuple[int, int, float, PF]]) -> tuple:
        return min(formats, key=lambda f: format_key(*f, size=(1280, 720), fps=30,
                                                      largest=CLASSROOM_CAPTURE))  # fmt: skip

    uhd_webcam = [
        (1280, 720, 30, PF.Format_NV12),
        (1920, 1080, 30, PF.Format_Jpeg),
        (3840, 2160, 30, PF.Format_Jpeg),
        (3840, 2160, 5, PF.Format_YUYV),  # raw 4K is too slow
        (4096, 2160, 30, PF.Format_Jpeg),  # beyond 4K: not worth the copy
    ]
    assert best(uhd_webcam) == (3840, 2160, 30, PF.Format_Jpeg)
    hd_webcam = [(640, 480, 30, PF.Format_YUYV), (1920, 1080, 30, PF.Format_Jpeg),
                 (1280, 720, 30, PF.Format_NV12)]  # fmt: skip
    assert best(hd_webcam) == (1920, 1080, 30, PF.Format_Jpeg)
    assert best([(640, 480, 30, PF.Format_NV12), (320, 240, 30, PF.Format_NV12)])[:2] == (640, 480)
    assert best([(5120, 2880, 30, PF.Format_Jpeg), (7680, 4320, 30, PF.Format_Jpeg)])[:2] == (
        5120,
        2880,
    )  # only too big: the smallest of them


# -- conversion through a real capture session (QVideoFrameInput) -----------------------


def _frame(width: int, height: int, pixel_format: PF, planes: list[bytes]) -> QVideoFrame:
    """A QVideoFrame with each plane's rows filled from ``planes`` (tightly packed rows;
    the first plane has ``height`` rows, the others half as many, as in 4:2:0)."""
    frame = QVideoFrame(QVideoFrameFormat(QSize(width, height), pixel_format))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    for index, packed in enumerate(planes):
        dst, stride = memoryview(frame.bits(index)), frame.bytesPerLine(index)
        rows = height if index == 0 else height // 2
        row = len(packed) // rows
        for y in range(rows):
            dst[y * stride : y * stride + row] = packed[y * row : (y + 1) * row]
    frame.unmap()
    return frame


def _ramp(width: int, height: int) -> bytes:
    return bytes((x * 3 + y * 7) % 220 + 16 for y in range(height) for x in range(width))


def _plane_rows(plane: av.video.plane.VideoPlane, row_bytes: int) -> bytes:
    data = bytes(plane)
    return b"".join(
        data[y * plane.line_size : y * plane.line_size + row_bytes] for y in range(plane.height)
    )


def _send(qtbot: QtBot, source: CameraSource, frames: list[QVideoFrame]) -> None:
    session = QMediaCaptureSession()
    frame_input = QtMultimedia.QVideoFrameInput()
    session.setVideoFrameInput(frame_input)
    session.setVideoSink(source.video_sink)
    for frame in frames:
        before = source.frames_converted
        assert frame_input.sendVideoFrame(frame)
        qtbot.waitUntil(lambda before=before: source.frames_converted > before, timeout=3000)
    session.setVideoSink(None)  # type: ignore[arg-type]


@needs_frame_input
@pytest.mark.parametrize("size", [(1280, 720), (202, 98)])  # equal strides, and unequal
def test_nv12_reaches_the_track_as_nv12_byte_for_byte(
    qtbot: QtBot, source: CameraSource, size: tuple[int, int]
) -> None:
    width, height = size
    luma = _ramp(width, height)
    chroma = bytes([90, 200] * (width // 2) * (height // 2))
    with qtbot.waitSignal(source.frame_captured) as captured:
        _send(qtbot, source, [_frame(width, height, PF.Format_NV12, [luma, chroma])])
    assert isinstance(captured.args[0], QVideoFrame)  # the self-view gets Qt's frame
    frame = pull(source.track)
    assert (frame.format.name, frame.width, frame.height) == ("nv12", width, height)
    assert _plane_rows(frame.planes[0], width) == luma  # no RGB detour: Y is untouched
    assert _plane_rows(frame.planes[1], width) == chroma
    assert source.direct_frames == 1
    assert frame.time_base == VIDEO_TIME_BASE and frame.pts is not None


@needs_frame_input
@pytest.mark.parametrize("size", [(640, 360), (202, 98)])  # Qt's chroma stride 104, PyAV's 112
def test_yuv420p_and_yv12_reach_the_track_as_yuv420p(
    qtbot: QtBot, source: CameraSource, size: tuple[int, int]
) -> None:
    width, height = size
    luma = _ramp(width, height)
    u = _ramp(width // 2, height // 2)
    v = bytes([180]) * (width * height // 4)
    _send(qtbot, source, [_frame(width, height, PF.Format_YUV420P, [luma, u, v])])
    i420 = pull(source.track)
    assert (i420.format.name, i420.width, i420.height) == ("yuv420p", width, height)
    assert _plane_rows(i420.planes[0], width) == luma
    assert _plane_rows(i420.planes[1], width // 2) == u
    assert _plane_rows(i420.planes[2], width // 2) == v
    _send(qtbot, source, [_frame(width, height, PF.Format_YV12, [luma, v, u])])
    yv12 = pull(source.track)  # V comes first in YV12: the planes are swapped back
    assert _plane_rows(yv12.planes[1], width // 2) == u
    assert _plane_rows(yv12.planes[2], width // 2) == v
    assert source.direct_frames == 2


@needs_frame_input
def test_rgb_frames_fall_back_to_an_image_copy(qtbot: QtBot, source: CameraSource) -> None:
    width, height = 64, 48
    red_bgra = bytes([0, 0, 255, 255]) * (width * height)
    _send(qtbot, source, [_frame(width, height, PF.Format_BGRA8888, [red_bgra])])
    frame = pull(source.track)
    assert frame.format.name == "rgba"
    assert bytes(frame.planes[0])[:4] == bytes([255, 0, 0, 255])
    assert source.direct_frames == 0


def test_invalid_frames_are_skipped() -> None:
    assert video_frame_to_av(QVideoFrame()) is None


def test_frame_input_is_available_on_this_build() -> None:
    """Qt 6.12 is pinned: if this fails, the conversion tests above silently skip."""
    assert HAS_FRAME_INPUT
