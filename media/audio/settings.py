"""Which processing stages run: one technician setting each, all on by default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

STAGES = ("echo_cancellation", "noise_suppression", "high_pass_filter", "auto_gain_control")


class AudioSettingsInvalid(ValueError):
    """Internal: a stored value that is not a bool per stage (never shown as it is)."""


@dataclass(frozen=True, slots=True)
class AudioSettings:
    echo_cancellation: bool = True
    noise_suppression: bool = True
    high_pass_filter: bool = True
    auto_gain_control: bool = False  # see docs/performance.md: it lifts residual echo

    @property
    def any_on(self) -> bool:
        return any(asdict(self).values())

    def to_body(self) -> dict[str, bool]:
        return asdict(self)

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> AudioSettings:
        """Exactly the four stages, each a bool; anything else is refused."""
        if set(body) != set(STAGES) or not all(isinstance(v, bool) for v in body.values()):
            raise AudioSettingsInvalid("audio")
        return cls(**{name: bool(body[name]) for name in STAGES})


OFF = AudioSettings(False, False, False, False)
