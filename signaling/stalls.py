"""A stall monitor: when one pass of the event loop holds every device, say how long
and what ran.

At 10,000 devices a relay's p99 was hundreds of milliseconds while its p50 was one
or two: something held the loop now and then. A timer ticks every ``TICK`` seconds
on the loop; when it comes late by more than the threshold, the pass before it
stalled, and the log says by how much and how much of it was garbage collection
(the collector's own callbacks time it). With ``stacks`` a watchdog thread also
looks at the loop thread while it has not ticked (``sys._current_frames()``) and
the line names the innermost frames it saw: file, line, function, never a value.
(The thread needs the GIL to look: it sees code that holds the GIL, such as a
collection, only once that has finished; the collector's time is therefore measured
apart, and TLS work, which releases the GIL, is seen while it runs.)

Cost: a timer callback every 10 ms, a counter per collection, and with ``stacks`` a
thread that wakes every half threshold to read one float.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
import traceback
from collections import Counter

logger = logging.getLogger(__name__)

TICK = 0.01  # seconds between the loop's ticks: the resolution of a measured stall
DEPTH = 6  # innermost frames named per sample
LINES_PER_MINUTE = 30  # a machine that stalls all the time must not fill the log


class StallWatch:
    """Started on the running loop by :meth:`start`; :meth:`stop` ends it."""

    def __init__(self, threshold: float, *, stacks: bool = False) -> None:
        self.threshold = threshold
        self.stalls = 0  # counted, logged or not
        self.longest = 0.0
        self._stacks = stacks
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._due = 0.0  # when the next tick should run (monotonic)
        self._in_gc = 0.0  # seconds the collector held the thread, ever
        self._gc_began = 0.0
        self._gc_at_tick = 0.0
        self._oldest = -1  # the oldest generation collected since the last tick
        self._samples: Counter[str] = Counter()  # innermost frames, since the last tick
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self._loop_thread = 0
        self._logged: list[float] = []  # when recent lines were logged

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        gc.callbacks.append(self._on_collection)
        self._due = time.monotonic() + TICK
        self._timer = self._loop.call_at(self._loop.time() + TICK, self._tick)
        if self._stacks:
            self._running.set()
            self._thread = threading.Thread(target=self._watch, name="stall-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._on_collection in gc.callbacks:
            gc.callbacks.remove(self._on_collection)
        self._running.clear()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            self._thread = None

    def _on_collection(self, phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() != self._loop_thread:
            return
        if phase == "start":
            self._gc_began = time.perf_counter()
        elif self._gc_began:
            self._in_gc += time.perf_counter() - self._gc_began
            self._gc_began = 0.0
            self._oldest = max(self._oldest, info.get("generation", 0))

    def _tick(self) -> None:
        assert self._loop is not None
        now = time.monotonic()
        late = now - self._due
        if late > self.threshold:
            self._stalled(late)
        self._gc_at_tick = self._in_gc
        self._oldest = -1
        self._samples.clear()
        self._due = now + TICK
        self._timer = self._loop.call_at(self._loop.time() + TICK, self._tick)

    def _stalled(self, late: float) -> None:
        self.stalls += 1
        self.longest = max(self.longest, late)
        now = time.monotonic()
        self._logged = [t for t in self._logged if now - t < 60.0]
        if len(self._logged) >= LINES_PER_MINUTE:
            return
        self._logged.append(now)
        collecting = 1000 * (self._in_gc - self._gc_at_tick)
        where = "; ".join(f"{n}x {s}" for s, n in self._samples.most_common(3))
        generation = f", generation {self._oldest}" if self._oldest >= 0 else ""
        logger.warning(
            "the event loop stalled for %d ms (garbage collection %d ms%s)%s",
            late * 1000,
            collecting,
            generation,
            f", running: {where}" if where else "",
        )

    def _watch(self) -> None:
        """The watchdog thread: one sample of the loop thread's stack per half
        threshold while the loop is late."""
        while self._running.is_set():
            time.sleep(self.threshold / 2)
            if time.monotonic() - self._due < self.threshold / 2:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is not None:
                self._samples[_innermost(frame)] += 1
            del frame  # no reference cycle to the loop thread's frames


def _innermost(frame: object) -> str:
    """'file:line function < file:line function ...', innermost first."""
    summary = traceback.StackSummary.extract(
        traceback.walk_stack(frame),  # type: ignore[arg-type]
        limit=DEPTH,
        lookup_lines=False,  # no source files read by the watchdog
    )
    parts = [f"{_short(f.filename)}:{f.lineno} {f.name}" for f in summary]
    return " < ".join(parts)


def _short(path: str) -> str:
    """The last two parts of a path: 'asyncio/sslproto.py', not the machine's folders."""
    return "/".join(path.replace("\\", "/").rsplit("/", 2)[-2:])
