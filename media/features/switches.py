"""Feature switches: which classroom features a pairing uses (the school decides).

They live on the classroom device (technician mode) and are announced to the
pupil's device at call start (control ``features``); a feature that is off is
hidden on both sides and its messages are ignored on both sides. A future
feature that sends anything new about the pupil must start off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from media.features.messages import FEATURE_OF, SWITCH_NAMES


@dataclass(frozen=True, slots=True)
class FeatureSwitches:
    hand: bool = True
    presence: bool = True
    view: bool = True
    pause: bool = True
    whisper: bool = True
    reactions: bool = True
    level: bool = True
    # On only once lesson times exist (see :meth:`defaults`): an empty schedule
    # would otherwise lock the pupil out.
    schedule: bool = False

    @classmethod
    def defaults(cls, *, has_lessons: bool) -> FeatureSwitches:
        return cls(schedule=has_lessons)

    def allows(self, kind: str) -> bool:
        """May a control message of ``kind`` pass? Kinds of no feature always may."""
        name = FEATURE_OF.get(kind)
        return name is None or bool(getattr(self, name))

    def to_body(self) -> dict[str, bool]:
        return asdict(self)

    @classmethod
    def from_body(cls, body: Mapping[str, object]) -> FeatureSwitches:
        """From a validated ``features`` message (media.control checked the fields)."""
        return cls(**{name: bool(body[name]) for name in SWITCH_NAMES})


ALL_OFF = FeatureSwitches(**{f.name: False for f in fields(FeatureSwitches)})
