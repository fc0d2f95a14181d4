"""Issue 15, item 17: the technician panel marks facts that are no longer fresh."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from app.technician.status import STALE_S, ConnectionStatusBox
from media.state import CallState, StateChange
from media.stats import CallStats


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_other_device_is_unknown_without_the_server(qtbot: QtBot) -> None:
    box = ConnectionStatusBox()
    qtbot.addWidget(box)
    box.set_signaling(True)
    box.set_peer_online(True)
    assert box.text("peer") == "online"
    box.set_signaling(False)  # the last "online" is a guess now
    assert box.text("peer") == "unknown (no connection with the server)"
    box.set_signaling(True)
    assert box.text("peer") == "online"


def test_an_old_measurement_says_how_old_it_is(qtbot: QtBot) -> None:
    clock = Clock()
    box = ConnectionStatusBox(clock=clock)
    qtbot.addWidget(box)
    box.set_call_state(StateChange(CallState.LIVE))
    box.set_stats(CallStats(bitrate_in_kbps=900.0, rtt_ms=30.0))
    assert "900" in box.text("stats") and "not fresh" not in box.text("stats")
    clock.now += STALE_S + 7
    box.set_signaling(True)  # any change re-renders; a 1 s timer does the same
    assert "(not fresh: 12 s old)" in box.text("stats")
    box.set_stats(CallStats(bitrate_in_kbps=800.0))
    assert "not fresh" not in box.text("stats")


def test_a_measurement_of_an_ended_call_says_so(qtbot: QtBot) -> None:
    box = ConnectionStatusBox()
    qtbot.addWidget(box)
    box.set_call_state(StateChange(CallState.LIVE))
    box.set_stats(CallStats(bitrate_in_kbps=900.0))
    box.set_call_state(StateChange(CallState.ENDED))
    assert "900" in box.text("stats")
    assert box.text("stats").endswith("(from the last call, which has ended)")
