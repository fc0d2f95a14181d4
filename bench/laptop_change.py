"""``bench.network_bench change --laptop``: the laptop itself loses its Wi-Fi mid-call.

The pupil's device has two links of its own (netlab ``mobile``): Wi-Fi to the home
router and 4G to a carrier's router. Each switch brings the other link up, and once
it passes packets takes the active one down on the device, address and routes
with it (netlab.laptop), so "the other uplink can reach the relay" from the moment
of the switch. Per switch: when each side showed *reconnecting*, and when media
flowed again each way (the first video frame after the gap the switch made).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections import deque

from app.demo.network import LabCall
from bench.network_bench import PUPIL_SITE, Bench, _reconnecting_after, _until
from pairing.roles import Role

GAP_S = 0.25  # video is 30 fps: a quarter of a second without a frame is the break
SETTLE_S = 4.0  # between switches: the call has been live and steady for a while


def back_after_gap(times: deque[float], since: float) -> float | None:
    """Seconds from ``since`` to the first frame that ends a gap of GAP_S or more
    (frames still in flight on the old link right after the switch do not count)."""
    after = [t for t in list(times) if t > since]
    for a, b in itertools.pairwise([since, *after]):
        if b - a >= GAP_S:
            return b - since
    return None


def _both_back(bench: Bench, since: float) -> dict[Role, float] | None:
    out = {}
    for role, watch in bench.watch.items():
        back = back_after_gap(watch.video, since)
        if back is None:
            return None
        out[role] = back
    return out


async def run_laptop_change(call: LabCall, bench: Bench, args: argparse.Namespace) -> None:
    print("the pupil's laptop loses its Wi-Fi (its own 4G takes over), and back, mid-call")
    links = ("4g", "wifi")
    for i in range(args.repeat):
        await asyncio.sleep(SETTLE_S)
        # Synchronous: brings the new link up (waiting for the kernel to activate it),
        # then takes the old one down as its last step: the switch is when it returns.
        call.lab.set_device_link(PUPIL_SITE, links[i % 2])
        switched = time.monotonic()
        ok = await _until(lambda: _both_back(bench, switched) is not None, 60)  # noqa: B023
        back = _both_back(bench, switched) if ok else None
        shown = {
            f"{role.value}": round(seconds, 2) for role, seconds in (back or {}).items()
        }  # received by: class→pupil at the student, pupil→class at the classroom
        both = round(max(back.values()), 2) if back else None
        print(
            f"  switch {i + 1} (to {links[i % 2]}): reconnecting after "
            f"{_reconnecting_after(bench, switched)}, media back (received by) {shown}, "
            f"both ways after {both} s",
            flush=True,
        )
