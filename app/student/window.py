"""The pupil's window: the class, themselves, three big buttons and the state in words.

The engine connects by itself whenever the class device is online; this window
only shows what happens and passes on the pupil's choices: microphone on/off
(silence is sent), camera on/off (the camera is *released*, its light goes off,
and nothing is sent), leave / join again.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QTimer

from app.av.camera import CameraSource
from app.av.speaker import SpeakerSink
from app.av.video_view import SelfView, VideoView
from app.banner import BannerKind
from app.bridge import EngineBridge
from app.kiosk import KioskWindow
from app.student.status import Connection, Situation, can_rejoin, connection
from app.student.views import StudentCallView
from media.state import CallState, StateChange

logger = logging.getLogger(__name__)


class StudentWindow(KioskWindow):
    def __init__(
        self,
        bridge: EngineBridge,
        *,
        camera: CameraSource | None = None,
        speaker: SpeakerSink | None = None,
        windowed: bool = False,
        read_markers: bool = True,
        **kiosk: Any,
    ) -> None:
        self._ready = False
        super().__init__(windowed=windowed, **kiosk)
        self.bridge = bridge
        # Reading the synthetic frame number costs ~0.4 ms a frame: demo, tests, bench.
        self.video = VideoView(read_markers=read_markers)
        self.preview = SelfView()
        self.camera = camera
        self.speaker = speaker
        self.situation = Situation()
        self.mic_on = self.camera_on = True
        self._speaker_notice = False
        self.view = StudentCallView(self.video, self.preview)
        self.set_content(self.view)
        controls = self.view.controls
        controls.mic_toggled.connect(self._set_mic)
        controls.camera_toggled.connect(self._set_camera)
        controls.leave_requested.connect(bridge.hangup)
        controls.rejoin_requested.connect(bridge.rejoin)
        if camera is not None:
            camera.frame_captured.connect(self.preview.show_frame)
            camera.lost.connect(self._camera_lost)
            camera.resumed.connect(self._camera_resumed)
        if speaker is not None:
            bridge.audio_sink = speaker.push  # dropped while no speaker is open
            speaker.state_changed.connect(self._speaker_changed)
            QTimer.singleShot(0, self._speaker_changed)
        bridge.state_changed.connect(self._on_state)
        bridge.peer_online_changed.connect(self._on_peer_online)
        bridge.signaling_changed.connect(self._on_signaling)
        bridge.stats_updated.connect(self.view.show_stats)
        bridge.video_frame_arrived.connect(self._on_frame)
        bridge.failed.connect(self.show_error)
        self._ready = True
        self._render()

    @property
    def connection(self) -> Connection:
        return connection(self.situation)

    # -- from the engine ------------------------------------------------------------

    def _on_state(self, change: StateChange) -> None:
        self._update(state=change.state, reason=change.reason)
        self.set_live_call(change.state is CallState.LIVE)

    def _on_peer_online(self, online: bool) -> None:
        self._update(peer_online=online)

    def _on_signaling(self, connected: bool) -> None:
        self._update(signaling=connected)

    def _update(self, **changes: Any) -> None:
        s = self.situation
        self.situation = Situation(
            state=changes.get("state", s.state),
            reason=changes["reason"] if "state" in changes else s.reason,
            peer_online=changes.get("peer_online", s.peer_online),
            signaling=changes.get("signaling", s.signaling),
        )
        self._render()

    def _on_frame(self) -> None:
        frame = self.bridge.take_video_frame()
        if frame is not None:
            self.video.show_frame(frame)

    def _render(self) -> None:
        current = self.connection
        self.view.show_connection(current)
        self.view.controls.show_in_call(not can_rejoin(current))

    # -- from the pupil ----------------------------------------------------------------

    def _set_mic(self, on: bool) -> None:
        self.mic_on = on
        self.bridge.set_media(mic=self.mic_on, camera=self.camera_on)

    def _set_camera(self, on: bool) -> None:
        self.camera_on = on
        if self.camera is not None:
            if on:
                self.camera.start()
            else:
                self.camera.stop()  # releases the device: its light goes off
        self.view.show_camera(on)
        self.bridge.set_media(mic=self.mic_on, camera=self.camera_on)

    def _camera_lost(self) -> None:
        self.view.show_camera(False)
        self.show_banner(
            self.tr(
                "The camera is not connected. It comes back by itself when it is plugged in again."
            ),
            BannerKind.WARNING,
        )

    def _camera_resumed(self) -> None:
        self.view.show_camera(self.camera_on)
        self.hide_banner()

    def _speaker_changed(self, *_state: Any) -> None:
        if self.speaker is None or self.speaker.available:
            if self._speaker_notice:
                self._speaker_notice = False
                self.hide_banner()
            return
        self._speaker_notice = True
        self.show_banner(
            self.tr(
                "No speaker found: you can see the class but not hear it. "
                "Plug in headphones or a speaker."
            ),
            BannerKind.WARNING,
        )
