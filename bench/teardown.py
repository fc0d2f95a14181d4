"""Ending many connections at once: what it costs the server (issue 14, "The mass
disconnect" in docs/performance.md).

    .venv/bin/python -m bench.teardown [--devices 2000] [--root DIR] [--json out.json]

One real ``klasgenoot server`` process (it logs every pass of its loop of 100 ms or
more: signaling.stalls) and N real devices in a crowd process
(bench.loadcrowd), connected over mTLS on loopback. Then the crowd cuts every
connection at once, as a network that fails between them does, and the devices stay
away: what the server does next is ending connections and nothing else. Measured: the
CPU of the server's loop thread over the 5 s after the cut, less the same span idle
just before it, per connection; from the cut to the server's last "offline" line;
and the passes of its loop of 100 ms or more meanwhile (from its log; its
``--stall-stacks`` would log from 50 ms, but its sampling thread costs the loop).

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

from bench.fleetcache import fleet
from bench.loadparts import ROOT, Instance, all_descriptors, print_report
from bench.signaling_load import Crowd

WINDOW = 5.0  # seconds measured after the cut, and idle before it
_STALL = re.compile(r"^(\S+)Z WARNING signaling\.stalls: the event loop stalled for (\d+) ms")
_OFFLINE = re.compile(r"^(\S+)Z INFO signaling\.hub: device \S+ offline")


async def teardown(devices: int, root: Path) -> dict[str, Any]:
    fleet_dir, _ = fleet(devices // 2)
    work = Path(tempfile.mkdtemp(prefix="klasgenoot-teardown-"))
    shutil.copytree(fleet_dir, work / "server")
    server = Instance(work / "server", None, root=root)
    crowd = Crowd()
    try:
        await server.start()
        spec = {"pairs": devices // 2, "urls": [server.url], "indices": list(range(devices)),
                "concurrency": 60, "tls_threads": 1}  # fmt: skip
        await crowd.start(spec)
        if not await crowd.until(lambda c: c.connected == devices, 120):
            raise SystemExit(f"only {crowd.connected} of {devices} connected")
        await asyncio.sleep(2.0)  # settled
        idle0 = server.loop_cpu()
        await asyncio.sleep(WINDOW)
        idle = server.loop_cpu() - idle0
        cut_at = dt.datetime.now(dt.UTC)
        busy0 = server.loop_cpu()
        await crowd.leave()
        await asyncio.sleep(WINDOW)
        busy = server.loop_cpu() - busy0
        stalls, last_offline = _read_log(work / "server" / "state" / "logs", cut_at)
        return {
            "devices": devices,
            "server_tree": str(root),
            "loop_cpu_us_per_connection": round(1e6 * (busy - idle) / devices),
            "loop_cpu_ms_idle_window": round(1000 * idle),
            "all_offline_ms": round(1000 * (last_offline - cut_at).total_seconds())
            if last_offline
            else None,
            "passes_over_100ms": len(stalls),
            "longest_pass_ms": max(stalls, default=None),
            "passes_ms": sorted(stalls, reverse=True)[:8],
        }
    finally:
        await crowd.stop()
        await server.stop()
        shutil.rmtree(work, ignore_errors=True)


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
    args = parser.parse_args()
    if not 2 <= args.devices <= 20_000:
        parser.error("--devices 2..20000")
    if not (args.root / "app" / "cli.py").is_file():
        parser.error(f"{args.root}: not a Klasgenoot tree")
    all_descriptors()
    started = time.monotonic()
    report = asyncio.run(teardown(args.devices, args.root.resolve()))
    report["bench_s"] = round(time.monotonic() - started, 1)
    print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
