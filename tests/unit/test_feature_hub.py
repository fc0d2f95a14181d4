"""media.features: the feature hub driven through a recording FeatureHost, no engine.

The hub (and its classroom half) may ask the engine only what media.ports.FeatureHost
offers; the fake records every request in order, so each test asserts the exact
outputs of one event: what is sent to the peer, reported to the screen, spawned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from media.control import ControlMessage
from media.crop import View
from media.features.hub import REJOIN_AFTER, FeatureConfig, FeatureHub
from media.features.schedule import Schedule
from media.state import CallState, EndReason, StateChange
from pairing.roles import Role
from tests.support.machines import FeatureHostFake, Journal

MONDAY_9 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)  # 09:00 in Amsterdam


class ViewFake:
    def __init__(self, journal: Journal) -> None:
        self.journal, self.view = journal, View()

    def set_view(self, view: View) -> None:
        self.journal.add("set_view", view)
        self.view = view


def hub(role: Role, **config: Any) -> tuple[FeatureHub, FeatureHostFake, Journal]:
    journal = Journal()
    host = FeatureHostFake(journal)
    host.view = ViewFake(journal)
    return FeatureHub(host, FeatureConfig(**config), role), host, journal


def msg(kind: str, /, **body: Any) -> ControlMessage:
    return ControlMessage(kind, body)


def test_the_features_reach_the_engine_only_through_its_public_host() -> None:
    """No feature reaches into the engine's or the hub's private members (item 18)."""
    from pathlib import Path

    import media.features

    folder = Path(media.features.__file__).parent
    for module in folder.glob("*.py"):
        text = module.read_text()
        for private in ("_engine.", "_hub._", "_host._"):
            assert private not in text, f"{module.name} uses {private}"


def test_pupil_hand_is_sent_and_lowered_by_the_class() -> None:
    pupil, _host, journal = hub(Role.STUDENT)
    assert pupil.raise_hand()
    assert journal.take() == [("send", "hand", {"raised": True})]
    pupil.on_control(msg("hand_ack"))
    assert not pupil.hand_raised
    assert journal.take() == [("report", "hand_ack", {})]


def test_pupil_ignores_what_only_a_pupil_sends() -> None:
    pupil, _host, journal = hub(Role.STUDENT)
    pupil.on_control(msg("hand", raised=True))  # the wrong way round
    pupil.on_control(msg("reaction", kind="confused"))
    assert journal.take() == []


def test_pupil_presence_sets_the_media_and_tells_the_class() -> None:
    pupil, _host, journal = hub(Role.STUDENT)
    assert pupil.set_presence("listening")
    assert journal.take() == [
        ("set_media", False, False),
        ("send", "presence", {"level": "listening"}),
    ]
    with pytest.raises(ValueError, match="shouting"):
        pupil.set_presence("shouting")
    assert journal.take() == []  # bad input changes nothing
    assert pupil.presence == "listening"


def test_pupil_reactions_at_most_one_a_second() -> None:
    pupil, _host, journal = hub(Role.STUDENT)
    assert pupil.react("thumbs_up")
    assert not pupil.react("confused")
    assert journal.take() == [("send", "reaction", {"kind": "thumbs_up"})]


def test_pupil_features_switched_off_by_the_class() -> None:
    pupil, _host, journal = hub(Role.STUDENT)
    body = {"hand": False, "presence": True, "view": True, "pause": True, "whisper": True,
            "reactions": True, "level": True, "schedule": False}  # fmt: skip
    pupil.on_control(msg("features", **body))
    assert not pupil.raise_hand()
    assert journal.take() == [("report", "features", body)]


async def test_pupil_refused_outside_hours_rejoins_when_the_class_opens() -> None:
    now = [MONDAY_9]
    pupil, host, journal = hub(Role.STUDENT, clock=lambda: now[0])
    opens = MONDAY_9 + dt.timedelta(hours=1)
    pupil.on_control(msg("next_lesson", at=opens.isoformat()))
    journal.take()
    pupil.on_state(StateChange(CallState.ENDED, EndReason.OUTSIDE_SCHEDULE))
    assert pupil.rejoin_at == opens
    assert journal.take() == [("spawn", "FeatureHub._rejoin_when_open")]
    now[0] = opens  # the laptop wakes after the lessons started
    await host.run_spawned()
    assert journal.take() == [("rejoin",)]
    assert pupil.rejoin_at is None


def test_pupil_rejoin_waits_at_least_rejoin_after() -> None:
    pupil, host, _journal = hub(Role.STUDENT, clock=lambda: MONDAY_9)
    pupil.on_control(msg("next_lesson", at=MONDAY_9.isoformat()))  # "now", by its clock
    pupil.on_state(StateChange(CallState.ENDED, EndReason.OUTSIDE_SCHEDULE))
    assert pupil.rejoin_at == MONDAY_9 + REJOIN_AFTER
    host.spawned.pop().close()


async def test_pupil_refuses_a_next_lesson_that_is_no_instant() -> None:
    pupil, _host, journal = hub(Role.STUDENT)
    pupil.on_control(msg("next_lesson", at="tomorrow-ish"))
    assert journal.take() == []
    assert pupil.refusals.total == 1


async def test_class_pause_substitutes_tells_and_resume_lets_media_out() -> None:
    room, host, journal = hub(Role.CLASSROOM)
    assert room.classroom is not None
    assert room.classroom.pause(minutes=5)
    assert journal.take() == [
        ("spawn", "FeatureHostFake.substitute"),
        ("send", "pause", {"paused": True}),
        ("report", "pause", {"paused": True}),
    ]
    assert room.paused
    await host.run_spawned()
    assert journal.take() == [("substitute",)]
    assert room.classroom.pause(minutes=5)  # already paused: only the end moves
    assert journal.take() == []
    room.classroom.resume()
    assert journal.take() == [
        ("send", "pause", {"paused": False}),
        ("report", "pause", {"paused": False}),
        ("allow_sending",),
    ]


def test_class_resume_waits_for_the_screen_when_it_confirms_sending() -> None:
    room, host, journal = hub(Role.CLASSROOM)
    assert room.classroom is not None
    host.confirm_sending = True
    room.classroom.pause()
    host.spawned.pop().close()
    journal.take()
    room.classroom.resume()
    assert ("allow_sending",) not in journal.take()


def test_class_takes_one_reaction_a_second_to_its_screen() -> None:
    room, _host, journal = hub(Role.CLASSROOM)
    room.on_control(msg("reaction", kind="confused"))
    room.on_control(msg("reaction", kind="repeat"))
    assert journal.take() == [("report", "reaction", {"kind": "confused"})]


def test_class_ignores_what_only_the_class_sends_and_what_is_switched_off() -> None:
    room, _host, journal = hub(Role.CLASSROOM)
    room.on_control(msg("pause", paused=True))  # a pupil cannot pause the class
    room.switches = room.switches.__class__(**{**room.switches.to_body(), "hand": False})
    room.on_control(msg("hand", raised=True))
    assert journal.take() == []
    assert not room.hand_raised


def test_class_hand_and_its_acknowledgement() -> None:
    room, _host, journal = hub(Role.CLASSROOM)
    assert room.classroom is not None
    room.on_control(msg("hand", raised=True))
    room.classroom.acknowledge_hand()
    room.classroom.acknowledge_hand()  # already lowered: nothing more
    assert journal.take() == [
        ("report", "hand", {"raised": True}),
        ("send", "hand_ack", {}),
        ("report", "hand", {"raised": False}),
    ]


def test_class_view_and_presets_move_the_crop() -> None:
    room, _host, journal = hub(Role.CLASSROOM)
    assert room.classroom is not None
    room.on_control(msg("view", x=0.25, y=0.75, zoom=2.0))
    assert room.classroom.save_board_view() == View(0.25, 0.75, 2.0)
    room.on_control(msg("view_preset", name="reset"))
    room.on_control(msg("view_preset", name="board"))
    assert [e[:2] for e in journal.take()] == [
        ("set_view", View(0.25, 0.75, 2.0)),
        ("report", "view"),
        ("set_view", View()),
        ("report", "view_preset"),
        ("set_view", View(0.25, 0.75, 2.0)),
        ("report", "view_preset"),
    ]


def test_class_admits_in_school_hours_only() -> None:
    lessons = (((dt.time(8, 30), dt.time(12, 0)),),) + ((),) * 6  # Mondays
    now = [MONDAY_9]
    room, _host, journal = hub(
        Role.CLASSROOM, schedule=Schedule(week=lessons, timezone="Europe/Amsterdam"),
        clock=lambda: now[0],
    )  # fmt: skip
    assert room.switches.schedule
    assert room.admit() is None
    now[0] = MONDAY_9 + dt.timedelta(hours=4)  # 13:00: closed until next Monday
    assert room.admit() == "2026-12-14T07:30:00+00:00"  # 08:30 in Amsterdam
    assert journal.take() == []


def test_ended_call_lowers_the_hand() -> None:
    room, _host, _journal = hub(Role.CLASSROOM)
    room.on_control(msg("hand", raised=True))
    room.on_state(StateChange(CallState.ENDED, EndReason.HANGUP_REMOTE))
    assert not room.hand_raised
