"""Which processing stages run (one technician setting each), and the loudness target.

``agc_target_dbfs`` is the automatic loudness stage's target for this device's
talker (media.audio.gain): a classroom unit and a laptop need different ones.
``ducking`` (media.audio.ducking) and ``leak_guard`` (media.audio.leakguard) work
with the echo canceller's stage and need it on; both lean on the double-talk
detector (media.audio.doubletalk). Settings stored before they existed read as
their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from media.audio.gain import TARGET_DEFAULT_DBFS, TARGET_MAX_DBFS, TARGET_MIN_DBFS

STAGES = ("echo_cancellation", "noise_suppression", "high_pass_filter", "auto_gain_control")
TARGET = "agc_target_dbfs"
OPTIONS = ("ducking", "leak_guard")  # with the echo canceller; optional when stored


class AudioSettingsInvalid(ValueError):
    """Internal: a stored value that is not a bool per stage or a target in range (never
    shown as it is)."""


@dataclass(frozen=True, slots=True)
class AudioSettings:
    echo_cancellation: bool = True
    noise_suppression: bool = True
    high_pass_filter: bool = True
    auto_gain_control: bool = False  # see docs/performance.md: it lifts residual echo
    agc_target_dbfs: int = TARGET_DEFAULT_DBFS
    # Off by default: it keeps the teacher in sustained double talk, but with a pupil
    # who talks much it also ducks 14 % of their far-end-only time (docs/performance.md).
    ducking: bool = False
    # On by default: it removes the short echo leaks AEC3 lets through on a child's
    # voice, every demo run over 30 dB toward the pupil, the teacher within 6 dB
    # (docs/performance.md, "Who talks").
    leak_guard: bool = True

    def __post_init__(self) -> None:
        if not is_target(self.agc_target_dbfs):
            raise AudioSettingsInvalid(TARGET)

    @property
    def any_on(self) -> bool:
        return any(getattr(self, name) for name in STAGES)

    def to_body(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> AudioSettings:
        """The four stages, each a bool, the target and the options (each absent
        before it existed: the default); anything else is refused."""
        keys = set(body) - {TARGET, *OPTIONS}
        if keys != set(STAGES) or not all(isinstance(body[n], bool) for n in STAGES):
            raise AudioSettingsInvalid("audio")
        target = body.get(TARGET, TARGET_DEFAULT_DBFS)
        if not is_target(target):
            raise AudioSettingsInvalid(TARGET)
        options = {name: body[name] for name in OPTIONS if name in body}
        if not all(isinstance(value, bool) for value in options.values()):
            raise AudioSettingsInvalid("audio")
        stages = {name: bool(body[name]) for name in STAGES}
        return cls(**stages, agc_target_dbfs=target, **options)


def is_target(value: object) -> bool:
    """A whole number of dBFS within the stage's range (a bool is not a number here)."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and TARGET_MIN_DBFS <= value <= TARGET_MAX_DBFS
    )


OFF = AudioSettings(False, False, False, False, ducking=False, leak_guard=False)
