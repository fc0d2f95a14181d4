"""The connection badge (issue 15, item 15): rated on loss, round trip and frames that
arrive, never on bitrate; calm in a call's first seconds and during the teacher's pause."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from app.widgets.quality import LinkQualityWidget, Quality, QualityRater, Thresholds, classify
from media.stats import CallStats

# The teacher's pause: the pause picture at full frame rate needs only ~40 kbit/s.
STILL = CallStats(bitrate_in_kbps=40, packet_loss_pct=0.1, rtt_ms=40, fps_in=30)
GOOD = CallStats(bitrate_in_kbps=1200, packet_loss_pct=0.1, rtt_ms=40, fps_in=30)


def test_a_still_picture_on_a_sound_link_is_good() -> None:
    assert classify(STILL) is Quality.GOOD
    rater = QualityRater()
    assert [rater.update(STILL) for _ in range(10)] == [Quality.GOOD] * 10


def test_loss_and_round_trip_still_rate_the_link() -> None:
    assert classify(GOOD) is Quality.GOOD
    assert classify(CallStats(packet_loss_pct=4, rtt_ms=40)) is Quality.FAIR
    assert classify(CallStats(packet_loss_pct=9, rtt_ms=40)) is Quality.POOR
    assert classify(CallStats(rtt_ms=300)) is Quality.FAIR
    assert classify(CallStats(rtt_ms=900)) is Quality.POOR


def test_frames_that_do_not_arrive_rate_the_link() -> None:
    """A freeze (the sender sends, nothing arrives for half a second) counts; two are poor."""
    rater = QualityRater(climb=3, limits=Thresholds(warmup=0))
    assert rater.update(GOOD) is Quality.GOOD
    frozen_once = CallStats(packet_loss_pct=0.1, rtt_ms=40, freezes=1, fps_in=30)
    assert rater.update(frozen_once) is Quality.FAIR
    assert rater.update(CallStats(packet_loss_pct=0.1, rtt_ms=40, freezes=3, fps_in=30)) is (
        Quality.POOR
    )
    # Freezes add up over the call; only recent ones weigh, then it climbs back calmly.
    calm = CallStats(packet_loss_pct=0.1, rtt_ms=40, freezes=3, fps_in=30)
    ratings = [rater.update(calm) for _ in range(9)]
    assert ratings[0] is Quality.POOR and ratings[-1] is Quality.GOOD
    assert Quality.GOOD not in ratings[:4]


def test_a_picture_that_stops_and_stays_away_counts_each_second() -> None:
    """No freeze is counted until the next frame comes: a stall must weigh before that."""
    rater = QualityRater(climb=3, limits=Thresholds(warmup=0))
    assert rater.update(GOOD) is Quality.GOOD
    stopped = CallStats(packet_loss_pct=0.1, rtt_ms=40, fps_in=0.0)
    assert rater.update(stopped) is Quality.FAIR
    assert rater.update(stopped) is Quality.POOR
    # Before the first frame of a link nothing has stopped.
    fresh = QualityRater(limits=Thresholds(warmup=0))
    assert [fresh.update(stopped) for _ in range(3)] == [Quality.GOOD] * 3


def test_no_red_in_the_first_seconds_of_a_call() -> None:
    """The encoder ramps up and the first packets weigh heavily: never "weak" at once."""
    rater = QualityRater()
    early = CallStats(bitrate_in_kbps=60, packet_loss_pct=12.0, rtt_ms=None, fps_in=5)
    assert [rater.update(early) for _ in range(3)] == [Quality.UNKNOWN] * 3
    assert rater.update(early) is Quality.POOR  # a link that stays bad is said to be bad
    rater.reset()  # a new link starts calm again
    assert rater.update(early) is Quality.UNKNOWN


def test_drops_at_once_and_recovers_calmly() -> None:
    rater = QualityRater(climb=3, limits=Thresholds(warmup=0))
    assert rater.update(GOOD) is Quality.GOOD
    assert rater.update(CallStats(packet_loss_pct=12, fps_in=30)) is Quality.POOR
    assert [rater.update(GOOD) for _ in range(3)] == [Quality.POOR, Quality.POOR, Quality.GOOD]


def test_the_quality_indicator_says_it_in_words(qtbot: QtBot) -> None:
    widget = LinkQualityWidget()
    qtbot.addWidget(widget)
    for _ in range(4):
        widget.update_stats(CallStats(bitrate_in_kbps=50, packet_loss_pct=12, rtt_ms=300))
    assert widget.text() == "Weak connection" and widget.accessibleDescription() == widget.text()
    assert "12.0 % lost" in widget.toolTip()
    widget.reset()
    for _ in range(4):
        widget.update_stats(STILL)
    assert widget.text() == "Good connection"
