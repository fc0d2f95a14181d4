"""Frames and formats between Qt Multimedia and PyAV, without a detour through RGB.

A camera that offers YUV (NV12, I420, YUYV …) is copied plane by plane into an
``av.VideoFrame`` of the same layout: the VP8 encoder wants YUV anyway, so an RGB
round trip would only cost time and colour. Other formats (RGB, or what Qt
could not map) go through ``QVideoFrame.toImage()`` as a fallback. The other way,
a decoded ``yuv420p`` frame becomes a ``Format_YUV420P`` QVideoFrame for painting.
"""

from __future__ import annotations

from collections.abc import Sequence

import av
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QAudioFormat, QCameraFormat, QVideoFrame, QVideoFrameFormat

PF = QVideoFrameFormat.PixelFormat

# Qt pixel format → (PyAV format, which Qt plane fills each PyAV plane).
_DIRECT: dict[PF, tuple[str, tuple[int, ...]]] = {
    PF.Format_NV12: ("nv12", (0, 1)),
    PF.Format_NV21: ("nv21", (0, 1)),
    PF.Format_YUV420P: ("yuv420p", (0, 1, 2)),
    PF.Format_YV12: ("yuv420p", (0, 2, 1)),  # V before U
    PF.Format_YUV422P: ("yuv422p", (0, 1, 2)),
    PF.Format_YUYV: ("yuyv422", (0,)),
    PF.Format_UYVY: ("uyvy422", (0,)),
    PF.Format_Y8: ("gray", (0,)),
}
_FULL_RANGE = {"yuv420p": "yuvj420p", "yuv422p": "yuvj422p"}
_RGB = frozenset({
    PF.Format_ARGB8888, PF.Format_ARGB8888_Premultiplied, PF.Format_XRGB8888,
    PF.Format_BGRA8888, PF.Format_BGRA8888_Premultiplied, PF.Format_BGRX8888,
    PF.Format_ABGR8888, PF.Format_XBGR8888, PF.Format_RGBA8888, PF.Format_RGBX8888,
})  # fmt: skip


def is_direct(pixel_format: PF) -> bool:
    """True when frames of this format reach PyAV without any colour conversion."""
    return pixel_format in _DIRECT


def video_frame_to_av(frame: QVideoFrame) -> av.VideoFrame | None:
    """A copy of ``frame`` as an ``av.VideoFrame`` (YUV stays YUV); None if unreadable."""
    if not frame.isValid():
        return None
    direct = _DIRECT.get(frame.pixelFormat())
    if direct is None:
        return _via_image(frame)
    name, order = direct
    if frame.surfaceFormat().colorRange() == QVideoFrameFormat.ColorRange.ColorRange_Full:
        name = _FULL_RANGE.get(name, name)
    mapped = QVideoFrame(frame)  # a shallow copy: mapping it leaves the caller's alone
    if not mapped.map(QVideoFrame.MapMode.ReadOnly):
        return _via_image(frame)
    try:
        out = av.VideoFrame(frame.width(), frame.height(), name)
        for plane, index in zip(out.planes, order, strict=True):
            _copy_rows(memoryview(mapped.bits(index)), mapped.bytesPerLine(index), plane)
    finally:
        mapped.unmap()
    return out


