"""Ending many connections at once: what it costs the server (issue 14, "The mass
disconnect" in docs/performance.md).

    .venv/bin/python -m bench.teardown [--devices 2000] [--root DIR] [--json out.json]
        [--stall-stacks] [--reset]

One real ``klasgenoot server`` process (it logs every pass of its loop of 100 ms or
more: signaling.stalls) and N real devices over mTLS on loopback: ``STAYING`` pairs in
this process that relay throughout (500 relays a second in all: the student sends,
the classroom echoes), the rest in a crowd process (bench.loadcrowd). Then the crowd
cuts every one of its connections at once, as a network that fails between them
does (the end of each stream; ``--reset``: a reset for each, as a middlebox that
drops its state may), and those devices stay away: what the server does next is ending connections,
and relaying for the pairs that stayed. Measured: the CPU of the server's loop
thread over the 5 s after the cut, less the same span just before it, per
connection cut; from the cut to the server's last "offline" line; the passes of its
loop of 100 ms or more meanwhile (from its log; its ``--stall-stacks`` would log
from 50 ms, but its sampling thread costs the loop); and the round trips of the
relays sent in the 5 s before the cut and in the 5 s after it.

``--root DIR`` runs the server of another tree, e.g. a ``git worktree`` of an older
commit, for a baseline side by side; the devices are this tree's. Bounded: one cut,
then it stops; everything is loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.fleetcache import fleet
from bench.loadparts import (
    ROOT,
    Device,
    Figures,
    Instance,
    all_descriptors,
    pct,
    print_report,
    run_device,
    send,
)
from bench.signaling_load import Crowd, relay_loop
from signaling.tls import client_context

WINDOW = 5.0  # seconds measured after the cut, and before it
STAYING = 16  # pairs that stay connected and relay through the cut
RELAY_RATE = 500.0  # relays a second, in all
_STALL = re.compile(r"^(\S+)Z WARNING signaling\.stalls: the event loop stalled for (\d+) ms")
_OFFLINE = re.compile(r"^(\S+)Z INFO signaling\.hub: device \S+ offline")


async def teardown(devices: int, root: Path, stall_stacks: bool, reset: bool) -> dict[str, Any]:
    fleet_dir, pairs = fleet(devices // 2)
    work = Path(tempfile.mkdtemp(prefix="klasgenoot-teardown-"))
    shutil.copytree(fleet_dir, work / "server")
    extra = ("--stall-stacks",) if stall_stacks else ()
    server = Instance(work / "server", None, extra, root=root)
    crowd = Crowd()
    session = aiohttp.ClientSession()
    tasks: list[asyncio.Task[Any]] = []
    rtts: list[tuple[float, float]] = []  # (sent, round trip) of the pairs that stay
    cut = devices - 2 * STAYING
    try:
        await server.start()
        staying = [Device(creds, [server.url]) for pair in pairs[:STAYING] for creds in pair]
        on_relay = _relayed(rtts)
        for n, dev in enumerate(staying):
            dev.ctx = client_context(dev.creds)
            tasks.append(asyncio.create_task(run_device(dev, session, Figures(), on_relay, n)))
            await asyncio.wait_for(dev.connected.wait(), 30)
        spec = {"pairs": devices // 2, "urls": [server.url],
                "indices": list(range(2 * STAYING, devices)),
                "concurrency": 60, "tls_threads": 1}  # fmt: skip
        await crowd.start(spec)
        if not await crowd.until(lambda c: c.connected == cut, 120):
            raise SystemExit(f"only {crowd.connected} of {cut} connected")
        await asyncio.sleep(2.0)  # settled
        tasks.append(
            asyncio.create_task(relay_loop(staying, set(range(STAYING)), RELAY_RATE, Figures()))
        )
        before = time.monotonic()
        idle0 = server.loop_cpu()
        await asyncio.sleep(WINDOW)
        idle = server.loop_cpu() - idle0
        cut_at, cut_mono = dt.datetime.now(dt.UTC), time.monotonic()
        busy0, crowd0 = server.loop_cpu(), crowd.cpu()
        await crowd.leave(reset=reset)
        await asyncio.sleep(WINDOW)
        busy = server.loop_cpu() - busy0
        crowd_cpu = crowd.cpu() - crowd0
        after = time.monotonic()
        await asyncio.sleep(1.0)  # the last echoes
        stalls, last_offline = _read_log(work / "server" / "state" / "logs", cut_at)
        steady = [rtt for sent, rtt in rtts if before <= sent < cut_mono]
        cutting = [rtt for sent, rtt in rtts if cut_mono <= sent < after]
        return {
            "devices": devices,
            "devices_cut": cut,
            "cut_with": "reset" if reset else "end of stream",
            "server_tree": str(root),
            "loop_cpu_us_per_connection": round(1e6 * (busy - idle) / cut),
            "loop_cpu_ms_window_before": round(1000 * idle),
            "relay_rtt_ms_p50_before": pct(steady, 0.5),
            "relay_rtt_ms_p99_before": pct(steady, 0.99),
            "relay_rtt_ms_p50_after_cut": pct(cutting, 0.5),
            "relay_rtt_ms_p99_after_cut": pct(cutting, 0.99),
            "relay_rtt_ms_max_after_cut": pct(cutting, 1.0),
            "relay_samples_after_cut": len(cutting),
            "crowd_cpu_ms_after_cut": round(1000 * crowd_cpu),
            "all_offline_ms": round(1000 * (last_offline - cut_at).total_seconds())
            if last_offline
            else None,
            "passes_logged_from_ms": 50 if stall_stacks else 100,
            "passes_logged": len(stalls),
            "longest_pass_ms": max(stalls, default=None),
            "passes_ms": sorted(stalls, reverse=True)[:8],
        }
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await session.close()
        await crowd.stop()
        await server.stop()
        shutil.rmtree(work, ignore_errors=True)


def _relayed(rtts: list[tuple[float, float]]) -> Any:
    """What a device does with a relay: a classroom echoes it, a student times the echo."""

    def on_relay(dev: Device, payload: dict[str, Any]) -> None:
        if payload.get("echo"):
            rtts.append((payload["t"], time.monotonic() - payload["t"]))
        else:
            asyncio.get_running_loop().create_task(send(dev, {**payload, "echo": 1}))

    return on_relay


def _read_log(folder: Path, since: dt.datetime) -> tuple[list[int], dt.datetime | None]:
    """The stalls logged after ``since`` (ms), and the time of the last offline line."""
    stalls: list[int] = []
    last: dt.datetime | None = None
    for path in sorted(folder.glob("klasgenoot.log*")):
        for line in path.read_text().splitlines():
            for pattern in (_STALL, _OFFLINE):
                found = pattern.match(line)
                if found is None:
                    continue
                at = dt.datetime.fromisoformat(found.group(1)).replace(tzinfo=dt.UTC)
                if at < since:
                    continue
                if pattern is _STALL:
                    stalls.append(int(found.group(2)))
                elif last is None or at > last:
                    last = at
    return stalls, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--root", type=Path, default=ROOT, help="the tree whose server runs")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--reset", action="store_true",
        help="the crowd cuts with resets (SO_LINGER 0), not the end of the stream",
    )  # fmt: skip
    parser.add_argument(
        "--stall-stacks", action="store_true",
        help="the server logs its passes from 50 ms, with stacks (its sampling costs the loop)",
    )  # fmt: skip
    args = parser.parse_args()
    if not 2 * STAYING + 2 <= args.devices <= 20_000:
        parser.error(f"--devices {2 * STAYING + 2}..20000")
    if not (args.root / "app" / "cli.py").is_file():
        parser.error(f"{args.root}: not a Klasgenoot tree")
    all_descriptors()
    started = time.monotonic()
    report = asyncio.run(teardown(args.devices, args.root.resolve(), args.stall_stacks, args.reset))
    report["bench_s"] = round(time.monotonic() - started, 1)
    print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
