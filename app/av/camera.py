"""The local camera as a long-lived aiortc track, following the device as it comes and goes.

Qt objects live on the GUI thread: ``QCamera`` → ``QMediaCaptureSession`` →
``QVideoSink``; each frame is copied (YUV stays YUV, see :mod:`app.av.convert`)
and pushed into :attr:`CameraSource.track`, which the engine pulls on its own
thread. "Camera off" (:meth:`stop`) destroys the camera and its session, so the
device is released and its light goes off; muting alone would keep it open.
Without a camera (or with ``synthetic=True``) the track's synthetic fallback runs
on the engine loop instead, so the engine gets a track either way. A camera with
optical zoom is steered through :attr:`CameraSource.optics` (:mod:`app.av.zoom`);
each frame carries the zoom factor Qt reported when it arrived.
"""

from __future__ import annotations

import logging

import av
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QVideoFrame, QVideoSink

from app.av.catalog import DeviceCatalog, DeviceEntry, DeviceFollower, DeviceKind, DeviceState
from app.av.convert import choose_format, is_direct, video_frame_to_av
from app.av.zoom import OpticalZoom
from media.optical import tag_zoom
from media.push import PushVideoTrack
from media.synthetic import wall_clock_ms
from media.synthetic_video import SyntheticVideoTrack

logger = logging.getLogger(__name__)

CLASSROOM_SIZE = (1280, 720)
STUDENT_SIZE = (640, 480)
# The classroom captures as large as the camera gives at full frame rate, up to
# 4K: the crop before scaling (media.crop) turns those pixels into real detail
# when the pupil zooms. Beyond 4K the copy per frame would cost more than it adds.
CLASSROOM_CAPTURE = (3840, 2160)
PREVIEW_WIDTH = 320  # the self-view of synthetic media: small, cheap, on the GUI thread
PREVIEW_FPS = 10


class CameraSource(DeviceFollower):
    """A camera (or a synthetic stand-in) feeding :attr:`track`; see :class:`DeviceFollower`.

    ``frame_captured`` carries each local picture for a self-view: a ``QVideoFrame``
    from a camera, an ``av.VideoFrame`` from the synthetic source (10 per second).
    """

    frame_captured = Signal(object)

    def __init__(self, catalog: DeviceCatalog, *, device_id: bytes | None = None,
                 size: tuple[int, int] = CLASSROOM_SIZE, fps: float = 30.0,
                 capture: tuple[int, int] | None = None,
                 synthetic: bool = False, parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(catalog, DeviceKind.CAMERA, device_id=device_id,
                         synthetic=synthetic, parent=parent)  # fmt: skip
        # ``capture``: the largest camera format to choose (None: the one closest to ``size``).
        self.size, self.fps, self.capture = size, fps, capture
        self.track = PushVideoTrack(fallback=SyntheticVideoTrack(*size, fps=fps))
        self.frames_converted = 0
        self.direct_frames = 0  # converted without any colour conversion
        self._sink = QVideoSink(self)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self.optics = OpticalZoom(self)  # the engine's media.optical.Optics
        preview_height = max(36, round(PREVIEW_WIDTH * size[1] / size[0] / 2) * 2)
        self._preview_source = SyntheticVideoTrack(PREVIEW_WIDTH, preview_height)
        self._preview_seq = 0
        self._preview = QTimer(self)
        self._preview.setInterval(1000 // PREVIEW_FPS)
        self._preview.timeout.connect(self._preview_tick)

    @property
    def video_sink(self) -> QVideoSink:
        """Where camera frames arrive; tests feed it through a QVideoFrameInput session."""
        return self._sink

    @property
    def camera(self) -> QCamera | None:
        """The open QCamera (None when off, lost or synthetic): for zoom and diagnostics."""
        return self._camera

    @property
    def is_synthetic(self) -> bool:
        """True while synthetic frames stand in (forced, no camera, or a fake device)."""
        return self.track.fallback_active

    # -- DeviceFollower ----------------------------------------------------------------

    def _open(self, entry: DeviceEntry) -> bool:
        device = self.catalog.camera_device(entry)
        if device is None:  # a fake catalog's camera: synthetic frames stand in for it
            self._use_synthetic(True)
            return True
        camera = QCamera(device)
        fmt = choose_format(device.videoFormats(), self.size, self.fps, self.capture)
        if fmt is not None:
            camera.setCameraFormat(fmt)
            res = fmt.resolution()
            logger.info(
                "camera format %dx%d@%.0f %s%s", res.width(), res.height(), fmt.maxFrameRate(),
                fmt.pixelFormat().name, "" if is_direct(fmt.pixelFormat()) else " (converted)",
            )  # fmt: skip
        session = QMediaCaptureSession()
        session.setCamera(camera)
        session.setVideoSink(self._sink)
        camera.errorOccurred.connect(self._on_camera_error)
        self._camera, self._session = camera, session
        self.optics.attach(camera)
        camera.start()
        if camera.error() != QCamera.Error.NoError:  # failed at once (busy, no permission)
            logger.warning("camera did not start: %s", camera.error().name)
            self._close()
            return False
        return True

    def _close(self) -> None:
        self._use_synthetic(False)
        camera, session = self._camera, self._session
        self._camera = self._session = None
        self.optics.attach(None)
        if camera is not None:
            camera.errorOccurred.disconnect(self._on_camera_error)
            camera.stop()  # releases the device: the light goes off
        if session is not None:
            session.setVideoSink(None)  # type: ignore[arg-type]  # Qt takes nullptr
            session.setCamera(None)  # type: ignore[arg-type]
            session.deleteLater()
        if camera is not None:
            camera.deleteLater()

    def _use_synthetic(self, on: bool) -> None:
        self.track.set_fallback_active(on)
        if on:
            self._preview.start()
        else:
            self._preview.stop()

    # -- frames ----------------------------------------------------------------------

    def _on_frame(self, frame: QVideoFrame) -> None:
        converted = video_frame_to_av(frame)
        if converted is None:
            return
        self.frames_converted += 1
        self.direct_frames += is_direct(frame.pixelFormat())
        tag_zoom(converted, self.optics.factor)  # the crop follows the lens frame by frame
        self.track.push(converted)
        self.frame_captured.emit(frame)

    def _on_camera_error(self, error: QCamera.Error, message: str) -> None:
        if error != QCamera.Error.NoError:
            logger.warning("camera error %s", error.name)  # Qt's text may name the device
            self.device_failed()

    def _preview_tick(self) -> None:
        if self.state in (DeviceState.OFF, DeviceState.LOST):
            return
        frame: av.VideoFrame = self._preview_source.make_frame(
            self._preview_seq, wall_clock_ms(), self._preview_seq
        )
        self._preview_seq += 1
        self.frame_captured.emit(frame)
