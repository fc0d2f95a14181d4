"""Call benchmark: the demo call against a bare aiortc loopback, side by side.

    .venv/bin/python -m bench.call_bench [--seconds 20] [--repeat N] [--json out.json]
    .venv/bin/python -m bench.call_bench --soak 600 [--baseline]

Each run is its own process (``bench.child``), one after the other: first *raw*
(two bare RTCPeerConnections, bench.raw_loopback), then *demo* (the real headless
demo call, bench.demo_call), each measured over the same media seconds; with
``--repeat N`` that pair N times, alternating, and the table shows medians. The
table gives both and demo/raw, then the targets with PASS/FAIL. ``--soak`` runs the demo
call (``--baseline``: raw first as well) that long and reports resident-memory
growth from the 60 s mark to the end, and the frame rate at the end.

It reports; it is not a test. The exit code is 0 for a completed benchmark,
whatever the figures, and 1 only if a run could not start or crashed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.memtrace import print_memory_trace
from bench.report import print_side_by_side, print_soak

ROOT = Path(__file__).resolve().parent.parent
SOAK_FROM_S = 60.0
STARTUP_ALLOWANCE_S = 120.0  # fleet, pairing, set-up and teardown around the media


def run_child(mode: str, seconds: float, trace: str | None = None) -> dict[str, Any]:
    """One run in a fresh interpreter; its figures, or ``{"error": ...}``."""
    command = [sys.executable, "-m", "bench.child", mode, str(seconds)]
    if trace is not None:
        command.append(trace)
    print(f"… {mode}: {seconds:g} s of media", file=sys.stderr, flush=True)
    try:
        limit = seconds + STARTUP_ALLOWANCE_S
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=limit, check=False
        )
    except subprocess.TimeoutExpired:
        return {"mode": mode, "error": "timed out"}
    lines = done.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, ValueError):
        result = {"mode": mode, "error": f"exit code {done.returncode}, no result"}
    if "error" in result:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        print(f"{mode} run failed: {result['error']}\n{tail}", file=sys.stderr)
    return result


def _positive(text: str) -> float:
    value = float(text)
    if not 1 <= value <= 24 * 3600:
        raise argparse.ArgumentTypeError("between 1 and 86400 seconds")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.call_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--seconds", type=_positive, default=20.0, help="media seconds per run (default 20)")
    add(
        "--repeat",
        type=int,
        default=1,
        choices=range(1, 11),
        metavar="N",
        help="N raw/demo pairs, alternating; the table shows medians (default 1)",
    )
    add(
        "--soak",
        type=_positive,
        metavar="SECONDS",
        help="instead: one long demo call, memory growth and end frame rate",
    )
    add("--baseline", action="store_true", help="with --soak: the raw loopback that long first")
    add(
        "--trace-memory",
        choices=("native", "python"),
        help="diagnostic: trace resident memory by kind every 10 s (python: and tracemalloc)",
    )
    add("--json", type=Path, metavar="PATH", help="also write all figures here")
    return parser.parse_args(argv)


Runs = dict[str, list[dict[str, Any]]]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.soak is not None:
        seconds, modes = args.soak, (["raw", "demo"] if args.baseline else ["demo"])
    else:
        seconds, modes = args.seconds, ["raw", "demo"] * args.repeat
    results: Runs = {}
    for mode in modes:  # alternating, so a drift in the machine's load hits both alike
        results.setdefault(mode, []).append(run_child(mode, seconds, args.trace_memory))
    if args.trace_memory is not None:
        print_memory_trace(results)
    if args.soak is not None:
        print_soak({mode: runs[0] for mode, runs in results.items()}, seconds, SOAK_FROM_S)
    else:
        print_side_by_side(results)
    if args.json is not None:
        args.json.write_text(json.dumps({"seconds": seconds, "runs": results}, indent=1) + "\n")
    return 1 if any("error" in r for runs in results.values() for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
