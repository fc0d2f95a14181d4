"""Process-wide settings every Klasgenoot program applies at start."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

logger = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc mallopt parameter
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's per-thread malloc arenas.

    aiortc rebuilds its video encoder on bitrate changes from several threads; with
    glibc's default (8 arenas a core) freed buffers stay spread over arenas and a
    10-minute call grew ~64 MB; with two arenas it stays flat (docs/performance.md).
    Does nothing off glibc. Returns whether the setting was applied.
    """
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # musl and others have no mallopt
        logger.debug("mallopt not available")
        return False
