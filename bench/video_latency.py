"""Video latency with our frame buffer against aiortc's own, side by side (issue 11, item 4).

Two one-way calls run at the same time in one process, each a bare pair of
``RTCPeerConnection``s on 127.0.0.1 sending ``SyntheticVideoTrack`` (720p30 by
default) with aiortc's own encoder: in one the receiver keeps aiortc's jitter
buffer, in the other it gets :class:`media.framebuffer.FrameBuffer`. Running both
at once gives them the same load, so the figures compare even on a busy machine.
Latency is glass to glass as the meters read it: capture time stamped in the
picture → frame decoded and metered.

    .venv/bin/python -m bench.video_latency [--seconds 20] [--size 1280x720] [--repeat 3]
                                            [--only ours|aiortc] [--loss 0.02]

``--only`` runs that call alone (half the CPU load: for the absolute target, not
for the comparison). ``--loss`` drops that fraction of packets at each socket
(sender's and receiver's, both ways) once media flows, to compare how the buffers
ride out loss (NACK and retransmission, lost retransmissions).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
from typing import Any

from aiortc import MediaStreamTrack, RTCPeerConnection

from media import framebuffer, ice
from media.impair import Impairment, attach
from media.measure import FrameMeter
from media.synthetic_video import SyntheticVideoTrack
from media.tracks import consume

SETUP_TIMEOUT = 15.0
VARIANTS = ("aiortc", "ours")


class _Call:
    """One one-way loopback call whose receiver meters every frame."""

    def __init__(self, width: int, height: int, fps: float, ours: bool) -> None:
        self.ours = ours
        self.meter = FrameMeter()
        self.started = asyncio.Event()
        self.sender = RTCPeerConnection(ice.rtc_configuration([]))
        self.receiver = RTCPeerConnection(ice.rtc_configuration([]))
        self.sender.addTrack(SyntheticVideoTrack(width, height, fps))
        self._tasks: set[asyncio.Task[None]] = set()
        self.receiver.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.get_running_loop().create_task(consume(track, self._on_frame, lambda: None))
        self._tasks.add(task)

    def _on_frame(self, frame: Any) -> None:
        self.started.set()
        self.meter.on_video(frame)

    async def connect(self) -> None:
        await self.sender.setLocalDescription(await self.sender.createOffer())
        await self.receiver.setRemoteDescription(self.sender.localDescription)
        if self.ours:
            framebuffer.install(self.receiver)
        await self.receiver.setLocalDescription(await self.receiver.createAnswer())
        await self.sender.setRemoteDescription(self.receiver.localDescription)

    def buffers(self) -> list[Any]:
        return [
            getattr(t.receiver, "_RTCRtpReceiver__jitter_buffer", None)
            for t in self.receiver.getTransceivers()
            if t.kind == "video"
        ]

    async def close(self) -> None:
        for pc in (self.sender, self.receiver):
            with contextlib.suppress(Exception):
                await pc.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def side_by_side(
    seconds: float,
    *,
    width: int = 1280,
    height: int = 720,
    fps: float = 30,
    variants: tuple[str, ...] = VARIANTS,
    loss: float = 0.0,
) -> dict[str, dict[str, Any]]:
    """Both calls at once; per variant: latency percentiles, frames, the buffer's counts."""
    ice.set_loopback_only(True)  # this task and every task aiortc spawns from it
    calls = {name: _Call(width, height, fps, name == "ours") for name in variants}
    try:
        await asyncio.gather(*(c.connect() for c in calls.values()))
        await asyncio.wait_for(
            asyncio.gather(*(c.started.wait() for c in calls.values())), SETUP_TIMEOUT
        )
        link = Impairment()
        for call in calls.values():
            for pc in (call.sender, call.receiver):
                attach(ice.ice_connections(pc), link)
        await asyncio.sleep(1.0)  # past the start-up keyframes and the bitrate ramp
        link.loss = loss
        for call in calls.values():
            call.meter = FrameMeter(latency_window=int(seconds * fps * 2))
        await asyncio.sleep(seconds)
        return {name: _figures(call) for name, call in calls.items()}
    finally:
        await asyncio.gather(*(c.close() for c in calls.values()))


def _figures(call: _Call) -> dict[str, Any]:
    stats = call.meter.snapshot()
    out: dict[str, Any] = {
        "latency_ms_p50": stats.latency_ms_p50,
        "latency_ms_p95": stats.latency_ms_p95,
        "samples": stats.latency_samples,
        "frames": stats.frames_received,
        "freezes": stats.freezes,
        "longest_gap_ms": round(stats.longest_gap_ms),
        "buffer": [type(b).__name__ for b in call.buffers()],
    }
    if call.ours:
        buffer = call.buffers()[0]
        out["abandoned"] = buffer.abandoned
        out["late_packets"] = buffer.late
    return out


def _parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.video_latency")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--size", type=_parse_size, default=(1280, 720))
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", choices=VARIANTS)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    width, height = args.size
    variants = VARIANTS if args.only is None else (args.only,)
    runs = []
    for _ in range(args.repeat):
        runs.append(
            asyncio.run(
                side_by_side(
                    args.seconds,
                    width=width,
                    height=height,
                    fps=args.fps,
                    variants=variants,
                    loss=args.loss,
                )
            )
        )
        print(json.dumps(runs[-1]), file=sys.stderr)
    print(f"{width}x{height}, {args.fps:g} fps, {args.seconds:g} s, {args.repeat} run(s), medians")
    print(f"{'':16}" + "".join(f"{v:>10}" for v in variants))
    for key in ("latency_ms_p50", "latency_ms_p95", "frames", "freezes", "longest_gap_ms"):
        values = [statistics.median(r[v][key] for r in runs) for v in variants]
        print(f"{key:16}" + "".join(f"{x:10.1f}" for x in values))
    if args.json_path:
        with open(args.json_path, "w") as out:
            json.dump(runs, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
