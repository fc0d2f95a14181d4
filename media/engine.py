"""The call engine: one device's signaling link, call session, stats and CRL.

Qt-free and loop-agnostic: the app runs it on its own thread's asyncio loop and the
headless demo runs two of them on one loop. Everything it reports goes through an
:class:`EngineListener`, called on the engine loop (the Qt bridge re-emits those
as queued signals; only immutable values are passed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from media import ice, paths
from media.audio.echo import EchoStatus
from media.audio.processor import ProcessingState, Processor
from media.audio.settings import AudioSettings
from media.audio.track import ProcessedAudioTrack
from media.calllog import CallLog, ConnectionLogLike
from media.callsummary import CallReporter
from media.control import ControlMessage
from media.crop import View, ViewTrack
from media.features.hub import FeatureConfig, FeatureHub
from media.gate import GatedTrack, SendGate
from media.impair import Impairment
from media.measure import FrameMeter
from media.peer import LocalMedia
from media.ports import (
    EngineListener,
    SignalingFactory,
)
from media.session import CallSession, SessionHooks, SessionSettings
from media.state import CallState, StateChange
from media.stats import CallStats, FrameCounter, StatsBuilder
from media.tracks import CountingTrack
from media.turnurls import TurnLogin
from pairing.credentials import DeviceCredentials
from pairing.revocation import RevocationList, newer
from pairing.roles import Role
from privacy.codes import EventKind
from privacy.retention import purge_daily

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineConfig:
    credentials: DeviceCredentials
    ice_servers: Sequence[Mapping[str, Any]]
    media: LocalMedia = field(default_factory=LocalMedia)
    session: SessionSettings = field(default_factory=SessionSettings)
    loopback_only: bool = False  # tests and the demo: ICE on 127.0.0.1 only
    crl: RevocationList | None = None
    store_crl: Callable[[RevocationList], object] | None = None
    impairment: Impairment | None = None  # tests and benchmarks only
    stats_interval: float = 1.0
    # How often local addresses are compared (~0.25 ms each): a laptop that loses its
    # Wi-Fi starts over within this long (issue 10 item 6: media back within 2 s).
    network_poll: float = 0.25
    # The classroom UI sets this: media leaves only after it has confirmed, with
    # allow_sending(), that LIVE is on screen (DESIGN.md "Call flow" 7).
    confirm_sending: bool = False
    # Read the synthetic sources' frame markers (demo, tests, benchmarks): distinct
    # frames and latency in the stats. Costs ~0.5 ms a frame; off for real cameras.
    measure: bool = False
    # The connection log (privacy.store.ConnectionLog): technical facts only. The
    # engine closes it when it stops.
    connection_log: ConnectionLogLike | None = None
    # Hand, presence, view, pause, whisper, reactions, level, school hours (issue 5).
    features: FeatureConfig = field(default_factory=FeatureConfig)
    # Echo cancellation, noise suppression, high-pass filter, gain control (issue 11).
    audio: AudioSettings = field(default_factory=AudioSettings)


class Engine:
    def __init__(
        self, config: EngineConfig, signaling: SignalingFactory, listener: EngineListener
    ) -> None:
        self.config = config
        self._listener = listener
        self._crl = config.crl
        self.sent = FrameCounter()
        self.received = FrameCounter()
        self.meter = FrameMeter() if config.measure else None
        self.gate = SendGate()
        media = config.media
        # The microphone goes through the APM before the gate (media.audio); the
        # speaker hands its reference to play_reference().
        self.processor = Processor(config.audio)
        self.processing = ProcessedAudioTrack(media.audio, self.processor) if media.audio else None
        self.audio = GatedTrack(self.processing, self.gate) if self.processing else None
        # Looking around (media.features): the classroom crops the camera's full
        # frame before scaling to the sent size, at the source.
        camera = media.video
        self.view: ViewTrack | None = None
        if camera is not None and config.credentials.info.role is Role.CLASSROOM:
            camera = self.view = ViewTrack(camera, config.features.send_size)
        counted = CountingTrack(camera, self.sent.tick) if camera else None
        self.video = GatedTrack(counted, self.gate) if counted else None
        self._mic = self._camera = True
        self.features = FeatureHub(self, config.features, config.credentials.info.role)
        self.session = CallSession(
            credentials=config.credentials,
            ice_servers=config.ice_servers,
            media=LocalMedia(audio=self.audio, video=self.video),
            send_relay=self._send_relay,
            hooks=SessionHooks(
                on_state=self._on_state,
                on_control=self.features.on_control,  # it passes them on to the listener
                video_sink=self._on_video,
                audio_sink=self._on_audio,
                on_channels_open=self._on_channels_open,
                admit=self.features.admit,  # school hours
                on_transport=self._on_transport,
                on_path_lost=self._path_lost,
            ),
            crl=lambda: self._crl,
            settings=config.session,
            impairment=config.impairment,
        )
        self._calllog = (
            CallLog(config.connection_log, role=config.credentials.info.role.value,
                    peer_short=config.credentials.pinned_peer.short)
            if config.connection_log is not None
            else None
        )  # fmt: skip
        # The server's "last call": the summary goes over signaling when a call ends
        # (late-bound: the port is made below).
        self._reporter = CallReporter(lambda s: self._signaling.report_call(s))  # noqa: PLW0108
        self.turn_credential: TurnLogin | None = None
        self._signaling = signaling(self)
        self._tasks: set[asyncio.Task[None]] = set()
        if self.processor.state is ProcessingState.UNAVAILABLE:
            self._log_event(EventKind.AUDIO_PROCESSING_UNAVAILABLE)
        self.processor.on_unavailable = lambda: self._log_event(
            EventKind.AUDIO_PROCESSING_UNAVAILABLE
        )
        self.last_stats = CallStats()

    # -- lifecycle (call on the engine loop) -----------------------------------

    async def start(self) -> None:
        # Tasks inherit the context they are created in, so the loopback choice made
        # here reaches every ICE gatherer this engine's tasks create, and no other.
        ice.set_loopback_only(self.config.loopback_only)
        self.session.start()
        self.features.start()
        self.spawn(self._stats_loop())
        self.spawn(self._watch_network())
        if self.config.connection_log is not None:
            # A classroom unit runs for weeks: retention must not wait for a restart.
            self.spawn(purge_daily(self.config.connection_log))
        await self._signaling.start()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.session.stop()
        await self._reporter.flush()  # the summary of the call that just stopped
        await self._signaling.stop()
        # Stopping the session closes the send gate: let that finish (and log) first.
        pending = list(self._tasks)
        if pending:
            await asyncio.wait(pending, timeout=2.0)
        if self.config.connection_log is not None:
            # Blocking file I/O (final summaries), off the loop: media may still be
            # flowing on other engines of this process.
            await asyncio.to_thread(self.config.connection_log.close)

    async def hangup(self) -> None:
        await self.session.hangup()

    async def rejoin(self) -> None:
        await self.session.rejoin()

    def send_control(self, message: ControlMessage) -> bool:
        return self.session.send_control(message)

    def set_media(self, *, mic: bool, camera: bool) -> None:
        """Microphone off sends silence; camera off sends nothing. The peer is told."""
        self._mic, self._camera = mic, camera
        if self.audio is not None:
            self.audio.enabled = mic
        if self.video is not None:
            self.video.enabled = camera
        self._announce_media()

    def play_reference(self, frame: Any, volume: float = 1.0) -> None:
        """Any thread: what the speaker plays now, after ``volume`` (whisper included)."""
        if self.processing is not None:
            self.processing.reference(frame, volume)

    @property
    def echo_status(self) -> EchoStatus | None:
        """Echo cancellation here: off, unavailable, converging or converged (None: no mic)."""
        return self.processing.echo_status if self.processing is not None else None

    def set_audio_processing(self, settings: AudioSettings) -> None:
        """On the engine loop: the technician's stages, from the next 10 ms on."""
        self.processor.apply(settings)

    def allow_sending(self) -> None:
        """The UI shows LIVE: media may leave now (only while the call is live)."""
        if self.session.state is not CallState.LIVE or self.gate.passing:
            return
        if self.features.paused:
            # The teacher's pause: only the pause picture and silence leave; LIVE stays off.
            self.gate.open(substitute=True)
            return
        self.gate.open()
        self._log_event(EventKind.SENDING_STARTED)
        self._listener.on_sending(True)

    def _announce_media(self) -> None:
        self.send_control(ControlMessage("media", {"mic": self._mic, "camera": self._camera}))

    # -- features (media.features; the rest is on self.features) ---------------

    def set_presence(self, level: str) -> bool:
        """Pupil: listening | voice | video (maps to set_media, the class is told)."""
        return self.features.set_presence(level)

    def pause(self, minutes: float | None = None) -> bool:
        """Classroom: replace class media by the pause picture and silence; LIVE off."""
        room = self.features.classroom
        return room is not None and room.pause(minutes)

    def resume(self) -> None:
        if self.features.classroom is not None:
            self.features.classroom.resume()

    def save_board_view(self) -> View | None:
        """Classroom: the current view becomes the one-touch "board" view."""
        room = self.features.classroom
        return room.save_board_view() if room is not None else None

    def report_control(self, message: ControlMessage) -> None:
        """To the listener: a control message, or a local feature state change."""
        self._listener.on_control(message)

    # -- FeatureHost (media.ports): what the features use ----------------------

    @property
    def call_state(self) -> CallState:
        return self.session.state

    @property
    def confirm_sending(self) -> bool:
        return self.config.confirm_sending

    async def end_for_schedule(self) -> None:
        await self.session.end_for_schedule()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` on the engine loop; cancelled when the engine stops."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def substitute(self) -> None:
        was_passing = self.gate.passing
        await self.gate.substitute()  # returns once no class frame can leave any more
        if was_passing:
            self._log_event(EventKind.SENDING_STOPPED)
            self._listener.on_sending(False)

    def _on_channels_open(self) -> None:
        self._announce_media()
        self.features.on_channels_open()

    @property
    def crl(self) -> RevocationList | None:
        return self._crl

    # -- SignalingHandler -------------------------------------------------------

    async def signaling_changed(self, connected: bool, reason: str = "") -> None:
        self._log_event(EventKind.SIGNALING_UP if connected else EventKind.SIGNALING_DOWN)
        self._listener.on_signaling(connected)
        if connected:
            self._reporter.connected()  # a call summary held while it was down
        if not connected:  # no relay, no new attempt (a live call goes on); the server
            await self.session.peer_online(False)  # says who is online when it is back
        if reason == "revoked":  # this device's own certificate, for good: say so
            await self.session.revoked()

    async def peer_changed(self, online: bool) -> None:
        self._log_event(EventKind.PEER_ONLINE if online else EventKind.PEER_OFFLINE)
        self._listener.on_peer_online(online)
        await self.session.peer_online(online)

    async def relayed(self, payload: Any) -> None:
        await self.session.relayed(payload)

    async def turn_received(self, credential: TurnLogin) -> None:
        """Short-lived TURN credentials from the server (signaling.turn); never logged."""
        self.turn_credential = credential
        self.session.turn_login(credential)

    async def crl_received(self, crl: RevocationList) -> None:
        if not newer(self._crl, crl):
            return
        self._crl = crl
        self._log_event(EventKind.CRL_UPDATED)
        if self.config.store_crl is not None:
            try:
                self.config.store_crl(crl)
            except OSError:  # a full disk must not stop the call
                logger.warning("could not store CRL %d", crl.number)
        await self.session.crl_updated(crl)

    # -- internals --------------------------------------------------------------

    async def _send_relay(self, payload: dict[str, Any]) -> bool:
        return await self._signaling.send_relay(payload)

    def _on_state(self, change: StateChange) -> None:
        if change.state is CallState.CONNECTING:
            self.received.reset_gap()
        link = self.session.link
        self._reporter.state(
            change,
            candidate_type=link.candidate_type if link else None,
            relay_protocol=link.relay_protocol if link else None,
        )
        if self._calllog is not None:
            self._calllog.state(
                change,
                reconnects=self.session.reconnects,
                candidate_type=link.candidate_type if link else None,
                relay_protocol=link.relay_protocol if link else None,
            )
        self._listener.on_state(change)
        self.features.on_state(change)
        if change.state is CallState.LIVE:
            if not self.config.confirm_sending or self.features.paused:
                self.allow_sending()
        elif self.gate.is_open:
            self._spawn_close()

    def _path_lost(self) -> None:
        self.spawn(self._check_signaling())

    async def _check_signaling(self) -> None:
        await self._signaling.check_connection()

    async def _watch_network(self) -> None:
        """Wi-Fi → 4G: when a local address goes away, the call and the signaling
        connection over it are gone at once; waiting for silence would cost seconds."""
        known = paths.local_addresses()
        while True:
            await asyncio.sleep(self.config.network_poll)
            now = paths.local_addresses()
            if known - now:
                logger.info("network changed: a local address went away")
                self._signaling.reconnect_now()
                await self.session.network_changed()
            known = now

    def _log_event(self, kind: EventKind, code: str | None = None) -> None:
        if self._calllog is not None:
            self._calllog.event(kind, code)

    def _on_transport(self, layer: str, state: str) -> None:
        self._log_event(EventKind.ICE_STATE if layer == "ice" else EventKind.DTLS_STATE, state)

    def log_device(self, kind: str, present: bool) -> None:
        """A camera, microphone or speaker went away or came back (the GUI's catalog
        sees it; the log keeps only which kind)."""
        self._log_event(EventKind.DEVICE_FOUND if present else EventKind.DEVICE_LOST, kind)

    def _spawn_close(self) -> None:
        was_passing = self.gate.passing  # a paused class already reported LIVE off

        async def close() -> None:
            await self.gate.close()  # returns once no frame can leave any more
            if was_passing:
                self._log_event(EventKind.SENDING_STOPPED)
                self._listener.on_sending(False)

        self.spawn(close())

    def _on_video(self, frame: Any) -> None:
        self.received.tick()
        if self.meter is not None:
            self.meter.on_video(frame)
        self._listener.on_video_frame(frame)

    def _on_audio(self, frame: Any) -> None:
        self.features.on_audio(frame)  # "am I heard?"
        if self.meter is not None:
            self.meter.on_audio(frame)
        self._listener.on_audio_frame(frame)

    async def _stats_loop(self) -> None:
        builder, builder_link = StatsBuilder(), None
        while True:
            await asyncio.sleep(self.config.stats_interval)
            link = self.session.link
            if link is None or self.session.state is not CallState.LIVE:
                continue
            primed = builder_link is link
            if not primed:  # byte counters restart with each link: rates need a baseline
                builder, builder_link = StatsBuilder(), link
            try:
                report = await link.pc.getStats()
                stats = builder.build(
                    report,
                    sent=self.sent,
                    received=self.received,
                    candidate_type=link.candidate_type,
                    relay_protocol=link.relay_protocol,
                    meter=self.meter.snapshot() if self.meter else None,
                )
            except Exception:  # stats are diagnostics: never let them end the call
                logger.debug("stats failed", exc_info=True)
                continue
            if not primed:
                continue
            stats = replace(stats, echo=self.echo_status)
            self.last_stats = stats
            self._reporter.stats(stats)
            if self._calllog is not None:
                self._calllog.stats(stats)
            self._listener.on_stats(stats)
