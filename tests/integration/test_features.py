"""The classroom features end to end: two real engines on loopback (issue 5)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from media.control import ControlMessage
from media.engine import Engine
from media.features.grating import BLURRED, RESOLVED, Box, GratingVideoTrack, column_contrast
from media.features.hub import REACTION_GAP_S, FeatureConfig
from media.features.pause import is_pause_picture
from media.features.schedule import from_json
from media.features.switches import FeatureSwitches
from media.peer import LocalMedia
from media.state import CallState, EndReason
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack, read_marker
from tests.integration.test_call_media import MeteredRecorder
from tests.support.calls import make_engine, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

AMS = dt.timezone(dt.timedelta(hours=1))  # Amsterdam in winter
KLASGENOOT = Path(sys.executable).with_name("klasgenoot")


def kinds(recorder: MeteredRecorder, kind: str) -> list[dict[str, Any]]:
    return [dict(m.body) for m in recorder.controls if m.kind == kind]


@asynccontextmanager
async def call(
    fleet: TestFleet,
    *,
    class_video: Any = None,
    pupil_audio: SyntheticAudioTrack | None = None,
    classroom_features: FeatureConfig | None = None,
    wait_live: bool = True,
    **classroom_extra: Any,
) -> AsyncIterator[tuple[Engine, MeteredRecorder, Engine, MeteredRecorder]]:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    rs, rc = MeteredRecorder(), MeteredRecorder()
    pupil = LocalMedia(pupil_audio or SyntheticAudioTrack(), SyntheticVideoTrack(640, 480, 30))
    room = LocalMedia(SyntheticAudioTrack(), class_video or SyntheticVideoTrack(1280, 720, 30))
    es, _ = make_engine(student, relay.port, recorder=rs, media=pupil)
    extra = dict(classroom_extra)
    if classroom_features is not None:
        extra["features"] = classroom_features
    ec, _ = make_engine(classroom, relay.port, recorder=rc, media=room, **extra)
    await ec.start()
    await es.start()
    try:
        if wait_live:
            await wait_until(lambda: rc.state is CallState.LIVE, 10, "live")
            await wait_until(lambda: kinds(rs, "features"), 5, "features announced")
        yield es, rs, ec, rc
    finally:
        await es.stop()
        await ec.stop()


async def test_hand_presence_whisper_and_reactions_reach_the_class(fleet: TestFleet) -> None:
    async with call(fleet) as (es, rs, ec, rc):
        assert kinds(rs, "features")[-1]["hand"] is True
        assert kinds(rs, "features")[-1]["schedule"] is False  # no lesson times yet

        assert es.features.raise_hand(True)
        await wait_until(lambda: kinds(rc, "hand") == [{"raised": True}], 3, "hand seen")
        assert ec.features.hand_raised
        assert ec.features.classroom is not None
        ec.features.classroom.acknowledge_hand()  # the teacher taps it: lowered on both sides
        await wait_until(lambda: kinds(rs, "hand_ack"), 3, "pupil told")
        assert kinds(rc, "hand")[-1] == {"raised": False}
        assert not es.features.hand_raised and not ec.features.hand_raised

        assert es.set_presence("listening")
        await wait_until(lambda: {"level": "listening"} in kinds(rc, "presence"), 3, "presence")
        assert es.audio is not None and es.audio.enabled is False
        assert es.video is not None and es.video.enabled is False
        assert es.set_presence("voice")
        await wait_until(lambda: kinds(rc, "presence")[-1] == {"level": "voice"}, 3, "voice")
        assert es.audio.enabled and not es.video.enabled

        assert es.features.whisper(True)
        await wait_until(lambda: kinds(rc, "whisper") == [{"on": True}], 3, "whisper")

        assert es.features.react("thumbs_up")
        assert not es.features.react("confused")  # within a second: refused at the source
        await wait_until(lambda: kinds(rc, "reaction"), 3, "reaction")
        assert kinds(rc, "reaction") == [{"kind": "thumbs_up"}]
        await asyncio.sleep(REACTION_GAP_S)  # the rule is about time: let a second pass
        for kind in ("repeat", "confused"):  # an old or hostile app floods the class screen
            es.send_control(ControlMessage("reaction", {"kind": kind}))
        es.send_control(ControlMessage("pause", {"paused": True}))  # the wrong way: ignored
        es.send_control(ControlMessage("whisper", {"on": False}))  # ordered: arrives last
        await wait_until(lambda: {"on": False} in kinds(rc, "whisper"), 3, "whisper off")
        assert kinds(rc, "reaction")[1:] == [{"kind": "repeat"}]
        assert kinds(rc, "pause") == [] and not ec.features.paused


async def test_am_i_heard_level_follows_the_pupils_tone(fleet: TestFleet) -> None:
    tone = SyntheticAudioTrack(level_dbfs=None)

    def latest(rs: MeteredRecorder) -> Callable[[], float | None]:
        return lambda: kinds(rs, "level")[-1]["dbfs"] if kinds(rs, "level") else None

    async with call(fleet, pupil_audio=tone) as (_es, rs, _ec, _rc):
        level = latest(rs)
        await wait_until(lambda: (level() or 0) < -60, 5, "silence measured")
        tone.set_level(-20)
        # Levels are ~100 ms averages: the first after the switch may be partial.
        await wait_until(lambda: -26 < (level() or -120) < -14, 5, "tone measured")
        count = len(kinds(rs, "level"))
        await wait_until(lambda: len(kinds(rs, "level")) >= count + 8, 2, "~10 a second")


async def test_pause_replaces_class_media_at_the_source(fleet: TestFleet) -> None:
    async with call(fleet, confirm_sending=True) as (es, rs, ec, rc):
        ec.allow_sending()
        await wait_until(lambda: len(rs.video_times) > 10, 5, "class frames")
        handed: list[tuple[bool, bool]] = []  # (LIVE reported off, frame had a marker)
        gated = ec.video
        assert gated is not None
        real_recv = gated.recv

        async def instrumented() -> Any:
            frame = await real_recv()
            off = bool(rc.sending) and rc.sending[-1][1] is False
            handed.append((off, read_marker(frame) is not None))
            return frame

        gated.recv = instrumented  # type: ignore[method-assign]
        assert ec.pause(minutes=10)
        await wait_until(lambda: rc.sending[-1][1] is False, 2, "LIVE off")
        await wait_until(lambda: kinds(rs, "pause") == [{"paused": True}], 3, "pupil told")
        seen = len(rs.video_times)
        await wait_until(lambda: len(rs.video_times) > seen + 15, 5, "paused frames")
        assert is_pause_picture(rs.last_video) and read_marker(rs.last_video) is None
        assert any(off for off, _ in handed)
        assert not any(off and marked for off, marked in handed)  # no class frame while off

        ec.resume()
        await wait_until(lambda: kinds(rs, "pause")[-1] == {"paused": False}, 3, "resumed")
        assert rc.sending[-1][1] is False and not ec.gate.passing  # LIVE not confirmed yet
        assert {"paused": False} in kinds(rc, "pause")  # the class screen is told to show LIVE
        seen = len(rs.video_times)
        await wait_until(lambda: len(rs.video_times) > seen + 10, 5, "frames")
        assert is_pause_picture(rs.last_video)
        ec.allow_sending()
        assert rc.sending[-1][1] is True
        await wait_until(lambda: read_marker(rs.last_video) is not None, 5, "class frames again")
        assert es.features.switches.pause

        assert ec.pause(minutes=0.01)  # resumes by itself after the configured time
        await wait_until(lambda: kinds(rs, "pause")[-1] == {"paused": True}, 3, "paused again")
        await wait_until(lambda: kinds(rs, "pause")[-1] == {"paused": False}, 3, "timed out")
        assert not es.pause()  # the pupil cannot pause the class


async def test_zoom_resolves_a_fine_grating_and_board_view_returns(fleet: TestFleet) -> None:
    source = GratingVideoTrack(3840, 2160, fps=10)
    middle = Box(640 - 150, 360 - 80, 300, 160)  # the grating fills the middle at 4×
    whole = Box(round(0.70 * 1280) - 38, round(0.55 * 720) - 21, 76, 42)
    async with call(fleet, class_video=source) as (es, rs, ec, _rc):
        await wait_until(lambda: rs.last_video is not None, 5, "class frames")
        assert (rs.last_video.width, rs.last_video.height) == (1280, 720)
        await wait_until(lambda: read_marker(rs.last_video) is not None, 5, "whole view")
        assert column_contrast(rs.last_video, whole) < BLURRED

        assert es.features.set_view(0.70, 0.55, 4.0)
        await wait_until(
            lambda: column_contrast(rs.last_video, middle) > RESOLVED, 8, "grating resolved"
        )
        board = ec.save_board_view()
        assert board is not None and board.zoom == 4.0
        assert es.features.view_preset("reset")
        await wait_until(lambda: ec.view is not None and ec.view.view.zoom == 1.0, 3, "reset")
        assert es.features.view_preset("board")
        await wait_until(lambda: ec.view is not None and ec.view.view == board, 3, "board")


async def test_switched_off_features_are_ignored_on_both_sides(fleet: TestFleet) -> None:
    switches = FeatureSwitches(hand=False, reactions=False)
    async with call(fleet, classroom_features=FeatureConfig(switches=switches)) as call_:
        es, rs, ec, rc = call_
        assert kinds(rs, "features")[-1]["hand"] is False
        assert not es.features.raise_hand(True)
        es.send_control(ControlMessage("hand", {"raised": True}))  # an old pupil app
        assert es.features.whisper(True)  # still on: proves the channel works
        await wait_until(lambda: kinds(rc, "whisper"), 3, "whisper")
        assert kinds(rc, "hand") == [] and not ec.features.hand_raised


SCHOOL = '{"week": {"mon": [["08:30", "15:00"]], "wed": [["08:30", "12:00"]]}}'


async def test_school_hours_refuse_notice_and_end_politely(fleet: TestFleet) -> None:
    now = [dt.datetime(2026, 11, 24, 18, 0, tzinfo=AMS)]  # a Tuesday evening
    features = FeatureConfig(schedule=from_json(SCHOOL), clock=lambda: now[0])
    async with call(fleet, classroom_features=features, wait_live=False) as (es, rs, _ec, rc):
        await wait_until(lambda: rs.state is CallState.ENDED, 10, "refused")
        assert rs.last is not None and rs.last.reason is EndReason.OUTSIDE_SCHEDULE
        assert kinds(rs, "next_lesson") == [{"at": "2026-11-25T07:30:00+00:00"}]
        assert es.features.next_lesson == dt.datetime(2026, 11, 25, 7, 30, tzinfo=dt.UTC)
        assert es.features.rejoin_at is not None  # the pupil's device joins by itself then

        now[0] = dt.datetime(2026, 11, 25, 11, 56, 40, tzinfo=AMS)  # 200 s before 12:00
        await es.rejoin()
        await wait_until(lambda: rc.state is CallState.LIVE, 10, "admitted")
        await wait_until(lambda: kinds(rs, "schedule"), 5, "notice")
        assert 190 <= kinds(rs, "schedule")[0]["closes_in_s"] <= 200
        await wait_until(lambda: kinds(rs, "features"), 5, "features announced")
        assert kinds(rs, "features")[-1]["schedule"] is True

        now[0] = dt.datetime(2026, 11, 25, 12, 0, 1, tzinfo=AMS)
        await wait_until(lambda: rs.state is CallState.ENDED, 5, "ended at 12:00")
        assert rs.last is not None and rs.last.reason is EndReason.OUTSIDE_SCHEDULE
        assert rc.last is not None and rc.last.reason is EndReason.OUTSIDE_SCHEDULE
        monday = {"at": "2026-11-30T07:30:00+00:00"}  # next Monday 08:30 Amsterdam
        await wait_until(lambda: kinds(rs, "next_lesson")[-1] == monday, 3, "next lesson")


def test_demo_exercise_drives_every_feature_and_the_other_side_sees_it(tmp_path: Path) -> None:
    """`klasgenoot demo --headless --exercise` as a person runs it (a real subprocess)."""
    report = tmp_path / "r.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    args = ["demo", "--headless", "--seconds", "4", "--exercise", "--report", str(report)]
    result = subprocess.run(
        [str(KLASGENOOT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    interactions = json.loads(report.read_text())["interactions"]
    assert set(interactions) == {
        "features", "hand", "presence", "whisper", "reaction", "level", "view", "pause",
        "schedule",
    }  # fmt: skip
    assert all(v == "ok" for v in interactions.values()), interactions
    assert "pause: ok" in result.stdout


async def test_the_pupils_starting_level_is_a_setting_of_the_pupils_device(
    fleet: TestFleet,
) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    rs, rc = MeteredRecorder(), MeteredRecorder()
    pupil = LocalMedia(SyntheticAudioTrack(), SyntheticVideoTrack(640, 480, 30))
    es, _ = make_engine(
        student, relay.port, recorder=rs, media=pupil,
        features=FeatureConfig(presence="listening"),
    )  # fmt: skip
    ec, _ = make_engine(classroom, relay.port, recorder=rc)
    await ec.start()
    await es.start()
    try:
        await wait_until(lambda: kinds(rc, "presence"), 10, "presence announced")
        assert kinds(rc, "presence") == [{"level": "listening"}]
        assert {"mic": False, "camera": False} in kinds(rc, "media")
        assert rc.video_times == []  # the camera never sent a frame
    finally:
        await es.stop()
        await ec.stop()


async def test_a_flood_of_unreadable_next_lesson_times_is_summarised(
    fleet: TestFleet, caplog: Any
) -> None:
    monday = dt.datetime(2026, 11, 23, 10, 0, tzinfo=AMS)  # in school hours: a live call
    features = FeatureConfig(schedule=from_json(SCHOOL), clock=lambda: monday)
    async with call(fleet, classroom_features=features) as (es, _rs, ec, _rc):
        for _ in range(2000):  # a hostile class unit: valid JSON, not an instant
            ec.send_control(ControlMessage("next_lesson", {"at": "whenever"}))
        await wait_until(lambda: es.features.refusals.total >= 2000, 20, "all refused")
        assert es.features.next_lesson is None
    lines = [r.getMessage() for r in caplog.records if "next_lesson not" in r.getMessage()]
    assert lines[0] == "peer message refused: next_lesson not an instant"
    assert len(lines) <= 3, lines
    assert sum(int(line.split(" ", 1)[0]) for line in lines[1:]) == 1999  # written at the end
