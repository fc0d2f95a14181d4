"""The pupil's "Does my sound work?" check: does the class hear the pupil, and how well?

While the pupil speaks for a few seconds, the classroom keeps sending ``level``
(the RMS of the last ~100 ms of the pupil's audio as the class received and
decoded it: after the pupil's own processing, before the class speaker's
volume; media.features.classroom). :func:`judge` turns those numbers and the
class speaker's last ``speaker`` report into one answer. No new message: the
check reads what "am I heard?" already sends. Nothing is stored.

The speech level is the power mean of the loudest ``SPEECH_SHARE`` of the levels
(speech has pauses; the quiet 100 ms between words must not pull it down), and
what the class hears is that plus the speaker's volume in dB.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from media.features.speaker import ClassSpeaker

SPEAK_S = 4.0  # the pupil speaks this long
LISTEN_S = 3.0  # then hears the class this long
MIN_LEVELS = 10  # fewer than 1 s of levels (~10 a second): nothing reached the class
MAX_LEVELS = 200  # a check keeps at most this many (20 s); more are ignored
SPEECH_SHARE = 0.3
HEARD_DBFS = -50.0  # below this the class hears nothing of the pupil (as "am I heard?")
GOOD_DBFS = -42.0  # as played in class: a voice from a desk's speaker carries over the room


class Heard(enum.StrEnum):
    GOOD = "good"  # "De klas hoort je goed"
    QUIET = "quiet"  # "De klas hoort je, maar te zacht"
    NOTHING = "nothing"  # "De klas heeft niets gehoord"
    MIC_OFF = "mic_off"  # the pupil's microphone is off: nothing was sent
    SPEAKER_OFF = "speaker_off"  # it arrived, but the class speaker is off or missing


@dataclass(frozen=True, slots=True)
class CheckResult:
    heard: Heard
    received_dbfs: float | None  # the pupil's speech level as the class received it
    played_dbfs: float | None  # the same, at the class speaker's volume


def speech_level(levels: Sequence[float]) -> float | None:
    """The loudest ``SPEECH_SHARE`` of the 100 ms levels, power-averaged (dBFS)."""
    if len(levels) < MIN_LEVELS:
        return None
    loudest = sorted(levels, reverse=True)[: max(1, math.ceil(len(levels) * SPEECH_SHARE))]
    power = sum(10 ** (level / 10) for level in loudest) / len(loudest)
    return round(10 * math.log10(power), 1) if power > 0 else None


def judge(levels: Sequence[float], *, mic_on: bool, speaker: ClassSpeaker | None) -> CheckResult:
    """The answer for the levels the class sent during the check.

    ``speaker`` None: the class has not reported its speaker (an older device):
    judged on the received level alone.
    """
    if not mic_on:
        return CheckResult(Heard.MIC_OFF, None, None)
    received = speech_level(levels[:MAX_LEVELS])
    if received is None or received <= HEARD_DBFS:
        return CheckResult(Heard.NOTHING, received, None)
    if speaker is None:
        played = received
    elif not speaker.available or speaker.volume <= 0:
        return CheckResult(Heard.SPEAKER_OFF, received, None)
    else:
        played = round(received + 20 * math.log10(speaker.volume), 1)
    heard = Heard.GOOD if played >= GOOD_DBFS else Heard.QUIET
    return CheckResult(heard, received, played)
