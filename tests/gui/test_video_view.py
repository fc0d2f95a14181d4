"""VideoView paints the frames it is given: sizes, changing sequence numbers, a real
picture in grab() (offscreen too), letterboxing, mirroring and the placeholder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import av
from PySide6.QtCore import QElapsedTimer, QRectF, QSize
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.av.convert import av_to_video_frame
from app.av.video_view import SelfView, VideoView, letterbox
from media.synthetic_video import SyntheticVideoTrack


def _view(qtbot: QtBot, width: int = 640, height: int = 360) -> VideoView:
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def _colours(image: QImage, step: int = 7) -> set[int]:
    return {
        image.pixel(x, y)
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
    }


def _solid(width: int, height: int, y: int, u: int, v: int) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane, value in zip(frame.planes, (y, u, v), strict=True):
        plane.update(bytes([value]) * plane.buffer_size)
    return frame


def test_received_frames_are_painted_with_their_sequence_numbers(qtbot: QtBot) -> None:
    view = _view(qtbot)
    source = SyntheticVideoTrack(1280, 720)
    seen: list[int | None] = []
    for seq in range(5):
        painted = view.frames_painted
        view.show_frame(source.make_frame(seq, 0))
        qtbot.waitUntil(lambda painted=painted: view.frames_painted > painted, timeout=3000)
        seen.append(view.last_painted_seq)
    assert seen == [0, 1, 2, 3, 4]
    assert view.last_frame_size == (1280, 720)
    assert view.has_picture


def test_only_the_newest_frame_is_painted_when_several_arrive_at_once(qtbot: QtBot) -> None:
    view = _view(qtbot)
    source = SyntheticVideoTrack(640, 360)
    for seq in range(10, 15):  # no event loop turn in between: one paint, of the last
        view.show_frame(source.make_frame(seq, 0))
    qtbot.waitUntil(lambda: view.frames_painted >= 1, timeout=3000)
    assert view.last_painted_seq == 14
    assert view.frames_shown == 5 and view.frames_painted == 1


def test_grab_shows_the_picture_offscreen(qtbot: QtBot) -> None:
    view = _view(qtbot, 640, 360)
    view.show_frame(SyntheticVideoTrack(640, 360).make_frame(3, 0))
    qtbot.waitUntil(lambda: view.frames_painted == 1, timeout=3000)
    image = view.grab().toImage()
    assert image.size() == QSize(640, 360)
    colours = _colours(image)
    assert len(colours) > 20  # a pattern with a marker, not a uniform grey surface
    grey = QColor(image.pixel(320, 300))
    assert not (grey.red() == grey.green() == grey.blue() == 0x80)


def test_colours_survive_and_the_picture_is_letterboxed(qtbot: QtBot) -> None:
    view = _view(qtbot, 800, 300)  # wider than 16:9: bars left and right
    view.show_frame(_solid(320, 180, 81, 90, 240))  # BT.601 video-range red
    qtbot.waitUntil(lambda: view.frames_painted == 1, timeout=3000)
    image = view.grab().toImage()
    centre = QColor(image.pixel(400, 150))
    assert centre.red() > 200 and centre.green() < 60 and centre.blue() < 60
    bar = QColor(image.pixel(20, 150))
    assert bar.red() < 60  # the bar is background, not stretched picture
    inner = letterbox(QSize(320, 180), QRectF(0, 0, 800, 300))
    assert (round(inner.width()), round(inner.height())) == (533, 300)
    assert QColor(image.pixel(round(inner.left()) + 3, 150)).red() > 200


def test_self_view_is_mirrored(qtbot: QtBot) -> None:
    left_white = _solid(64, 36, 16, 128, 128)
    for plane_row in range(36):  # left half white, right half black
        luma = left_white.planes[0]
        start = plane_row * luma.line_size
        memoryview(luma)[start : start + 32] = bytes([235]) * 32
    plain, mirror = VideoView(), SelfView()
    for view in (plain, mirror):
        qtbot.addWidget(view)
        view.resize(320, 180)
        view.show()
        view.show_frame(left_white)
    qtbot.waitUntil(lambda: plain.frames_painted == 1 and mirror.frames_painted == 1)
    plain_image, mirror_image = plain.grab().toImage(), mirror.grab().toImage()
    assert QColor(plain_image.pixel(40, 90)).red() > 200
    assert QColor(mirror_image.pixel(40, 90)).red() < 60
    assert QColor(mirror_image.pixel(280, 90)).red() > 200
    assert mirror.last_painted_seq is None  # a self-view does not read markers
    assert mirror.accessibleName()


def test_placeholder_without_a_frame_and_after_clear(qtbot: QtBot) -> None:
    view = _view(qtbot)
    view.set_placeholder("The camera is off")
    empty = view.grab().toImage()
    assert not view.has_picture and view.placeholder == "The camera is off"
    assert len(_colours(empty, 3)) > 2  # background, avatar and text are drawn
    view.show_frame(SyntheticVideoTrack(640, 360).make_frame(1, 0))
    qtbot.waitUntil(lambda: view.frames_painted == 1, timeout=3000)
    view.clear()
    qtbot.waitUntil(lambda: not view.has_picture, timeout=3000)
    assert view.grab().toImage() == empty


def test_qt_frames_and_conversion_round_trip(qtbot: QtBot) -> None:
    source = _solid(66, 40, 120, 60, 200)  # PyAV's strides differ from Qt's at this width
    frame = av_to_video_frame(source)
    assert frame.isValid() and (frame.width(), frame.height()) == (66, 40)
    view = _view(qtbot)
    view.show_frame(frame)  # a QVideoFrame is shown as it is (a camera's self-view)
    qtbot.waitUntil(lambda: view.frames_painted == 1, timeout=3000)
    assert view.last_frame_size == (66, 40) and view.last_painted_seq is None
    back = QColor(view.grab().toImage().pixel(320, 180))
    rgb = source.reformat(format="rgb24").planes[0]
    red, _green, blue = bytes(rgb)[20 * rgb.line_size + 90 : 20 * rgb.line_size + 93]
    assert abs(back.red() - red) < 12 and abs(back.blue() - blue) < 12


def test_self_view_paints_at_most_15_frames_a_second(qtbot: QtBot) -> None:
    view = SelfView()
    qtbot.addWidget(view)
    view.show()
    source = SyntheticVideoTrack(320, 180)
    burst = [source.make_frame(seq, 0) for seq in range(10)]
    frame = source.make_frame(10, 0)
    since = QElapsedTimer()  # started before the first frame is taken: a lower bound
    since.start()
    for item in burst:  # a 30 fps camera delivering a burst: the view skips most
        view.show_frame(item)
    assert view.frames_shown == 1

    def offer() -> bool:
        view.show_frame(frame)
        return view.frames_shown == 2

    qtbot.waitUntil(offer, timeout=3000)  # the camera keeps offering; one is taken later
    assert since.elapsed() >= 66  # 1000 / 15 ms after the first frame at the earliest
