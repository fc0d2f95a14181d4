"""Process settings applied at start, and glibc's placement of large blocks."""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from common.process import large_blocks_mapped, limit_malloc_arenas

ROOT = Path(__file__).resolve().parents[2]
glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
BLOCK = 4 * 1024 * 1024  # between glibc's initial threshold and its ceiling
# struct mallinfo2, all ten fields (it is returned by value); hblkhd: bytes in mmapped blocks
MALLINFO2 = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


@glibc_only
def test_malloc_arenas_are_limited_on_glibc() -> None:
    assert limit_malloc_arenas() is True


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in MALLINFO2.split()]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.mallinfo2.restype = _Mallinfo2
    return libc


def _mapped_growth(libc: ctypes.CDLL) -> int:
    """How many mmapped bytes one BLOCK-sized malloc adds (freed again at once)."""
    before = libc.mallinfo2().hblkhd
    block = libc.malloc(BLOCK)
    assert block
    try:
        return int(libc.mallinfo2().hblkhd - before)
    finally:
        libc.free(block)


def _window_growth() -> tuple[int, int]:
    """Mapped bytes of one BLOCK malloc inside and outside the window (fresh process)."""
    libc = _libc()
    libc.free(libc.malloc(4 * BLOCK))  # as after a freed encoder: glibc's own threshold moved up
    with large_blocks_mapped():
        with large_blocks_mapped():  # nested (another encoder built meanwhile)
            pass
        inside = _mapped_growth(libc)  # the outer window is still open
    return inside, _mapped_growth(libc)


@glibc_only
def test_large_blocks_get_their_own_mapping_only_inside_the_window() -> None:
    # In a fresh interpreter: in the test run's own process, earlier tests leave
    # free heap space that serves the block without any mapping either way.
    code = "import json, tests.unit.test_process as t; print(json.dumps(t._window_growth()))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    inside, outside = json.loads(done.stdout)
    assert inside >= BLOCK  # mapped: freeing it gave it back to the OS
    assert outside == 0  # per-frame buffers stay in the heap: no mmap per frame
