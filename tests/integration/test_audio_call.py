"""Audio processing in real calls: two engines, real aiortc, each in a simulated room.

Each device's microphone hears its own speaker (what it receives) through a
room; the echo canceller gets that speaker signal through Engine.play_reference,
as app.av.speaker hands it over in the app.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from media.audio.meter import EchoMeter
from media.audio.processor import ProcessingState
from media.audio.room import CLASSROOM, HOME, SimulatedRoom
from media.audio.settings import OFF
from media.engine import Engine
from media.peer import LocalMedia
from media.state import CallState
from privacy.export import open_for_reading, read_rows
from privacy.store import ConnectionLog
from tests.support.calls import Recorder, make_engine, running, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

pytestmark = pytest.mark.asyncio


@dataclass
class RoomRecorder(Recorder):
    room: SimulatedRoom | None = None

    def on_audio_frame(self, frame: Any) -> None:
        super().on_audio_frame(frame)
        if self.room is not None:
            self.room.play(frame)  # the device's speaker


def _in_room(engine: Engine, room: SimulatedRoom) -> EchoMeter:
    assert engine.processing is not None
    room.reference_sink = engine.play_reference
    meter = EchoMeter(room)
    engine.processing.tap = meter
    return meter


async def test_echo_is_cancelled_in_a_call_and_the_technician_can_switch_it_off(
    fleet: TestFleet,
) -> None:
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    rooms = {"classroom": SimulatedRoom(CLASSROOM), "student": SimulatedRoom(HOME)}
    es, _ = make_engine(student, relay.port, media=LocalMedia(audio=rooms["student"]),
                        recorder=RoomRecorder(room=rooms["student"]))  # fmt: skip
    ec, rc = make_engine(classroom, relay.port, media=LocalMedia(audio=rooms["classroom"]),
                         recorder=RoomRecorder(room=rooms["classroom"]))  # fmt: skip
    meter = _in_room(ec, rooms["classroom"])
    _in_room(es, rooms["student"])
    async with running(ec, es):
        await wait_until(lambda: rc.state is CallState.LIVE, 10, "live")
        await wait_until(lambda: len(meter._rows) >= 900, 30, "9 s of class audio")
        on = meter.report()
        ec.set_audio_processing(OFF)  # applied during the call, from the next 10 ms
        off_meter = _in_room(ec, rooms["classroom"])
        await wait_until(lambda: len(off_meter._rows) >= 500, 20, "5 s unprocessed")
        off = off_meter.report()
    assert ec.processor.state is ProcessingState.OFF
    assert on.echo_return_loss_enhancement_db is not None
    # A loaded 2-core machine makes the live figure vary; the demo reports it.
    assert on.echo_return_loss_enhancement_db >= 12.0
    assert off.echo_return_loss_enhancement_db is not None
    assert off.echo_return_loss_enhancement_db < 2.0


async def test_without_the_module_the_call_runs_and_the_log_says_so(
    fleet: TestFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "livekit.rtc", None)  # as if livekit were not installed
    student, classroom = fleet.pair()
    relay = MemoryRelay()
    log = ConnectionLog.open(tmp_path / "classroom")
    room = SimulatedRoom(CLASSROOM)
    es, rs = make_engine(student, relay.port)
    ec, _ = make_engine(classroom, relay.port, media=LocalMedia(audio=room), connection_log=log)
    assert ec.processor.state is ProcessingState.UNAVAILABLE
    async with running(ec, es):
        await wait_until(lambda: rs.audio_frames > 100, 15, "class audio at the pupil")
    conn = open_for_reading(tmp_path / "classroom")
    assert conn is not None
    kinds = [e["kind"] for e in read_rows(conn, "events")]
    conn.close()
    assert kinds.count("audio_processing_unavailable") == 1
