"""The camera's optical zoom (``QCamera.zoomFactor``) as the engine's :class:`media.optical.Optics`.

The engine asks for a factor on its own thread (:meth:`OpticalZoom.request`); a
queued signal brings it to the GUI thread, where ``setZoomFactor`` runs on the
QCamera that :class:`app.av.camera.CameraSource` attached. The factor Qt *reports*
(``zoomFactorChanged``) is :attr:`OpticalZoom.factor`: the camera source tags each
frame with it (media.optical.tag_zoom) and the engine crops each frame for its
own tag. So frames captured before the lens moved keep the old crop; the only
mismatch left is the frames already in the camera's buffers when Qt reports the
new factor (a frame or two, and only when the optical factor changes). Waiting a
fixed number of frames instead would be a guess about a driver we cannot see.

A camera without zoom (``maximumZoomFactor() <= 1``) is never told anything.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance

logger = logging.getLogger(__name__)

_SAME = 1e-3  # zoom factors this close are the same request


class ZoomCamera(Protocol):
    """The part of ``QCamera`` used here (tests pass a small fake with the same names)."""

    zoomFactorChanged: SignalInstance
    maximumZoomFactorChanged: SignalInstance

    def zoomFactor(self) -> float: ...

    def maximumZoomFactor(self) -> float: ...

    def setZoomFactor(self, factor: float) -> None: ...


class OpticalZoom(QObject):
    """Lives on the GUI thread; :meth:`request` and the two floats are for any thread."""

    _requested = Signal(float)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._camera: ZoomCamera | None = None
        # Plain floats: the engine thread reads them, a float store is atomic.
        self.maximum = 1.0  # what the attached camera offers (1: no optical zoom)
        self.factor = 1.0  # what Qt last reported: the zoom of the frames now arriving
        self.wanted = 1.0  # the engine's last request, kept for the next camera
        # Queued even from the GUI thread: QCamera is touched only from the event loop.
        self._requested.connect(self._apply, Qt.ConnectionType.QueuedConnection)

    # -- media.optical.Optics (any thread) ---------------------------------------------

    def request(self, factor: float) -> None:
        self._requested.emit(float(factor))

    # -- the camera source (GUI thread) --------------------------------------------------

    def attach(self, camera: ZoomCamera | None) -> None:
        """Follow ``camera`` (None: no camera; frames are unzoomed then)."""
        old = self._camera
        if old is camera:
            return
        if old is not None:
            old.zoomFactorChanged.disconnect(self._factor_changed)
            old.maximumZoomFactorChanged.disconnect(self._maximum_changed)
        self._camera = camera
        if camera is not None:
            camera.zoomFactorChanged.connect(self._factor_changed)
            camera.maximumZoomFactorChanged.connect(self._maximum_changed)
        self._factor_changed()
        self._maximum_changed()

    # -- internals (GUI thread) ------------------------------------------------------------

    def _apply(self, factor: float) -> None:
        self.wanted = factor
        camera = self._camera
        if camera is None or self.maximum <= 1.0:
            return
        target = min(self.maximum, max(1.0, factor))
        if abs(camera.zoomFactor() - target) > _SAME:
            camera.setZoomFactor(target)

    def _factor_changed(self, *_factor: float) -> None:
        camera = self._camera
        self.factor = float(camera.zoomFactor()) if camera is not None else 1.0

    def _maximum_changed(self, *_maximum: float) -> None:
        camera = self._camera
        maximum = float(camera.maximumZoomFactor()) if camera is not None else 1.0
        if maximum != self.maximum and maximum > 1.0:
            logger.info("camera has optical zoom up to %.1f×", maximum)
        self.maximum = maximum
        self._apply(self.wanted)  # a camera that just started may take the last request
