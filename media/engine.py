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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from media import ice
from media.control import ControlMessage
from media.impair import Impairment
from media.peer import LocalMedia
from media.session import CallSession, SessionHooks, SessionSettings
from media.state import CallState, StateChange
from media.stats import CallStats, FrameCounter, StatsBuilder
from media.tracks import CountingTrack
from pairing.credentials import DeviceCredentials
from pairing.revocation import RevocationList, newer

logger = logging.getLogger(__name__)


class EngineListener(Protocol):
    def on_state(self, change: StateChange) -> None: ...
    def on_stats(self, stats: CallStats) -> None: ...
    def on_control(self, message: ControlMessage) -> None: ...
    def on_signaling(self, connected: bool) -> None: ...
    def on_peer_online(self, online: bool) -> None: ...
    def on_video_frame(self, frame: Any) -> None: ...
    def on_audio_frame(self, frame: Any) -> None: ...


class SignalingHandler(Protocol):
    """What a signaling port reports to the engine."""

    async def signaling_changed(self, connected: bool) -> None: ...
    async def peer_changed(self, online: bool) -> None: ...
    async def relayed(self, payload: Any) -> None: ...
    async def crl_received(self, crl: RevocationList) -> None: ...


class SignalingPort(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def send_relay(self, payload: dict[str, Any]) -> bool: ...


SignalingFactory = Callable[[SignalingHandler], SignalingPort]


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


class Engine:
    def __init__(
        self, config: EngineConfig, signaling: SignalingFactory, listener: EngineListener
    ) -> None:
        self.config = config
        self._listener = listener
        self._crl = config.crl
        self.sent = FrameCounter()
        self.received = FrameCounter()
        media = config.media
        video = CountingTrack(media.video, self.sent.tick) if media.video else None
        self.session = CallSession(
            credentials=config.credentials,
            ice_servers=config.ice_servers,
            media=LocalMedia(audio=media.audio, video=video),
            send_relay=self._send_relay,
            hooks=SessionHooks(
                on_state=self._on_state,
                on_control=listener.on_control,
                video_sink=self._on_video,
                audio_sink=listener.on_audio_frame,
            ),
            crl=lambda: self._crl,
            settings=config.session,
            impairment=config.impairment,
        )
        self._signaling = signaling(self)
        self._tasks: list[asyncio.Task[None]] = []
        self.last_stats = CallStats()

    # -- lifecycle (call on the engine loop) -----------------------------------

    async def start(self) -> None:
        # Tasks inherit the context they are created in, so the loopback choice made
        # here reaches every ICE gatherer this engine's tasks create, and no other.
        ice.set_loopback_only(self.config.loopback_only)
        self.session.start()
        self._tasks.append(asyncio.get_running_loop().create_task(self._stats_loop()))
        await self._signaling.start()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.session.stop()
        await self._signaling.stop()

    async def hangup(self) -> None:
        await self.session.hangup()

    async def rejoin(self) -> None:
        await self.session.rejoin()

    def send_control(self, message: ControlMessage) -> bool:
        return self.session.send_control(message)

    @property
    def crl(self) -> RevocationList | None:
        return self._crl

    # -- SignalingHandler -------------------------------------------------------

    async def signaling_changed(self, connected: bool) -> None:
        self._listener.on_signaling(connected)

    async def peer_changed(self, online: bool) -> None:
        self._listener.on_peer_online(online)
        await self.session.peer_online(online)

    async def relayed(self, payload: Any) -> None:
        await self.session.relayed(payload)

    async def crl_received(self, crl: RevocationList) -> None:
        if not newer(self._crl, crl):
            return
        self._crl = crl
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
        self._listener.on_state(change)

    def _on_video(self, frame: Any) -> None:
        self.received.tick()
        self._listener.on_video_frame(frame)

    async def _stats_loop(self) -> None:
        builder = StatsBuilder()
        while True:
            await asyncio.sleep(self.config.stats_interval)
            link = self.session.link
            if link is None or self.session.state is not CallState.LIVE:
                continue
            try:
                report = await link.pc.getStats()
                stats = builder.build(
                    report,
                    sent=self.sent,
                    received=self.received,
                    candidate_type=link.candidate_type,
                )
            except Exception:  # stats are diagnostics: never let them end the call
                logger.debug("stats failed", exc_info=True)
                continue
            self.last_stats = stats
            self._listener.on_stats(stats)
