"""Does the audio delay drift over a long call? (issue 11, item 3: "over a 10-minute call
it does not drift").

One loopback call between two :class:`media.peer.PeerLink`s (the product's peer
connection: our playout buffer, our frame buffer, our encoders), audio only,
sending :class:`SyntheticAudioTrack` with time markers both ways; each side's
:class:`FrameMeter` reads mouth-to-ear delay (encode → the engine's audio sink)
from the markers, two readings a second. It runs in real time: the delay can
only grow from what happens at real pace (packets queueing, a buffer creeping
deeper after jitter), so an accelerated run would not show it. ``--loss`` drops
that fraction of packets on the link for the whole call (each way), to see
whether holes ratchet the delay up.

    .venv/bin/python -m bench.audio_drift [--seconds 600] [--loss 0.02] [--json out.json]

Prints the median delay per minute for each direction, then the first and last
minute and their difference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import Any

from media import ice
from media.audio import fec
from media.impair import Impairment
from media.measure import FrameMeter
from media.peer import LinkEvents, LocalMedia, PeerLink
from media.synthetic_audio import SyntheticAudioTrack

WARM_UP_S = 5.0  # the first seconds: connection set-up and the buffer filling
SLICE_S = 60.0
DIRECTIONS = ("student_to_classroom", "classroom_to_student")


def audio_link(meter: FrameMeter, impairment: Impairment, connected: asyncio.Event) -> PeerLink:
    """A PeerLink sending synthetic audio with time markers into ``meter`` (no video)."""
    events = LinkEvents(
        on_control=lambda _m: None,
        on_life=lambda: None,
        on_connected=connected.set,
        on_failed=lambda _reason: None,
        audio_sink=meter.on_audio,
    )
    media = LocalMedia(audio=SyntheticAudioTrack(markers=True))
    return PeerLink(ice_servers=[], media=media, events=events, impairment=impairment)


async def run(seconds: float, loss: float) -> dict[str, Any]:
    ice.set_loopback_only(True)
    link = Impairment()
    meters = {d: FrameMeter(latency_window=10_000) for d in DIRECTIONS}
    connected = asyncio.Event()
    # The student offers; what it receives travelled classroom → student.
    student = audio_link(meters["classroom_to_student"], link, connected)
    classroom = audio_link(meters["student_to_classroom"], link, asyncio.Event())
    timeline: dict[str, list[tuple[float, float]]] = {d: [] for d in DIRECTIONS}
    try:
        await student.accept_answer(await classroom.accept_offer(await student.create_offer()))
        await asyncio.wait_for(connected.wait(), 15)
        await asyncio.sleep(WARM_UP_S)
        link.loss = loss
        started = time.monotonic()
        seen = dict.fromkeys(DIRECTIONS, 0)
        while (elapsed := time.monotonic() - started) < seconds:
            await asyncio.sleep(1.0)
            for direction, meter in meters.items():
                values = meter.audio_latencies()
                new = values[seen[direction] :]
                seen[direction] = len(values)
                timeline[direction].extend((elapsed, v) for v in new)
    finally:
        await student.close()
        await classroom.close()
    rebuilt = {"fec_recovered": fec.counts.recovered, "plc_concealed": fec.counts.concealed}
    return {"seconds": seconds, "loss": loss, **rebuilt, **_summary(timeline, seconds)}


def _summary(timeline: dict[str, list[tuple[float, float]]], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for direction, points in timeline.items():
        slices = []
        for start in range(0, int(seconds), int(SLICE_S)):
            values = [v for t, v in points if start <= t < start + SLICE_S]
            slices.append(round(statistics.median(values), 1) if values else None)
        known = [s for s in slices if s is not None]
        out[direction] = {
            "median_ms_per_minute": slices,
            "first_minute_ms": known[0] if known else None,
            "last_minute_ms": known[-1] if known else None,
            "drift_ms": round(known[-1] - known[0], 1) if known else None,
            "readings": len(points),
        }
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audio_drift")
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.seconds, args.loss))
    for direction in DIRECTIONS:
        figures = result[direction]
        print(f"{direction}: per minute (ms) {figures['median_ms_per_minute']}")
        print(
            f"  first minute {figures['first_minute_ms']} ms, last minute "
            f"{figures['last_minute_ms']} ms, drift {figures['drift_ms']} ms "
            f"({figures['readings']} readings)"
        )
    print(f"lost frames rebuilt: {result['fec_recovered']} from FEC, "
          f"{result['plc_concealed']} concealed")  # fmt: skip
    if args.json_path:
        with open(args.json_path, "w") as out:
            json.dump(result, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
