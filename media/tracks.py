"""Tracks that outlive a peer connection, and consumers for every received track.

aiortc stops a sender's track when its peer connection closes, but a camera or a
synthetic source lives for the whole call, across reconnects. :class:`AttemptTrack`
is the per-connection stand-in that forwards frames and never stops its source.
aiortc also buffers an unconsumed received track without bound, so
:func:`consume` pulls every frame of every received track for as long as it lives.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

logger = logging.getLogger(__name__)

FrameSink = Callable[[Any], None]


class AttemptTrack(MediaStreamTrack):
    """Forwards frames from a long-lived source; stopping it leaves the source running."""

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source

    async def recv(self) -> Any:
        if self.readyState != "live":
            raise MediaStreamError
        return await self._source.recv()


async def consume(
    track: MediaStreamTrack, sink: FrameSink | None, on_life: Callable[[], None]
) -> None:
    """Pull every frame until the track ends; hand each to ``sink`` (never queued)."""
    while True:
        try:
            frame = await track.recv()
        except (MediaStreamError, asyncio.CancelledError):
            return
        on_life()
        if sink is not None:
            try:
                sink(frame)
            except Exception:  # a broken sink must not stall media or the call
                logger.exception("frame sink failed (%s)", track.kind)


class CountingTrack(MediaStreamTrack):
    """A long-lived source that reports every frame it hands out (frames sent)."""

    def __init__(self, source: MediaStreamTrack, on_frame: Callable[[], None]) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source
        self._on_frame = on_frame

    async def recv(self) -> Any:
        frame = await self._source.recv()
        self._on_frame()
        return frame
