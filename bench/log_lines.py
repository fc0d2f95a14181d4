"""CPU per line of the server's program log, this tree against another, side by side.

    .venv/bin/python -m bench.log_lines --root /tmp/base [--lines 20000] [--runs 3]

The signaling server writes its log from a thread (privacy.applog.LogThread): the
loop's thread only queues each record, the writer formats, redacts and writes it.
Both take the GIL, so the writer's time per line is time the loop can lose while
thousands of devices come or go at once (a line or two each). Each run is a fresh
process per tree that sets the log up as the server does (``lean_records``,
``setup_program_log(threaded=True)``) in a temporary folder, logs ``--lines`` lines
shaped like the server's (a short DeviceId and a word or two), and closes it, which
writes every queued line. It reports the CPU per line of the caller's thread and of
the whole process (the writer is the rest), runs alternating between the trees.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHAPES = (
    ("device %s online (%s)", "classroom"),
    ("closing %s: %s", "going_away"),
    ("device %s offline", None),
)


def child(lines: int) -> dict[str, float]:
    """In the child: the tree's privacy.applog, set up as the server sets it up."""
    import logging

    from privacy.applog import lean_records, setup_program_log

    lean_records()
    with tempfile.TemporaryDirectory(prefix="bench-log-") as folder:
        log = setup_program_log(Path(folder), level=logging.INFO, threaded=True)
        logger = logging.getLogger("signaling.hub")
        cpu, caller = time.process_time(), time.thread_time()
        for n in range(lines):
            text, extra = SHAPES[n % len(SHAPES)]
            short = f"{n:07X}"[-7:].replace("0", "A")
            if extra is None:
                logger.info(text, short)
            else:
                logger.info(text, short, extra)
        caller = time.thread_time() - caller
        log.close()  # the writer empties the queue first
        cpu = time.process_time() - cpu
        written = sum(len(p.read_text().splitlines()) for p in Path(folder).rglob("*.log*"))
    return {
        "lines_written": written,
        "caller_us_per_line": caller / lines * 1e6,
        "process_us_per_line": cpu / lines * 1e6,
        "writer_us_per_line": (cpu - caller) / lines * 1e6,
    }


def run(root: Path, lines: int) -> dict[str, float]:
    # This file by its path (the other tree may not have it), the tree's privacy package
    code = (
        f"import sys, json, importlib.util; sys.path.insert(0, {str(root)!r}); "
        f"spec = importlib.util.spec_from_file_location('bench_log_lines', {__file__!r}); "
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
        f"print(json.dumps(module.child({lines})))"
    )
    out = subprocess.run(  # our own interpreter and code
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=root
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    if result["lines_written"] != lines:
        raise SystemExit(f"{root}: wrote {result['lines_written']} of {lines} lines")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="the tree to compare with")
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not (args.root / "privacy" / "applog.py").is_file():
        parser.error(f"{args.root}: not a Klasgenoot tree")
    results: dict[str, list[dict[str, float]]] = {"this": [], "other": []}
    for _ in range(args.runs):
        results["other"].append(run(args.root.resolve(), args.lines))
        results["this"].append(run(ROOT, args.lines))
    report: dict[str, object] = {"lines": args.lines, "runs": args.runs, "other": str(args.root)}
    for key in ("caller_us_per_line", "writer_us_per_line", "process_us_per_line"):
        this = statistics.median(r[key] for r in results["this"])
        other = statistics.median(r[key] for r in results["other"])
        report[key] = {"this": round(this, 1), "other": round(other, 1),
                       "ratio": round(this / other, 2)}  # fmt: skip
        print(f"{key:22s} this {this:7.1f}   other {other:7.1f}   ratio {this / other:5.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
