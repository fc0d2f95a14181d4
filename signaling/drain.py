"""Draining: an instance that stops tells its devices to move before it goes.

Each device is closed with 1001 ("going away"); its client then connects to the
next signaling URL of its bundle (signaling.client). Closing 10,000 devices at once
would hand the other instances a reconnect storm of 10,000 TLS handshakes, so the
closes are spread over a few seconds (as many as the other instances' handshake
budget needs, up to half the drain bound), and every client adds jitter of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time

from signaling.hub import Hub
from signaling.protocol import CloseCode

logger = logging.getLogger(__name__)

STEP = 0.05  # seconds between batches


async def drain_hub(hub: Hub, spread: float, bound: float, rate: float) -> None:
    """Close every link of ``hub`` spread over at least ``spread`` seconds, longer if
    the others could not take them at ``rate`` handshakes per second (their budget),
    but over at most half of ``bound``; then wait until they have gone or ``bound``
    has passed."""
    deadline = time.monotonic() + bound
    links = hub.links()
    spread = min(max(spread, len(links) / rate), bound / 2)
    batches = max(1, min(len(links), int(spread / STEP)))
    size = math.ceil(len(links) / batches)
    logger.info("draining %d devices over %.1f s", len(links), spread)
    for start in range(0, len(links), size):
        for link in links[start : start + size]:
            link.close(CloseCode.GOING_AWAY, "moving: connect to another server")
        await asyncio.sleep(spread / batches)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(hub.empty.wait(), max(0.0, deadline - time.monotonic()))
    logger.info("drained: %d devices left", len(hub))
