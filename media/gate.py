"""Gated sources: what leaves this device is decided here, at the source.

The classroom's LIVE indicator must be on before the first class packet leaves and
off only after sending has stopped, so the engine never decides alone: the gate
opens only when asked (after the UI has shown LIVE), and :meth:`SendGate.close`
returns only once no frame can pass any more. Muting works the same way per
track: a muted microphone sends digital silence, a camera that is off sends
nothing (the peer is told over the control channel and shows a placeholder).

The teacher's pause uses a third mode, *substitute*: frames still flow (the pupil
sees a "paused" picture and hears silence) but every class frame is replaced
here, after the gate's in-flight count, so :meth:`SendGate.substitute` returns
only once no class frame can pass any more, like :meth:`SendGate.close`.
"""

from __future__ import annotations

import asyncio
import fractions
from typing import Any

import av
from aiortc import MediaStreamTrack

from media.features.pause import pause_like

AUDIO_PTIME = 0.020


class SendGate:
    """Open → frames pass; closed → every gated track waits. Loop-bound."""

    def __init__(self, open_: bool = False) -> None:
        self._open = asyncio.Event()
        if open_:
            self._open.set()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.substituting = False  # the teacher's pause: replace every frame

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    @property
    def passing(self) -> bool:
        """Class frames leave now (what LIVE shows)."""
        return self._open.is_set() and not self.substituting

    def open(self, *, substitute: bool = False) -> None:
        """Open; real frames pass from the next one on unless ``substitute``."""
        self.substituting = substitute
        self._open.set()

    async def substitute(self) -> None:
        """Replace every frame from now on; returns once no real frame is in flight."""
        self.substituting = True
        await self._idle.wait()

    async def close(self) -> None:
        """Close, then wait until no frame is on its way out through a gated track."""
        self._open.clear()
        await self._idle.wait()

    async def wait_open(self) -> None:
        await self._open.wait()

    def enter(self) -> bool:
        if not self._open.is_set():
            return False
        self._in_flight += 1
        self._idle.clear()
        return True

    def leave(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()


class GatedTrack(MediaStreamTrack):
    """A source behind the send gate and a per-track on/off switch."""

    def __init__(self, source: MediaStreamTrack, gate: SendGate) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._gate = gate
        self.enabled = True
        self._silence_pts = 0

    async def recv(self) -> Any:
        while True:
            await self._gate.wait_open()
            frame: Any = await self._source.recv()
            if not self._gate.enter():
                continue  # closed while we waited for the source: drop that frame
            try:
                if self._gate.substituting:  # checked after enter(): see substitute()
                    return _silence_like(frame) if self.kind == "audio" else pause_like(frame)
                if self.enabled:
                    return frame
                if self.kind == "audio":
                    return _silence_like(frame)
            finally:
                self._gate.leave()


def _silence_like(frame: av.AudioFrame) -> av.AudioFrame:
    """Digital silence with the same format, size and timing as ``frame``."""
    silent = av.AudioFrame(
        format=frame.format.name, layout=frame.layout.name, samples=frame.samples
    )
    for plane in silent.planes:
        plane.update(bytes(plane.buffer_size))
    silent.sample_rate = frame.sample_rate
    silent.pts = frame.pts
    silent.time_base = frame.time_base or fractions.Fraction(1, frame.sample_rate)
    return silent
