"""Where resident memory goes during a benchmark run (``--trace-memory``): a diagnostic.

Every ``every`` seconds of the media window it notes resident memory split by
kind of mapping (/proc/self/smaps: the brk heap, glibc's per-arena heaps, other
anonymous mappings, thread stacks, files), glibc's own account (``mallinfo2``:
in use, free but kept, mmapped), the threads alive, and how many VP8 encoders were
built and keyframes sent. With ``python`` it also counts live Python objects by
type at marks (30 s, 60 s, ...) and keeps the types that grew most since the last
mark, and Python's allocated blocks in each sample.

``native`` costs a few milliseconds every 10 s, ``python`` ~0.1 s at each mark.
tracemalloc is not used: with it the call collapsed to 1-4 fps (frames then pile
up in aiortc's queues, which is all it showed).
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import ctypes.util
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

from aiortc.codecs.vpx import VpxPayloadDescriptor

from bench.window import MediaWindow, Metered, Senders, rss_mb
from media import codecs
from pairing.roles import Role

ARENA_HEAP_KB = 64 * 1024  # glibc's HEAP_MAX_SIZE on 64-bit: each non-main arena's heaps
PYTHON_ARENA_KB = 1024  # CPython 3.12's small-object arenas are 1 MiB mmaps
PYTHON_MARKS_S = (30, 60, 90, 120, 150, 180, 240, 300, 420, 600)
TOP_LINES = 8
MALLINFO2_FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in MALLINFO2_FIELDS.split()]


def _libc() -> Any:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


_LIBC = _libc()


def mallinfo_mb() -> dict[str, float]:
    """glibc's totals over all arenas: sbrk+arena heaps, in use, free, mmapped (MB)."""
    if _LIBC is None or not hasattr(_LIBC, "mallinfo2"):
        return {}
    _LIBC.mallinfo2.restype = _Mallinfo2
    info = _LIBC.mallinfo2()
    mb = 1024 * 1024
    return {
        "heaps": round(info.arena / mb, 1),  # non-mmapped: main brk heap + arena heaps
        "in_use": round(info.uordblks / mb, 1),
        "free_kept": round(info.fordblks / mb, 1),
        "mmapped": round(info.hblkhd / mb, 1),
        "mmapped_chunks": info.hblks,
    }


def malloc_info_xml() -> str:
    """glibc's per-arena report (malloc_info), as text."""
    if _LIBC is None:
        return ""
    size = ctypes.c_size_t()
    buf = ctypes.c_char_p()
    _LIBC.open_memstream.restype = ctypes.c_void_p
    stream = _LIBC.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    _LIBC.malloc_info(0, ctypes.c_void_p(stream))
    _LIBC.fclose(ctypes.c_void_p(stream))
    text = ctypes.string_at(buf, size.value).decode()
    _LIBC.free(buf)
    return text


def smaps_mb() -> dict[str, float]:
    """Resident MB by kind of mapping, from /proc/self/smaps."""
    kinds: collections.Counter[str] = collections.Counter()
    kind = "file"
    size_kb = 0
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if not head:
            continue
        if "-" in head[0] and not head[0].endswith(":"):  # a mapping's first line
            start, end = (int(x, 16) for x in head[0].split("-"))
            size_kb = (end - start) // 1024
            path = head[5] if len(head) > 5 else ""
            if path == "[heap]":
                kind = "brk_heap"
            elif path.startswith("[stack"):
                kind = "stack"
            elif path.startswith("["):
                kind = "other"
            elif path:
                kind = "file"
            elif start % (ARENA_HEAP_KB * 1024) == 0:  # glibc aligns each arena heap
                kind = "arena_heaps"
            elif size_kb == 8192:
                kind = "thread_stacks"
            elif size_kb == PYTHON_ARENA_KB:
                kind = "py_arenas"
            else:
                kind = "anon_mmap"
        elif head[0] == "Rss:":
            kinds[kind] += int(head[1])
    return {k: round(v / 1024, 1) for k, v in sorted(kinds.items())}


def threads() -> dict[str, int]:
    """Live threads by name (/proc/self/task/*/comm)."""
    names: collections.Counter[str] = collections.Counter()
    for tid in os.listdir("/proc/self/task"):
        try:
            names[Path(f"/proc/self/task/{tid}/comm").read_text().strip()] += 1
        except OSError:
            continue
    return dict(sorted(names.items()))


