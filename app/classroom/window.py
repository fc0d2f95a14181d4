"""The Klasgenoot unit's window: the pupil, LIVE, the volume; zero-touch for the teacher.

LIVE (DESIGN.md "Call flow" 7): the engine is built with ``confirm_sending=True``
and keeps class media at the source until this window has *painted* LIVE; then
(one event-loop turn after the paint) it calls ``bridge.allow_sending()``. LIVE
goes off only once the engine reports that sending stopped, and stays on when the
engine stops answering. It is a child of the window itself, above every page
(technician panels included), and nothing can hide it.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRect, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.av.camera import CameraSource
from app.av.speaker import SpeakerSink
from app.av.video_view import VideoView
from app.banner import BannerKind
from app.bridge import EngineBridge
from app.classroom.echo import EchoIndicatorView
from app.classroom.features import REACTION_MS, REMINDER_MS, ClassroomFeaturesView
from app.classroom.live import LiveIndicatorWidget, LiveRule
from app.classroom.views import PupilView, VolumeView
from app.kiosk import KioskWindow
from app.widgets import theme
from media.control import ControlMessage
from media.state import CallState, EndReason, StateChange

logger = logging.getLogger(__name__)

LIVE_MARGIN = 24


class ClassroomWindow(KioskWindow):
    def __init__(
        self,
        bridge: EngineBridge,
        *,
        speaker: SpeakerSink | None = None,
        camera: CameraSource | None = None,
        volume: float = 0.8,
        windowed: bool = False,
        read_markers: bool = True,
        reminder_ms: int = REMINDER_MS,
        reaction_ms: int = REACTION_MS,
        **kiosk: Any,
    ) -> None:
        self._ready = False
        super().__init__(windowed=windowed, hide_cursor=True, **kiosk)
        self.bridge = bridge
        # Reading the synthetic frame number costs ~0.4 ms a frame: demo, tests, bench.
        self.video = VideoView(read_markers=read_markers)
        self.speaker = speaker
        self.camera = camera  # its optical zoom, if any, serves the pupil's looking around
        self.rule = LiveRule()
        self.state: CallState | None = None
        self.pupil_camera = self.pupil_mic = True
        self._confirm_pending = False
        self._stall_notice = False

        body = QWidget(self)
        self.pupil = PupilView(self.video, body)
        self.volume = VolumeView(volume, body)
        self.echo = EchoIndicatorView(self.volume)  # beside the volume: both are about sound
        self.volume.add_status(self.echo)
        self.features = ClassroomFeaturesView(bridge, self.pupil, speaker, reminder_ms=reminder_ms,
                                              reaction_ms=reaction_ms, parent=self)  # fmt: skip
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.pupil, 1)
        layout.addWidget(self.features.bar)
        layout.addWidget(self.volume)
        theme.apply(body)
        self.set_content(body)
        self.live = LiveIndicatorWidget(self)  # a child of the window: above every page
        self.live.painted.connect(self._live_painted)
        self.banner.installEventFilter(self)

        if speaker is not None:
            self.features.set_volume(self.volume.volume)
            self.volume.volume_changed.connect(self.features.set_volume)  # whisper scales it
            speaker.state_changed.connect(self._speaker_changed)
            bridge.audio_sink = speaker.push  # dropped while no speaker is open
        self._speaker_changed()
        bridge.state_changed.connect(self._on_state)
        bridge.stats_updated.connect(self.echo.show_stats)
        bridge.signaling_changed.connect(self.pupil.show_signaling)
        bridge.sending_changed.connect(self._on_sending)
        bridge.engine_responsive_changed.connect(self._on_responsive)
        bridge.control_received.connect(self._on_control)
        bridge.video_frame_arrived.connect(self._on_frame)
        bridge.failed.connect(self.show_error)
        self._ready = True
        self.retranslate()
        self._render_pupil()

    # -- LIVE -------------------------------------------------------------------

    def _on_state(self, change: StateChange) -> None:
        if change.state is CallState.LIVE and self.state is not CallState.LIVE:
            self._lend_optics()
        self.state = change.state
        if self.rule.state_changed(change.state):
            self._confirm_pending = True
        if change.state is not CallState.LIVE:
            self.pupil_camera = self.pupil_mic = True  # the next call announces its own
            self.pupil.set_presence("")
        self._render_live()
        self._render_pupil()
        self.echo.show_live(change.state is CallState.LIVE)
        self.features.on_state(change.state)
        self._explain_end(change)

    def _explain_end(self, change: StateChange) -> None:
        """The few endings a teacher cannot fix: say who can (the class sees idle)."""
        if change.state is not CallState.ENDED:
            return
        if change.reason is EndReason.UPDATE_NEEDED:
            self.show_banner(self.tr("Klasgenoot needs an update. Ask the helpdesk."),
                             BannerKind.WARNING)  # fmt: skip
        elif change.reason is EndReason.REVOKED:  # this unit itself: never blame the pupil
            self.show_banner(self.tr("This Klasgenoot has been revoked: contact the helpdesk."),
                             BannerKind.WARNING)  # fmt: skip
        elif change.reason in (EndReason.PEER_UNTRUSTED, EndReason.PEER_REVOKED):
            self.show_banner(
                self.tr(
                    "The pupil's laptop is not trusted. Ask the helpdesk to check the pairing."
                ),
                BannerKind.WARNING,
            )

    def _on_sending(self, sending: bool) -> None:
        self.rule.sending_changed(sending)
        self._render_live()

    def _on_responsive(self, responsive: bool) -> None:
        self.rule.responsive_changed(responsive)
        if self.rule.stalled_while_live:
            self._stall_notice = True
            self.show_banner(
                self.tr(
                    "Technician: the call engine is not responding. LIVE stays on "
                    "until it has stopped. Restart Klasgenoot."
                ),
                BannerKind.ERROR,
            )
        elif responsive and self._stall_notice:
            self._stall_notice = False
            self.hide_banner()
        self._render_live()

    def _render_live(self) -> None:
        self.set_live_call(self.rule.on)
        if self.rule.on:
            self._place_live()
        self.live.set_on(self.rule.on)  # paints at once when on
        self._keep_hand_clear()

    def _live_painted(self) -> None:
        if self._confirm_pending:
            self._confirm_pending = False
            QTimer.singleShot(0, self._confirm_sending)  # after this paint is flushed

    def _confirm_sending(self) -> None:
        if self.rule.call_live and self.live.is_on and self.live.isVisible():
            logger.info("LIVE shown: sending allowed")
            self.bridge.allow_sending()

    def _place_live(self) -> None:
        if not self._ready:
            return
        self.live.adjustSize()
        top = LIVE_MARGIN + (self.banner.height() if self.banner.isVisible() else 0)
        self.live.move(self.width() - self.live.width() - LIVE_MARGIN, top)
        self.live.raise_()
        self._keep_hand_clear()

    def _keep_hand_clear(self) -> None:
        shown = self.live.isVisibleTo(self)
        corner = self.pupil.mapFrom(self, self.live.pos())
        self.features.keep_clear(QRect(corner, self.live.size()) if shown else None)

    def _lend_optics(self) -> None:
        """The engine crops for the pupil; the camera's lens can do part of the zoom."""
        if self.camera is None:
            return
        optics = self.camera.optics
        self.bridge.run(lambda e: e.view.set_optics(optics) if e.view is not None else None)

    # -- the pupil ----------------------------------------------------------------

    def _speaker_changed(self, *_state: Any) -> None:
        self.volume.set_speaker_available(self.speaker is not None and self.speaker.available)

    def _on_control(self, message: ControlMessage) -> None:
        if message.kind == "pause":
            if self.rule.pause_changed(bool(message.body["paused"])):
                self._confirm_pending = True  # LIVE again: confirm once it is painted
            self._render_live()
        elif message.kind == "presence":
            self.pupil.set_presence(str(message.body["level"]))
        self.features.on_control(message)
        if message.kind == "media":
            self.pupil_camera = bool(message.body["camera"])
            self.pupil_mic = bool(message.body["mic"])
            if not self.pupil_camera:
                self.video.clear()
            self._render_pupil()

    def _on_frame(self) -> None:
        frame = self.bridge.take_video_frame()
        if frame is not None and self.pupil_camera:  # in flight after "camera off": dropped
            self.video.show_frame(frame)

    def _render_pupil(self) -> None:
        self.pupil.show_pupil(
            connected=self.state is CallState.LIVE, camera=self.pupil_camera, mic=self.pupil_mic
        )

    # -- Qt -------------------------------------------------------------------------

    def retranslate(self) -> None:
        super().retranslate()
        if getattr(self, "_ready", False):
            self.setAccessibleName(self.tr("Klasgenoot in class"))
            self.features.retranslate()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.banner and event.type() in (
            QEvent.Type.Show,
            QEvent.Type.Hide,
            QEvent.Type.Resize,
        ):
            self._place_live()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_live()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.rule.on:
            self._render_live()  # repaint: a pending confirmation follows the paint
