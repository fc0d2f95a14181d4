"""The pupil's window: the class, themselves, three big buttons and the state in words.

The engine connects by itself whenever the class device is online; this window
only shows what happens and passes on the pupil's choices: microphone on/off
(silence is sent), camera on/off (the camera is *released*, its light goes off,
and nothing is sent), leave / join again. Out of the lesson (left, or the call
ended) the camera and microphone are released as well, and back in they start
again as the pupil had them.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QLocale, Qt, QTimer

from app.av.camera import CameraSource
from app.av.microphone import MicrophoneSource
from app.av.speaker import SpeakerSink
from app.av.video_view import SelfView, VideoView
from app.banner import BannerKind
from app.bridge import EngineBridge
from app.kiosk import KioskWindow
from app.student.status import Connection, Situation, can_rejoin, connection
from app.student.views import StudentCallView
from media.control import ControlMessage
from media.crop import View
from media.features.soundcheck import CheckResult, Heard
from media.features.speaker import ClassSpeaker
from media.state import CallState, StateChange

logger = logging.getLogger(__name__)


class StudentWindow(KioskWindow):
    def __init__(
        self,
        bridge: EngineBridge,
        *,
        camera: CameraSource | None = None,
        microphone: MicrophoneSource | None = None,
        speaker: SpeakerSink | None = None,
        windowed: bool = False,
        read_markers: bool = True,
        presence: str = "video",
        **kiosk: Any,
    ) -> None:
        """``presence``: the level to start at (a technician setting; the engine is
        built with the same one, so nothing is sent from here)."""
        self._ready = False
        super().__init__(windowed=windowed, **kiosk)
        self.bridge = bridge
        # Reading the synthetic frame number costs ~0.4 ms a frame: demo, tests, bench.
        self.video = VideoView(read_markers=read_markers)
        self.preview = SelfView()
        self.camera = camera
        self.microphone = microphone
        self.speaker = speaker
        self.presence = "video"
        self.paused = False
        self.next_lesson: QDateTime | None = None
        self._syncing = False
        self.situation = Situation()
        self.mic_on = self.camera_on = True
        self._out_of_call = False  # left or ended: camera and microphone released
        self._speaker_notice = False
        self.view = StudentCallView(self.video, self.preview)
        self.set_content(self.view)
        controls = self.view.controls
        controls.mic_toggled.connect(self._set_mic)
        controls.camera_toggled.connect(self._set_camera)
        controls.leave_requested.connect(bridge.hangup)
        controls.rejoin_requested.connect(bridge.rejoin)
        features = self.view.features
        features.hand_toggled.connect(self._raise_hand)
        features.whisper_toggled.connect(self._whisper)
        features.reacted.connect(self._react)
        features.check.finished.connect(self._sound_checked)
        self.view.look.view_changed.connect(self._send_view)
        self.view.look.preset_chosen.connect(self._send_preset)
        if camera is not None:
            camera.frame_captured.connect(self.preview.show_frame)
            camera.lost.connect(self._camera_lost)
            camera.resumed.connect(self._camera_resumed)
        if speaker is not None:
            bridge.audio_sink = speaker.push  # dropped while no speaker is open
            features.check.class_level = lambda: speaker.level_dbfs  # the class, as played here
            speaker.state_changed.connect(self._speaker_changed)
            QTimer.singleShot(0, self._speaker_changed)
        bridge.state_changed.connect(self._on_state)
        bridge.peer_online_changed.connect(self._on_peer_online)
        bridge.signaling_changed.connect(self._on_signaling)
        bridge.stats_updated.connect(self.view.show_stats)
        bridge.video_frame_arrived.connect(self._on_frame)
        bridge.failed.connect(self.show_error)
        bridge.control_received.connect(self._on_control)
        self._show_level(presence)
        self._ready = True
        self._render()

    @property
    def connection(self) -> Connection:
        return connection(self.situation)

    # -- from the engine ------------------------------------------------------------

    def _on_state(self, change: StateChange) -> None:
        if change.state is CallState.ENDED:  # the engine forgets the hand and the pause
            self.paused = False
            self.view.features.show_hand(False)
            self.view.features.show_class_speaker(None)  # the next call reports it afresh
        if change.state is not CallState.LIVE:
            self.view.features.check.stop()  # a check measures one call
        if change.state is not CallState.LIVE:  # the class turns its speaker up again
            self.view.features.show_whisper(False)
        self._update(state=change.state, reason=change.reason)
        self.set_live_call(change.state is CallState.LIVE)
        self._follow_call(change.state is CallState.ENDED)

    def _follow_call(self, out: bool) -> None:
        """Out of the lesson nothing needs the camera or the microphone: both are released
        (the camera's light goes off). Back in (join again, or the engine's own rejoin at
        the next lesson) they start again as the pupil's buttons say."""
        if out == self._out_of_call:
            return
        self._out_of_call = out
        if self.microphone is not None:
            if out:
                self.microphone.stop()
            elif self.mic_on:
                self.microphone.start()
        self._apply_camera(self.camera_on)  # out of the lesson: stopped whatever the button

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
        self.view.show_paused(self.paused)
        self.view.controls.show_in_call(not can_rejoin(current))
        if current is Connection.OUTSIDE_HOURS and self.next_lesson is not None:
            when = QLocale().toString(self.next_lesson, "dddd HH:mm")
            self.view.show_waiting_detail(self.tr("Next lesson: {when}").format(when=when))

    def _on_control(self, message: ControlMessage) -> None:
        kind, body = message.kind, message.body
        features = self.view.features
        if kind == "features":
            self._show_switches(body)
        elif kind == "hand_ack":  # the teacher tapped it: say so, not only lower it
            features.show_hand(False)
            self.show_banner(self.tr("The teacher saw your raised hand."), BannerKind.INFO)
        elif kind == "pause":
            self.paused = bool(body["paused"])
            self.view.show_paused(self.paused)
        elif kind == "level":
            features.meter.show_level(float(body["dbfs"]))
            features.check.show_level(float(body["dbfs"]))
        elif kind == "speaker":
            features.show_class_speaker(ClassSpeaker.from_body(body))
        elif kind == "schedule":
            self._schedule_notice(int(body["closes_in_s"]))
        elif kind == "next_lesson":
            self._next_lesson(str(body["at"]))

    def _show_switches(self, switches: Any) -> None:
        """A feature the school switched off is not shown at all."""
        self.view.features.allow(switches)
        self.view.allow_looking(bool(switches.get("view", True)))

    def _schedule_notice(self, closes_in_s: int) -> None:
        minutes = max(1, round(closes_in_s / 60))
        if minutes == 5:
            text = self.tr("The lesson ends in 5 minutes")
        else:
            text = self.tr("The lesson ends in {minutes} minutes").format(minutes=minutes)
        self.show_banner(text, BannerKind.INFO)

    def _next_lesson(self, at: str) -> None:
        when = QDateTime.fromString(at, Qt.DateFormat.ISODateWithMs)
        if not when.isValid():
            when = QDateTime.fromString(at, Qt.DateFormat.ISODate)
        self.next_lesson = when.toLocalTime() if at and when.isValid() else None
        self._render()

    # -- from the pupil ----------------------------------------------------------------

    def _set_mic(self, on: bool) -> None:
        if self._syncing:
            return
        self.mic_on = on
        if on and self.microphone is not None and not self._out_of_call:
            self.microphone.start()  # it may have been released for "listening"
        self.view.features.meter.show_mic(on)
        self.view.features.check.show_mic(on)
        self.bridge.set_media(mic=self.mic_on, camera=self.camera_on)
        self._follow_buttons()

    def _set_camera(self, on: bool) -> None:
        if self._syncing:
            return
        self.camera_on = on
        self._apply_camera(on)
        self.bridge.set_media(mic=self.mic_on, camera=self.camera_on)
        self._follow_buttons()

    def _apply_camera(self, on: bool) -> None:
        on = on and not self._out_of_call  # out of the lesson it stays released
        if self.camera is not None:
            if on:
                self.camera.start()
            else:
                self.camera.stop()  # releases the device: its light goes off
        self.view.show_camera(on)

    def set_presence(self, level: str) -> None:
        """listening: microphone and camera off and released; voice: microphone; video: both."""
        self._show_level(level)
        self.bridge.set_media(mic=self.mic_on, camera=self.camera_on)
        self.bridge.run(lambda e: e.set_presence(level))

    def _show_level(self, level: str) -> None:
        """This side of a level: devices released or started, buttons and meter to match."""
        self.presence = level
        self.mic_on, self.camera_on = level != "listening", level == "video"
        if self.microphone is not None:
            if self.mic_on and not self._out_of_call:
                self.microphone.start()
            else:
                self.microphone.stop()  # released, like the camera
        self._apply_camera(self.camera_on)
        self._syncing = True
        try:  # the two buttons say the same as the level
            self.view.controls.mic.setChecked(self.mic_on)
            self.view.controls.camera.setChecked(self.camera_on)
        finally:
            self._syncing = False
        self.view.features.meter.show_mic(self.mic_on)
        self.view.features.check.show_mic(self.mic_on)

    def _follow_buttons(self) -> None:
        """The microphone and camera buttons move the level along where one fits."""
        level = {(False, False): "listening", (True, False): "voice", (True, True): "video"}.get(
            (self.mic_on, self.camera_on)
        )
        if level is not None and level != self.presence:
            self.presence = level
            if level == "listening" and self.microphone is not None:
                self.microphone.stop()  # only listening: released, as the camera is
            self.bridge.run(lambda e: e.set_presence(level))

    def _raise_hand(self, raised: bool) -> None:
        self.bridge.run(lambda e: e.features.raise_hand(raised))

    def _whisper(self, on: bool) -> None:
        self.bridge.run(lambda e: e.features.whisper(on))

    def _react(self, kind: str) -> None:
        self.bridge.run(lambda e: e.features.react(kind))
        self.view.features.confirm_reaction(kind)

    def _sound_checked(self, result: CheckResult) -> None:
        """The check's answer with what to do, where the pupil reads notices."""
        good = result.heard is Heard.GOOD and self.view.features.check.can_hear_class
        self.show_banner(self.view.features.check.answer(result),
                         BannerKind.INFO if good else BannerKind.WARNING)  # fmt: skip

    def _send_view(self, position: View) -> None:
        x, y, zoom = position.x, position.y, position.zoom
        self.bridge.run(lambda e: e.features.set_view(x, y, zoom))

    def _send_preset(self, name: str) -> None:
        self.bridge.run(lambda e: e.features.view_preset(name))

    def _camera_lost(self) -> None:
        self.view.show_camera(False)
        self.show_banner(
            self.tr(
                "The camera is not connected. It comes back by itself when it is plugged in again."
            ),
            BannerKind.WARNING,
        )

    def _camera_resumed(self) -> None:
        self.view.show_camera(self.camera_on and not self._out_of_call)
        self.hide_banner()

    def _speaker_changed(self, *_state: Any) -> None:
        self.view.features.check.can_hear_class = self.speaker is None or self.speaker.available
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

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange and self._ready:
            # After the views retranslated (their order is Qt's): the next lesson's line again.
            QTimer.singleShot(0, self._render)
