"""Process settings that let one instance hold 10,000 devices (docs/performance.md).

Measured at 10,000 mTLS WebSockets: CPython's asyncio TLS protocol reads into a
256 KiB buffer of its own per connection (most of 312 kB per device), and full
garbage collections over the million objects of the connections paused the loop
for up to half a second. The server runs alone in its process, so both are set
for the process: a 32 KiB read buffer (a WebSocket frame spans several reads, as
over any socket), and the objects alive after start-up frozen out of collection,
and again every second (:func:`keep_frozen`).
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import gc
import logging
import time

logger = logging.getLogger(__name__)

SSL_READ_BUFFER = 32 * 1024


def small_tls_buffers() -> None:
    """Every TLS connection made from now on reads into a 32 KiB buffer."""
    protocol = asyncio.sslproto.SSLProtocol
    if isinstance(getattr(protocol, "max_size", None), int):
        protocol.max_size = SSL_READ_BUFFER
    else:  # asyncio changed: tests/unit/test_signaling_tuning.py will say so
        logger.warning("cannot shrink the TLS read buffer")


def freeze_startup_objects() -> None:
    """Move what start-up allocated (modules, certificates, config) out of the
    collector's sight, so later full collections walk only the connections' objects."""
    gc.collect()
    gc.freeze()
    watch_collections()


SLOW_COLLECTION = 0.1  # seconds: a full collection this long is worth a log line
_started: list[float] = []


def _on_collection(phase: str, info: dict[str, int]) -> None:
    if info.get("generation") != 2:
        return
    if phase == "start":
        _started[:] = [time.perf_counter()]
    elif _started:
        took = time.perf_counter() - _started.pop()
        if took >= SLOW_COLLECTION:
            logger.warning(
                "a full garbage collection held the server for %d ms (%d objects freed)",
                took * 1000,
                info.get("collected", 0),
            )


def watch_collections() -> None:
    """Log every full collection that holds the loop for 100 ms or more."""
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)


def unwatch_collections() -> None:
    """At the end: the collections at exit are no one's concern (and the log is closed)."""
    if _on_collection in gc.callbacks:
        gc.callbacks.remove(_on_collection)


# seconds: a full collection walks what reached the old generation since the last
# freeze; at 10,000 devices 10 s of it took 60-130 ms (signaling.stalls), 1 s ~10 ms
REFREEZE_EVERY = 1.0
RECLAIM_EVERY = 24 * 3600.0  # seconds: once a day, what froze in cycles is collected


async def keep_frozen(every: float = REFREEZE_EVERY, reclaim: float = RECLAIM_EVERY) -> None:
    """Freeze again now and then, for as long as the server runs.

    Measured at 10,000 devices: full collections came every ~15 s while relaying,
    each walked the connections' millions of objects for 1.4 s, and freed almost
    nothing (0 to 439 objects): relayed frames survive a young collection in an
    outbox and count as long-lived although they die by reference counting. A
    frozen object is never walked again; ``gc.freeze()`` itself costs nothing (it
    moves list heads). Every 10 s still left full collections of 60-130 ms while
    devices connected (the stall monitor's lines, all of it collector time, 0
    objects freed): each walked the ten seconds of connections since the last
    freeze, so the server freezes every second. Garbage in reference cycles that
    was frozen before it died stays until the daily full collection (one pause of
    about a second a day at 10,000 devices, logged by :func:`watch_collections`
    like any other).
    """
    since_reclaim = 0.0
    while True:
        await asyncio.sleep(every)
        since_reclaim += every
        if since_reclaim >= reclaim:
            since_reclaim = 0.0
            gc.unfreeze()
            gc.collect()
        gc.freeze()
