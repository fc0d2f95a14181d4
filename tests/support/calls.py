"""Two real engines on loopback, and a recording listener, for integration tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

from media.control import ControlMessage
from media.engine import Engine, EngineConfig
from media.impair import Impairment
from media.peer import LocalMedia
from media.ports import SignalingFactory
from media.session import SessionSettings
from media.state import CallState, StateChange
from media.stats import CallStats
from pairing.credentials import DeviceCredentials


@dataclass
class Recorder:
    """An EngineListener that keeps everything it is told, with times."""

    changes: list[tuple[float, StateChange]] = field(default_factory=list)
    controls: list[ControlMessage] = field(default_factory=list)
    stats: list[CallStats] = field(default_factory=list)
    video_times: list[float] = field(default_factory=list)
    audio_frames: int = 0
    signaling: list[bool] = field(default_factory=list)
    peer_online: list[bool] = field(default_factory=list)
    last_video: Any = None
    sending: list[tuple[float, bool]] = field(default_factory=list)

    def on_state(self, change: StateChange) -> None:
        self.changes.append((time.monotonic(), change))

    def on_stats(self, stats: CallStats) -> None:
        self.stats.append(stats)

    def on_control(self, message: ControlMessage) -> None:
        self.controls.append(message)

    def on_signaling(self, connected: bool) -> None:
        self.signaling.append(connected)

    def on_peer_online(self, online: bool) -> None:
        self.peer_online.append(online)

    def on_video_frame(self, frame: Any) -> None:
        self.video_times.append(time.monotonic())
        self.last_video = frame

    def on_audio_frame(self, frame: Any) -> None:
        self.audio_frames += 1

    def on_sending(self, sending: bool) -> None:
        self.sending.append((time.monotonic(), sending))

    @property
    def state(self) -> CallState | None:
        return self.changes[-1][1].state if self.changes else None

    @property
    def last(self) -> StateChange | None:
        return self.changes[-1][1] if self.changes else None


async def wait_until(condition: Callable[[], bool], timeout: float, what: str = "") -> None:
    """Poll a condition (not a sleep: it returns as soon as the condition holds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


def default_media() -> LocalMedia:
    return LocalMedia(audio=AudioStreamTrack(), video=VideoStreamTrack())


def make_engine(
    creds: DeviceCredentials,
    signaling: SignalingFactory,
    *,
    media: LocalMedia | None = None,
    impairment: Impairment | None = None,
    settings: SessionSettings | None = None,
    recorder: Recorder | None = None,
    ice_servers: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> tuple[Engine, Recorder]:
    recorder = recorder or Recorder()
    config = EngineConfig(
        credentials=creds,
        ice_servers=ice_servers or [],
        media=media or default_media(),
        loopback_only=True,
        impairment=impairment,
        session=settings or SessionSettings(),
        **extra,
    )
    return Engine(config, signaling, recorder), recorder


@asynccontextmanager
async def running(*engines: Engine) -> AsyncIterator[None]:
    """Start the engines in order (classroom first); stop them in reverse, always."""
    started: list[Engine] = []
    try:
        for engine in engines:
            await engine.start()
            started.append(engine)
        yield
    finally:
        for engine in reversed(started):
            await engine.stop()
