"""The room's floor under the talkers, from 10 ms chunk levels (no audio kept).

The floor is the quietest 100 ms *average* of the last 3 s: a chunk-level minimum
would follow a noise suppressor's momentary dips far below the murmur that is
really there. The expander lowers what lies near it; the gain stage measures
speech only well above it.
"""

from __future__ import annotations

import math
from collections import deque

CHUNK_S = 0.01
BLOCK_S = 0.1
WINDOW_S = 3.0
SILENT_DBFS = -90.0  # digital silence (media.audio.level reads −120): no floor from it
_CHUNKS_PER_BLOCK = round(BLOCK_S / CHUNK_S)
_BLOCKS = round(WINDOW_S / BLOCK_S)
_MIN_BLOCKS = round(1.0 / BLOCK_S)  # a second of levels before there is a floor


class FloorTracker:
    """Feed :meth:`learn` every chunk's level in order."""

    def __init__(self) -> None:
        self._power = 0.0
        self._counted = 0
        self._chunks = 0
        self._blocks: deque[float] = deque(maxlen=_BLOCKS)

    @property
    def floor_dbfs(self) -> float | None:
        """None until a second of levels has been seen."""
        return min(self._blocks) if len(self._blocks) >= _MIN_BLOCKS else None

    def learn(self, level: float) -> None:
        if level > SILENT_DBFS:
            self._power += 10.0 ** (level / 10.0)
            self._counted += 1
        self._chunks += 1
        if self._chunks == _CHUNKS_PER_BLOCK:
            if self._counted:
                self._blocks.append(10.0 * math.log10(self._power / self._counted))
            self._power, self._counted, self._chunks = 0.0, 0, 0
