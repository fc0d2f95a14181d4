"""Per-second call statistics folded into min/avg/max, in memory.

The log keeps summaries, not a row per second: a second-by-second trace of a call
says more about a pupil's day than a technician needs (data minimisation, 001).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from privacy.schema import SUMMARIES


@dataclass
class _Range:
    low: float = math.inf
    high: float = -math.inf
    total: float = 0.0
    count: int = 0

    def add(self, value: float) -> None:
        self.low, self.high = min(self.low, value), max(self.high, value)
        self.total += value
        self.count += 1


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


class StatsSummary:
    """Folds CallStats-shaped mappings (``bitrate_out_kbps``, ``rtt_ms``, ...)."""

    def __init__(self) -> None:
        self._ranges = {name: _Range() for name in SUMMARIES}
        self.samples = 0

    def add(self, stats: Mapping[str, object]) -> None:
        """Unknown keys, None (e.g. no RTT yet) and non-numbers are skipped."""
        self.samples += 1
        for name, rng in self._ranges.items():
            value = _number(stats.get(name))
            if value is not None:
                rng.add(value)

    def columns(self) -> dict[str, float | None]:
        """``<name>_min``, ``<name>_avg``, ``<name>_max`` for every summarised value."""
        out: dict[str, float | None] = {}
        for name, rng in self._ranges.items():
            seen = rng.count > 0
            out[f"{name}_min"] = round(rng.low, 2) if seen else None
            out[f"{name}_avg"] = round(rng.total / rng.count, 2) if seen else None
            out[f"{name}_max"] = round(rng.high, 2) if seen else None
        return out
