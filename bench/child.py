"""One benchmark run in its own process: ``python -m bench.child raw|demo SECONDS [TRACE]``.

``TRACE`` (``native`` or ``python``) adds a memory trace (bench.memtrace).
Prints one JSON line on stdout (the figures, or ``{"error": ...}``) and exits 0
when the run completed, 2 when media never flowed both ways. Its own process so
that CPU time and resident memory are this run's alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

from bench.demo_call import run_demo
from bench.memtrace import TracedWindow
from bench.raw_loopback import run_raw
from bench.window import MediaWindow
from common.process import limit_malloc_arenas

MODES = {"raw": run_raw, "demo": run_demo}


async def _run(mode: str, seconds: float, trace: str | None) -> dict[str, Any]:
    window = MediaWindow(seconds)
    if trace is not None:
        window = TracedWindow(seconds, python=trace == "python")
    return {"mode": mode, **await MODES[mode](seconds, window)}


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    limit_malloc_arenas()  # as every klasgenoot command does (app/cli.py), for both modes
    mode, seconds = argv[0], float(argv[1])
    trace = argv[2] if len(argv) > 2 else None
    if trace not in (None, "native", "python"):
        print(json.dumps({"mode": mode, "error": f"unknown memory trace {trace!r}"}))
        return 2
    try:
        result = asyncio.run(_run(mode, seconds, trace))
    except Exception as exc:  # reported to the parent, which says the run failed to start
        logging.getLogger(__name__).exception("%s run failed", mode)
        print(json.dumps({"mode": mode, "error": f"{type(exc).__name__}: {exc}"}))
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
