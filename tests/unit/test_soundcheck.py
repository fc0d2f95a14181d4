"""The pupil's "Does my sound work?" judgement (issue 11.5), and the level message it reads."""

from __future__ import annotations

import pytest

import media.features.messages  # noqa: F401 (registers "level")
from media.control import ControlInvalid, ControlMessage, decode_control
from media.features.soundcheck import (
    GOOD_DBFS,
    HEARD_DBFS,
    MAX_LEVELS,
    MIN_LEVELS,
    CheckResult,
    Heard,
    judge,
    speech_level,
)
from media.features.speaker import ClassSpeaker

LOUD = ClassSpeaker(0.8, False, True)


def _speech(level: float, n: int = 40, share: float = 0.3, pause: float = -70.0) -> list[float]:
    """``n`` levels, ``share`` of them words at ``level``, the rest pauses."""
    words = round(n * share)
    return [level] * words + [pause] * (n - words)


def test_pauses_between_words_do_not_pull_the_speech_level_down() -> None:
    assert speech_level(_speech(-20.0)) == pytest.approx(-20.0, abs=0.1)
    # Half the loudest share is silence: the level drops by about 3 dB, not to silence.
    level = speech_level(_speech(-20.0, share=0.15))
    assert level is not None and -24 < level < -22


def test_too_few_levels_mean_nothing_arrived() -> None:
    assert speech_level([-20.0] * (MIN_LEVELS - 1)) is None
    result = judge([-20.0] * (MIN_LEVELS - 1), mic_on=True, speaker=LOUD)
    assert result == CheckResult(Heard.NOTHING, None, None)


@pytest.mark.parametrize(
    ("levels", "mic_on", "speaker", "heard"),
    [
        (_speech(-20.0), True, LOUD, Heard.GOOD),
        (_speech(-20.0), False, LOUD, Heard.MIC_OFF),  # whatever arrived: the mic is off
        (_speech(-70.0), True, LOUD, Heard.NOTHING),  # silence arrives
        (_speech(HEARD_DBFS), True, LOUD, Heard.NOTHING),  # the "am I heard?" limit
        (_speech(-45.0), True, LOUD, Heard.QUIET),  # arrives, too soft for the room
        (_speech(-30.0), True, ClassSpeaker(0.1, False, True), Heard.QUIET),  # class turned down
        (_speech(-30.0), True, ClassSpeaker(0.15, True, True), Heard.QUIET),  # whispering
        (_speech(-20.0), True, ClassSpeaker(0.0, False, True), Heard.SPEAKER_OFF),
        (_speech(-20.0), True, ClassSpeaker(0.8, False, False), Heard.SPEAKER_OFF),
        (_speech(-30.0), True, None, Heard.GOOD),  # no speaker report: the level alone
    ],
)
def test_judge(levels: list[float], mic_on: bool, speaker: ClassSpeaker | None,
               heard: Heard) -> None:  # fmt: skip
    assert judge(levels, mic_on=mic_on, speaker=speaker).heard is heard


def test_the_played_level_includes_the_class_volume() -> None:
    result = judge(_speech(-30.0), mic_on=True, speaker=ClassSpeaker(0.5, False, True))
    assert result.received_dbfs == pytest.approx(-30.0, abs=0.1)
    assert result.played_dbfs == pytest.approx(-36.0, abs=0.1)  # 20·log10(0.5) ≈ -6 dB
    assert result.heard is Heard.GOOD and result.played_dbfs >= GOOD_DBFS


def test_only_the_first_levels_count() -> None:
    """A flood of levels (a peer sending too many) is capped, not kept."""
    levels = [-70.0] * MAX_LEVELS + [-10.0] * 1000
    assert judge(levels, mic_on=True, speaker=LOUD).heard is Heard.NOTHING


@pytest.mark.parametrize(
    "text",
    [
        '{"v": 1, "type": "level", "dbfs": 3.0}',  # above 0 dBFS
        '{"v": 1, "type": "level", "dbfs": -500}',  # below the floor
        '{"v": 1, "type": "level", "dbfs": "loud"}',  # numbers only
        '{"v": 1, "type": "level", "dbfs": true}',  # a bool is not a number
        '{"v": 1, "type": "level", "dbfs": NaN}',
        '{"v": 1, "type": "level"}',
        '{"v": 1, "type": "level", "dbfs": -20, "name": "x"}',  # nothing else rides along
    ],
)
def test_a_level_message_carries_one_number_in_range(text: str) -> None:
    with pytest.raises(ControlInvalid):
        decode_control(text)


def test_a_good_level_message_passes() -> None:
    message = decode_control('{"v": 1, "type": "level", "dbfs": -23.5}')
    assert message == ControlMessage("level", {"dbfs": -23.5})
