"""The classroom speaker as the pupil sees it, next to "am I heard?" (issue 5).

The class sets the speaker's volume on its screen (the teacher's slider, the
technician's setting); a whispering pupil turns it down to :data:`WHISPER_FACTOR`
of that. The classroom's screen plays it and tells the engine the class volume
and whether a speaker is there; the engine knows the whisper itself and sends
``speaker`` to the pupil at call start and on every change. Both sides use
:func:`played_volume`, so the pupil reads what the class hears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

WHISPER_FACTOR = 0.15  # of the volume the class set


def played_volume(volume: float, whispering: bool) -> float:
    """What the speaker plays at: the class volume, turned down while the pupil whispers."""
    return min(1.0, max(0.0, volume)) * (WHISPER_FACTOR if whispering else 1.0)


@dataclass(frozen=True, slots=True)
class ClassSpeaker:
    """The body of ``speaker``: the volume the class hears the pupil at, and why."""

    volume: float  # 0..1, as played (whisper included), to the percent
    whisper: bool
    available: bool  # False: no speaker in class (none found, or it was unplugged)

    @classmethod
    def of(cls, volume: float, *, whispering: bool, available: bool) -> ClassSpeaker:
        """From the class volume; ``volume`` outside 0..1 is a ValueError."""
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"volume {volume} is not within 0..1")
        return cls(round(played_volume(volume, whispering), 2), whispering, available)

    def to_body(self) -> dict[str, object]:
        return {"volume": self.volume, "whisper": self.whisper, "available": self.available}

    @classmethod
    def from_body(cls, body: Mapping[str, object]) -> ClassSpeaker:
        """From a validated ``speaker`` message (media.control checked the fields)."""
        volume = cast(float, body["volume"])
        return cls(float(volume), bool(body["whisper"]), bool(body["available"]))