class EncoderCount:
    """Counts VP8 encoder builds and keyframes by wrapping the steady encoder's encode."""

    def __init__(self) -> None:
        self.builds: collections.Counter[str] = collections.Counter()
        self.keyframes: collections.Counter[str] = collections.Counter()
        original = codecs.SteadyVp8Encoder.encode
        counter = self

        def encode(enc: Any, frame: Any, force_keyframe: bool = False) -> Any:
            before = enc.codec
            payloads, timestamp = original(enc, frame, force_keyframe)
            size = f"{frame.width}x{frame.height}"
            if enc.codec is not before:
                counter.builds[size] += 1
            if payloads:
                _, data = VpxPayloadDescriptor.parse(payloads[0])
                if data and not data[0] & 1:  # VP8 frame tag: P bit 0 is a keyframe
                    counter.keyframes[size] += 1
            return payloads, timestamp

        codecs.SteadyVp8Encoder.encode = encode  # type: ignore[method-assign, assignment]

    def read(self) -> dict[str, dict[str, int]]:
        return {"builds": dict(self.builds), "keyframes": dict(self.keyframes)}


class TracedWindow(MediaWindow):
    """A media window that also samples memory; the trace is in its result."""

    def __init__(self, seconds: float, *, python: bool, every: float = 10.0) -> None:
        super().__init__(seconds)
        self.every = every
        self.python = python
        self.encoders = EncoderCount()
        self._samples: list[dict[str, Any]] = []
        self._growth: list[dict[str, Any]] = []
        self._types: collections.Counter[str] | None = None
        self._sampler: asyncio.Task[None] | None = None

    def begin(self, receivers: dict[Role, Metered], senders: Senders) -> None:
        super().begin(receivers, senders)
        self._sampler = asyncio.get_running_loop().create_task(self._sample_loop())

    async def result(self) -> dict[str, Any]:
        measured = await super().result()
        if self._sampler is not None:
            self._sampler.cancel()
        self._sample(self.seconds)
        if self.python:
            self._python_mark(self.seconds)
        return measured | {
            "memory_trace": {
                "samples": self._samples,
                "python_growth": self._growth,
                "malloc_info_end": malloc_info_xml(),
            }
        }

    async def _sample_loop(self) -> None:
        t0 = time.monotonic()
        marks = [m for m in PYTHON_MARKS_S if m < self.seconds] if self.python else []
        tick = 0
        while True:
            at = tick * self.every
            await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
            self._sample(at)
            while marks and marks[0] <= at:
                self._python_mark(marks.pop(0))
            tick += 1

    def _sample(self, at: float) -> None:
        sample: dict[str, Any] = {
            "t": at,
            "rss": round(rss_mb(), 1),
            "smaps": smaps_mb(),
            "malloc": mallinfo_mb(),
            "threads": threads(),
            "gc_objects": len(gc.get_objects()),
            **self.encoders.read(),
        }
        if self.python:
            sample["python_blocks"] = sys.getallocatedblocks()
        self._samples.append(sample)

    def _python_mark(self, at: float) -> None:
        types = collections.Counter(type(o).__qualname__ for o in gc.get_objects())
        previous, self._types = self._types, types
        if previous is None:
            return
        growth = {t: types[t] - previous[t] for t in types.keys() | previous.keys()}
        grown = sorted(growth, key=growth.__getitem__, reverse=True)
        top = [{"type": t, "count": growth[t]} for t in grown[:TOP_LINES] if growth[t] > 0]
        self._growth.append({"t": at, "top": top})


def print_memory_trace(results: dict[str, list[dict[str, Any]]]) -> None:
    """One line per sample: resident MB by kind, glibc's account, threads, encoders."""
    for mode, runs in results.items():
        for run in runs:
            trace = run.get("memory_trace")
            if not trace:
                continue
            print(f"{mode}: memory trace (MB; malloc = glibc in use / free kept / mmapped)")
            for s in trace["samples"]:
                smaps, malloc = s["smaps"], s["malloc"]
                kinds = " ".join(f"{k}={v:g}" for k, v in smaps.items())
                glibc = f"{malloc.get('in_use')}/{malloc.get('free_kept')}/{malloc.get('mmapped')}"
                py = f" py_blocks={s['python_blocks']}" if "python_blocks" in s else ""
                print(
                    f"  t={s['t']:>5g} rss={s['rss']:g} {kinds} malloc={glibc}"
                    f" threads={sum(s['threads'].values())} builds={s['builds']}"
                    f" keyframes={s['keyframes']} gc={s['gc_objects']}{py}"
                )
            for mark in trace["python_growth"]:
                grown = ", ".join(f"{x['type']} {x['count']:+d}" for x in mark["top"])
                print(f"  python objects grown up to t={mark['t']:g} s: {grown or 'none'}")