def _copy_rows(src: memoryview, src_stride: int, plane: av.video.plane.VideoPlane) -> None:
    """Copy one plane, whatever the two strides are (equal strides: one block copy)."""
    dst_stride, rows = plane.line_size, plane.height
    dst = memoryview(plane)
    if src_stride == dst_stride and len(src) >= len(dst):
        dst[:] = src[: len(dst)]
        return
    width = min(src_stride, dst_stride)
    for y in range(min(rows, len(src) // src_stride)):
        dst[y * dst_stride : y * dst_stride + width] = src[y * src_stride : y * src_stride + width]


def _via_image(frame: QVideoFrame) -> av.VideoFrame | None:
    """Fallback for RGB and compressed formats: let Qt convert, then copy RGBA."""
    image = frame.toImage()
    if image.isNull():
        return None
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    out = av.VideoFrame(image.width(), image.height(), "rgba")
    _copy_rows(memoryview(image.constBits()), image.bytesPerLine(), out.planes[0])
    return out


def av_to_video_frame(frame: av.VideoFrame) -> QVideoFrame:
    """A ``Format_YUV420P`` QVideoFrame holding a copy of ``frame`` (reformatted if needed)."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    size = QSize(frame.width, frame.height)
    out = QVideoFrame(QVideoFrameFormat(size, PF.Format_YUV420P))
    if not out.map(QVideoFrame.MapMode.WriteOnly):
        return QVideoFrame()
    try:
        for index, plane in enumerate(frame.planes):
            _copy_plane_out(plane, memoryview(out.bits(index)), out.bytesPerLine(index))
    finally:
        out.unmap()
    return out


def av_to_display_image(frame: av.VideoFrame, width: int, height: int) -> QImage:
    """``frame`` scaled to ``width``×``height`` as a QImage, ready to blit.

    libswscale converts and scales in one pass (~0.6 ms for 720p), where
    QVideoFrame.paint converts and scales on the CPU when there is no GPU (~3 ms).
    """
    rgb = frame.reformat(width=width, height=height, format="bgra")
    plane = rgb.planes[0]
    # copy(): the QImage must own its pixels, not borrow PyAV's buffer.
    return QImage(bytes(plane), width, height, plane.line_size, QImage.Format.Format_RGB32).copy()


def _copy_plane_out(plane: av.video.plane.VideoPlane, dst: memoryview, dst_stride: int) -> None:
    src, src_stride = memoryview(plane), plane.line_size
    if src_stride == dst_stride and len(dst) == len(src):
        dst[:] = src
        return
    width = min(src_stride, dst_stride)
    for y in range(min(plane.height, len(dst) // dst_stride)):
        dst[y * dst_stride : y * dst_stride + width] = src[y * src_stride : y * src_stride + width]


# -- camera formats ------------------------------------------------------------------


def _format_rank(pixel_format: PF) -> int:
    if pixel_format in _DIRECT:
        return 0
    if pixel_format in _RGB:
        return 1
    return 2 if pixel_format == PF.Format_Jpeg else 3


def format_key(
    width: int,
    height: int,
    max_fps: float,
    pixel_format: PF,
    *,
    size: tuple[int, int],
    fps: float,
    largest: tuple[int, int] | None = None,
) -> tuple[bool, bool, bool, int, int]:
    """Sort key, best first: fast enough, then at least ``size``, then YUV.

    Among those of at least ``size``: the closest to it, or with ``largest`` the
    largest that fits within ``largest`` (the classroom crops before it scales, so
    every extra pixel is real detail when the pupil zooms in).
    """
    area, wanted = width * height, size[0] * size[1]
    big_enough = width >= size[0] and height >= size[1]
    if largest is None:
        return (max_fps < fps - 0.5, not big_enough, False, abs(area - wanted),
                _format_rank(pixel_format))  # fmt: skip
    too_big = width > largest[0] or height > largest[1]
    order = area if too_big else -area  # the largest that fits; else the smallest too big
    return (max_fps < fps - 0.5, not big_enough, too_big, order, _format_rank(pixel_format))


def choose_format(
    formats: Sequence[QCameraFormat],
    size: tuple[int, int],
    fps: float,
    largest: tuple[int, int] | None = None,
) -> QCameraFormat | None:
    """The camera format to ask for; None when the camera lists none (see format_key)."""
    usable = [f for f in formats if not f.isNull()]
    if not usable:
        return None

    def key(f: QCameraFormat) -> tuple[bool, bool, bool, int, int]:
        res = f.resolution()
        return format_key(res.width(), res.height(), f.maxFrameRate(), f.pixelFormat(),
                          size=size, fps=fps, largest=largest)  # fmt: skip

    return min(usable, key=key)


# -- audio ---------------------------------------------------------------------------

_SAMPLE_FORMATS = {
    QAudioFormat.SampleFormat.UInt8: "u8",
    QAudioFormat.SampleFormat.Int16: "s16",
    QAudioFormat.SampleFormat.Int32: "s32",
    QAudioFormat.SampleFormat.Float: "flt",
}


def av_audio_format(fmt: QAudioFormat) -> tuple[str, str] | None:
    """(PyAV sample format, layout) of interleaved Qt audio; None if PyAV cannot take it."""
    name = _SAMPLE_FORMATS.get(fmt.sampleFormat())
    layout = {1: "mono", 2: "stereo"}.get(fmt.channelCount())
    return None if name is None or layout is None else (name, layout)


def pcm_format(sample_rate: int = 48000, channels: int = 2) -> QAudioFormat:
    fmt = QAudioFormat()
    fmt.setSampleRate(sample_rate)
    fmt.setChannelCount(channels)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt
