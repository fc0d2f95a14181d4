"""A widget that paints video frames itself: remote video, and a mirrored self-view.

Not a ``QVideoWidget``: that renders through a native surface that ``grab()`` (and
so the screenshot test and ``klasgenoot demo --screenshots``) sees as plain grey
offscreen. Frames go into a ``QVideoSink`` as ``Format_YUV420P`` QVideoFrames (a
decoded remote frame is copied plane by plane, no colour conversion in Python)
and ``paintEvent`` draws the newest with ``QVideoFrame.paint``, keeping the aspect
ratio with black bars. With no frame, a calm placeholder: an avatar and a line of
text the window sets ("The camera is off" …).

For tests and the benchmark: :attr:`VideoView.frames_painted` counts distinct
frames painted, :attr:`last_painted_seq` is the synthetic marker's sequence number
(``None`` for a real camera) and :attr:`last_frame_size` the painted frame's size.
"""

from __future__ import annotations

import av
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtMultimedia import QtVideo, QVideoFrame, QVideoFrameFormat, QVideoSink
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.av.convert import av_to_display_image, av_to_video_frame
from media.synthetic_video import read_marker

BACKGROUND = QColor(24, 26, 30)
PLACEHOLDER_INK = QColor(200, 204, 212)
AVATAR_FILL = QColor(70, 76, 88)


_RGB_FORMATS = (
    QVideoFrameFormat.PixelFormat.Format_XRGB8888,
    QVideoFrameFormat.PixelFormat.Format_ARGB8888,
    QVideoFrameFormat.PixelFormat.Format_BGRX8888,
    QVideoFrameFormat.PixelFormat.Format_BGRA8888,
    QVideoFrameFormat.PixelFormat.Format_RGBX8888,
    QVideoFrameFormat.PixelFormat.Format_RGBA8888,
)


def letterbox(frame: QSize, area: QRectF) -> QRectF:
    """The largest rectangle of ``frame``'s shape centred in ``area``."""
    if frame.isEmpty() or area.isEmpty():
        return QRectF()
    scale = min(area.width() / frame.width(), area.height() / frame.height())
    width, height = frame.width() * scale, frame.height() * scale
    return QRectF(
        area.x() + (area.width() - width) / 2, area.y() + (area.height() - height) / 2,
        width, height,
    )  # fmt: skip


