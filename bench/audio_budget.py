"""Where does the audio mouth-to-ear time go? (issue 11: "audio mouth-to-ear p95 ≤ 120 ms").

One loopback call between two :class:`media.peer.PeerLink`s, audio only, one way
(the student's :class:`SyntheticAudioTrack` with time markers → the classroom's
:class:`FrameMeter`), with the product's encoder, playout buffer and decoder. The
bench wraps each stage (in this process only) and stamps every packet on its way:

    tone made → encode starts → encode ends → RTP out (before SRTP) → into the
    playout buffer → out of it → decode starts → decode ends → the engine's sink

and prints the median and p95 of each step next to the markers' mouth-to-ear
delay; what the steps do not cover is the codec's algorithmic delay (Opus's
look-ahead) and the meter's reading. Packets are matched by RTP timestamp.

    .venv/bin/python -m bench.audio_budget [--seconds 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import struct
import sys
import time
from collections.abc import Callable
from typing import Any

from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtp import is_rtcp

from media import ice
from media.audio import fec, playout
from media.measure import FrameMeter
from media.peer import LinkEvents, LocalMedia, PeerLink
from media.synthetic_audio import SyntheticAudioTrack

WARM_UP_S = 3.0
STAGES = ("made", "encode_in", "encode_out", "sent", "arrived", "released",
          "decode_in", "decode_out", "sink")  # fmt: skip


class Stamps:
    """Wall-clock times (ms) per packet, keyed by the sender's RTP timestamp."""

    def __init__(self) -> None:
        self.made: list[float] = []  # in order: frame k was made at made[k]
        self.encoded: list[tuple[float, float, int]] = []  # (in, out, relative timestamp)
        self.at: dict[str, dict[int, float]] = {s: {} for s in STAGES[3:]}
        self.mapped_offset: int | None = None  # receiver's timestamp = RTP - offset

    def stamp(self, stage: str, rtp: int) -> None:
        self.at[stage].setdefault(rtp & 0xFFFFFFFF, time.time() * 1000)


def _instrument(stamps: Stamps) -> Callable[[], None]:
    """Wrap each stage; returns the undo."""
    originals: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        originals.append((owner, name, original))
        setattr(owner, name, make(original))

    def make_frame(original: Any) -> Any:
        def inner(self: Any, index: int) -> Any:
            stamps.made.append(time.time() * 1000)
            return original(self, index)

        return inner

    def encode(original: Any) -> Any:
        def inner(self: Any, frame: Any, force_keyframe: bool = False) -> Any:
            started = time.time() * 1000
            payloads, timestamp = original(self, frame, force_keyframe)
            if payloads:
                stamps.encoded.append((started, time.time() * 1000, timestamp))
            return payloads, timestamp

        return inner

    def send_rtp(original: Any) -> Any:
        async def inner(self: Any, data: bytes) -> None:
            if len(data) > 12 and not is_rtcp(data):
                stamps.stamp("sent", struct.unpack("!I", data[4:8])[0])
            await original(self, data)

        return inner

    def add(original: Any) -> Any:
        def inner(self: Any, packet: Any) -> Any:
            stamps.stamp("arrived", packet.timestamp)
            result = original(self, packet)
            if result[1] is not None:
                stamps.stamp("released", result[1].timestamp)
                result[1]._rtp = result[1].timestamp  # the receiver maps .timestamp next
            return result

        return inner

    def decode(original: Any) -> Any:
        def inner(self: Any, encoded: Any) -> Any:
            rtp = getattr(encoded, "_rtp", None)
            if rtp is not None:
                stamps.mapped_offset = (rtp - encoded.timestamp) & 0xFFFFFFFF
                stamps.stamp("decode_in", rtp)
            frames = original(self, encoded)
            if rtp is not None:
                stamps.stamp("decode_out", rtp)
            return frames

        return inner

    wrap(SyntheticAudioTrack, "make_frame", make_frame)
    wrap(fec.FecOpusEncoder, "encode", encode)
    wrap(RTCDtlsTransport, "_send_rtp", send_rtp)
    wrap(playout.PlayoutBuffer, "add", add)
    wrap(fec.ConcealingOpusDecoder, "decode", decode)

    def undo() -> None:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)

    return undo


def _link(media: LocalMedia, connected: asyncio.Event, sink: Any = None) -> PeerLink:
    events = LinkEvents(on_control=lambda _m: None, on_life=lambda: None,
                        on_connected=connected.set, on_failed=lambda _r: None,
                        audio_sink=sink)  # fmt: skip
    return PeerLink(ice_servers=[], media=media, events=events)


async def run(seconds: float) -> dict[str, Any]:
    ice.set_loopback_only(True)
    stamps = Stamps()
    meter = FrameMeter(latency_window=10_000)

    def sink(frame: Any) -> None:
        if stamps.mapped_offset is not None:
            stamps.stamp("sink", frame.pts + stamps.mapped_offset)
        meter.on_audio(frame)

    connected = asyncio.Event()
    student = _link(LocalMedia(audio=SyntheticAudioTrack(markers=True)), connected)
    classroom = _link(LocalMedia(), asyncio.Event(), sink)
    undo = _instrument(stamps)  # after the links: media.codecs wraps _send_rtp too
    try:
        await student.accept_answer(await classroom.accept_offer(await student.create_offer()))
        await asyncio.wait_for(connected.wait(), 15)
        await asyncio.sleep(WARM_UP_S)
        skip = len(meter.audio_latencies())
        await asyncio.sleep(seconds)
        delays = meter.audio_latencies()[skip:]
    finally:
        await student.close()
        await classroom.close()
        undo()
    return {"seconds": seconds, "steps": _steps(stamps), "mouth_to_ear": _figures(delays)}


def _steps(stamps: Stamps) -> dict[str, dict[str, float | None]]:
    """Per step, the median and p95 over packets seen at both ends of it."""
    sent = stamps.at["sent"]
    if not sent or not stamps.encoded:
        return {}
    # The sender's RTP timestamp = a random origin + the encoder's relative one.
    first_out = min(sent, key=lambda rtp: sent[rtp])
    origin = (first_out - stamps.encoded[0][2]) & 0xFFFFFFFF
    at: dict[str, dict[int, float]] = {s: {} for s in STAGES[:3]}
    made = stamps.made
    for k, (started, ended, relative) in enumerate(stamps.encoded):
        rtp = (origin + relative) & 0xFFFFFFFF
        at["encode_in"][rtp], at["encode_out"][rtp] = started, ended
        if k < len(made):  # one 20 ms frame in, one packet out
            at["made"][rtp] = made[k]
    at.update(stamps.at)
    out = {}
    for before, after in itertools.pairwise(STAGES):
        both = [at[after][r] - at[before][r] for r in at[before] if r in at[after]]
        out[f"{before}→{after}"] = _figures(both)
    return out


def _figures(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p95": round(p95, 1),
            "n": len(ordered)}  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audio_budget")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.seconds))
    total = 0.0
    for step, figures in result["steps"].items():
        print(f"{step:24s} p50 {figures['p50']} ms  p95 {figures['p95']} ms  ({figures['n']})")
        total += figures["p50"] or 0.0
    ear = result["mouth_to_ear"]
    print(f"{'sum of the steps':24s} p50 {total:.1f} ms")
    print(f"{'mouth to ear (markers)':24s} p50 {ear['p50']} ms  p95 {ear['p95']} ms  ({ear['n']})")
    if args.json_path:
        with open(args.json_path, "w") as out:
            json.dump(result, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
