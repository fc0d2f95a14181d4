"""The class speaker's volume reaches the pupil, with whisper and "no speaker": two
real engines on loopback (issue 5, "am I heard?")."""

from __future__ import annotations

import time

import pytest

from media.features.hub import FeatureConfig
from media.features.speaker import WHISPER_FACTOR
from media.features.switches import FeatureSwitches
from media.state import CallState
from tests.integration.test_features import call, kinds
from tests.support.calls import wait_until
from tests.support.pki import TestFleet

LOUD = {"volume": 0.8, "whisper": False, "available": True}
WHISPER = {"volume": round(0.8 * WHISPER_FACTOR, 2), "whisper": True, "available": True}


async def test_the_pupil_reads_the_class_volume_and_its_drop_on_whisper(fleet: TestFleet) -> None:
    async with call(fleet) as (es, rs, ec, _rc):
        room = ec.features.classroom
        assert room is not None
        assert kinds(rs, "speaker") == []  # unknown until the class screen tells the engine
        room.set_speaker(0.8, available=True)
        await wait_until(lambda: kinds(rs, "speaker") == [LOUD], 3, "the class volume")

        assert es.features.whisper(True)
        await wait_until(lambda: kinds(rs, "speaker")[-1] == WHISPER, 3, "whisper volume")
        assert es.features.whisper(False)
        await wait_until(lambda: kinds(rs, "speaker")[-1] == LOUD, 3, "back to loud")

        room.set_speaker(0.8, available=False)  # unplugged
        await wait_until(lambda: kinds(rs, "speaker")[-1]["available"] is False, 3, "no speaker")
        room.set_speaker(0.0, available=True)  # back, turned all the way down
        await wait_until(lambda: kinds(rs, "speaker")[-1]["volume"] == 0.0, 3, "silent")

        with pytest.raises(ValueError, match=r"within 0\.\.1"):
            room.set_speaker(1.5, available=True)
        assert room.speaker is not None and room.speaker.volume == 0.0  # unchanged

        # Sent on change only: a second of level messages, no new speaker message.
        sent, levels = len(kinds(rs, "speaker")), len(kinds(rs, "level"))
        await wait_until(lambda: len(kinds(rs, "level")) >= levels + 8, 3, "a second passes")
        assert len(kinds(rs, "speaker")) == sent


async def test_each_call_starts_with_the_volume_and_without_the_old_whisper(
    fleet: TestFleet,
) -> None:
    async with call(fleet) as (es, rs, ec, rc):
        room = ec.features.classroom
        assert room is not None
        room.set_speaker(0.8, available=True)
        assert es.features.whisper(True)
        await wait_until(lambda: kinds(rs, "speaker")[-1:] == [WHISPER], 3, "whispering")

        for _ in range(2):  # the second time nothing changed since the last message
            await es.hangup()
            await wait_until(lambda: rc.state is CallState.ENDED, 5, "ended")
            assert not room.whispering
            sent = len(kinds(rs, "speaker"))
            await es.rejoin()
            await wait_until(lambda: rc.state is CallState.LIVE, 10, "live again")
            await wait_until(lambda: len(kinds(rs, "speaker")) > sent, 3, "announced")  # noqa: B023
            assert kinds(rs, "speaker")[sent] == LOUD


async def test_with_the_level_switched_off_no_volume_is_sent(fleet: TestFleet) -> None:
    switches = FeatureSwitches(level=False)
    async with call(fleet, classroom_features=FeatureConfig(switches=switches)) as call_:
        es, rs, ec, _rc = call_
        room = ec.features.classroom
        assert room is not None
        room.set_speaker(0.8, available=True)
        assert es.features.whisper(True)
        await wait_until(lambda: room.whispering, 3, "whisper arrived")
        await room._tick(time.monotonic())  # the tick that would send it
        assert ec.pause(minutes=1)  # ordered channel: anything sent before arrives before
        await wait_until(lambda: kinds(rs, "pause"), 3, "pause")
        assert kinds(rs, "speaker") == []