class VideoView(QWidget):
    """Shows the newest frame given to :meth:`show_frame`, or a placeholder."""

    painted = Signal()  # a new frame reached the screen

    def __init__(self, parent: QWidget | None = None, *, mirrored: bool = False,
                 read_markers: bool = True, max_fps: float | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # translate() with an explicit context: self.tr() in a subclass (SelfView) could
        # look these up under the subclass's name, where lupdate never put them.
        self.setAccessibleName(QCoreApplication.translate("VideoView", "Video"))
        self._mirrored = mirrored
        self._read_markers = read_markers
        self._min_interval_ms = 0 if not max_fps else int(1000 / max_fps)
        self._since_last = QElapsedTimer()
        self._placeholder = QCoreApplication.translate("VideoView", "No picture yet")
        self._sink = QVideoSink(self)
        self._sink.videoFrameChanged.connect(self._on_sink_frame)
        self._frame = QVideoFrame()
        self._pending_seq: int | None = None
        self._pending_size: tuple[int, int] | None = None
        self._frame_size: tuple[int, int] | None = None  # of the frame as received
        self._frame_seq: int | None = None
        self._generation = 0  # bumped per frame received
        self._painted_generation = 0
        self.frames_shown = 0  # frames handed in
        self.frames_painted = 0  # distinct frames that reached the screen
        self.last_painted_seq: int | None = None
        self.last_frame_size: tuple[int, int] | None = None

    # -- what windows call --------------------------------------------------------

    @property
    def video_sink(self) -> QVideoSink:
        return self._sink

    def show_frame(self, frame: av.VideoFrame | QVideoFrame | None) -> None:
        """Show ``frame`` next (GUI thread). A PyAV frame is copied; None is ignored."""
        if frame is None:
            return
        if self._min_interval_ms:  # a rate cap: skip the frame rather than paint it
            if self._since_last.isValid() and self._since_last.elapsed() < self._min_interval_ms:
                return
            self._since_last.start()
        if isinstance(frame, av.VideoFrame):
            marker = read_marker(frame) if self._read_markers else None
            self._pending_seq = marker.seq if marker is not None else None
            self._pending_size = (frame.width, frame.height)
            frame = self._display_frame(frame)
        else:
            self._pending_seq = None
            self._pending_size = (frame.width(), frame.height())
        self._sink.setVideoFrame(frame)

    def _display_frame(self, frame: av.VideoFrame) -> QVideoFrame:
        """Scale to the letterboxed size on screen in PyAV; Qt then only blits it."""
        ratio = self.devicePixelRatioF()
        area = QRectF(0, 0, self.width() * ratio, self.height() * ratio)
        target = letterbox(QSize(frame.width, frame.height), area)
        width, height = int(target.width()) // 2 * 2, int(target.height()) // 2 * 2
        if width < 2 or height < 2:
            return av_to_video_frame(frame)
        return QVideoFrame(av_to_display_image(frame, width, height))

    def clear(self) -> None:
        """Back to the placeholder (e.g. the other side turned their camera off)."""
        self._sink.setVideoFrame(QVideoFrame())

    def set_placeholder(self, text: str) -> None:
        """The line shown when there is no picture (already translated)."""
        self._placeholder = text
        self.update()

    @property
    def placeholder(self) -> str:
        return self._placeholder

    @property
    def has_picture(self) -> bool:
        return self._frame.isValid()

    def set_mirrored(self, mirrored: bool) -> None:
        self._mirrored = mirrored
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    # -- internals ------------------------------------------------------------------

    def _on_sink_frame(self, frame: QVideoFrame) -> None:
        self._frame = frame
        self._frame_seq, self._pending_seq = self._pending_seq, None
        self._frame_size = self._pending_size
        if frame.isValid():
            self._generation += 1
            self.frames_shown += 1
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        frame = self._frame
        if frame.isValid():
            self._paint_frame(painter, frame)
        else:
            self._paint_placeholder(painter)
        painter.end()

    def _paint_frame(self, painter: QPainter, frame: QVideoFrame) -> None:
        size = frame.size()
        if frame.rotation() in (QtVideo.Rotation.Clockwise90, QtVideo.Rotation.Clockwise270):
            size.transpose()
        target = letterbox(size, QRectF(self.rect()))
        if target.isEmpty():
            return
        options = QVideoFrame.PaintOptions()
        options.aspectRatioMode = Qt.AspectRatioMode.IgnoreAspectRatio
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self._mirrored:
            painter.save()
            painter.translate(target.x() + target.right(), 0)
            painter.scale(-1, 1)
            self._draw(painter, frame, target, options)
            painter.restore()
        else:
            self._draw(painter, frame, target, options)
        if self._painted_generation != self._generation:
            self._painted_generation = self._generation
            self.frames_painted += 1
            self.last_painted_seq = self._frame_seq
            self.last_frame_size = self._frame_size
            self.painted.emit()

    @staticmethod
    def _draw(
        painter: QPainter, frame: QVideoFrame, target: QRectF, options: QVideoFrame.PaintOptions
    ) -> None:
        # A frame we pre-scaled to the screen (RGB) is blitted as it is; anything else
        # (a camera's QVideoFrame) goes through Qt's own conversion.
        if frame.pixelFormat() in _RGB_FORMATS:
            painter.drawImage(target, frame.toImage())
        else:
            frame.paint(painter, target, options)

    def _paint_placeholder(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect())
        unit = min(area.width(), area.height())
        radius = unit * 0.16
        centre = area.center()
        centre.setY(centre.y() - unit * 0.08)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(AVATAR_FILL)
        painter.drawEllipse(centre, radius, radius)
        painter.setBrush(PLACEHOLDER_INK)
        head = radius * 0.36
        painter.drawEllipse(QPointF(centre.x(), centre.y() - radius * 0.22), head, head)
        shoulders = QRectF(centre.x() - radius * 0.6, centre.y() + radius * 0.22,
                           radius * 1.2, radius * 0.9)  # fmt: skip
        painter.drawChord(shoulders, 0, 180 * 16)
        if self._placeholder:
            font = QFont(self.font())
            font.setPixelSize(max(12, round(unit * 0.055)))
            painter.setFont(font)
            painter.setPen(QPen(PLACEHOLDER_INK))
            text_area = QRectF(area.x() + unit * 0.05, centre.y() + radius * 1.25,
                               area.width() - unit * 0.1, unit * 0.3)  # fmt: skip
            painter.drawText(
                text_area, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
                self._placeholder,
            )  # fmt: skip


class SelfView(VideoView):
    """The local camera, small and mirrored as people expect to see themselves.

    Painted at most 15 times a second: it is a reassurance, and every paint of a
    camera frame converts it to RGB on the GUI thread, which the class video needs.
    """

    def __init__(self, parent: QWidget | None = None, *, max_fps: float = 15) -> None:
        super().__init__(parent, mirrored=True, read_markers=False, max_fps=max_fps)
        self.setAccessibleName(self.tr("Your own camera picture"))
        self.set_placeholder(self.tr("Your camera is off"))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(240, 135)
