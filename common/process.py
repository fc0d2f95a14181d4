"""Process-wide settings every Klasgenoot program applies at start, and glibc malloc tuning."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc mallopt parameters
M_MMAP_THRESHOLD = -3
ARENAS = 2
MAPPED_FROM = 128 * 1024  # glibc's own initial mmap threshold
HEAP_BELOW = 32 * 1024 * 1024  # the ceiling of glibc's moving threshold (64-bit)


@functools.cache
def _glibc() -> Any:
    """glibc with ``mallopt``, or None (not Linux, musl, ...)."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        return libc
    except (OSError, AttributeError):  # musl and others have no mallopt
        logger.debug("mallopt not available")
        return None


def _mallopt(param: int, value: int) -> bool:
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(param, value))


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's per-thread malloc arenas.

    aiortc rebuilds its video encoder on bitrate changes from several threads; with
    glibc's default (8 arenas a core) freed buffers stay spread over arenas and a
    10-minute call grew ~64 MB; with two arenas it stays flat (docs/performance.md).
    Does nothing off glibc. Returns whether the setting was applied.
    """
    return _mallopt(M_ARENA_MAX, arenas)


class _MappedWindow:
    """The shared state of :func:`large_blocks_mapped`: open in how many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.depth = 0

    @contextlib.contextmanager
    def open(self) -> Iterator[None]:
        with self._lock:
            self.depth += 1
            if self.depth == 1:
                _mallopt(M_MMAP_THRESHOLD, MAPPED_FROM)
        try:
            yield
        finally:
            with self._lock:
                self.depth -= 1
                if self.depth == 0:
                    _mallopt(M_MMAP_THRESHOLD, HEAP_BELOW)


_WINDOW = _MappedWindow()


def large_blocks_mapped() -> contextlib.AbstractContextManager[None]:
    """While open (in any thread), blocks of 128 kB and more get their own mmap.

    Such a block goes straight back to the OS when it is freed. glibc's threshold
    otherwise moves up to the largest block freed so far, so a rebuilt VP8 encoder
    (~50 MB at 720p: 1.6 MB frame buffers and a 22 MB token buffer) lands in a
    heap, and a later rebuild that does not fit the freed space (another arena,
    live blocks beside it) adds a whole encoder to resident memory for good: the
    44 MB step of the 600 s soak (docs/performance.md). Open it around building
    an encoder. It nests across threads; on the last close the threshold is fixed
    at glibc's ceiling, where the moving one ends up anyway, so per-frame buffers
    stay in the heap (a mapping per frame costs ~0.7 ms at 720p). Nothing off glibc.
    """
    return _WINDOW.open()
