"""Looking around at the source: crop the full frame, then scale (no network)."""

from __future__ import annotations

import av
import pytest

from media.crop import View, apply_view, crop_box
from media.features.grating import (
    BLURRED,
    GRATING_CENTRE,
    RESOLVED,
    Box,
    GratingVideoTrack,
    column_contrast,
    grating_box,
)
from media.features.pause import is_pause_picture, pause_like, pause_picture
from media.synthetic_video import SyntheticVideoTrack, read_marker

SENT = (1280, 720)


@pytest.fixture(scope="module")
def uhd_frame() -> av.VideoFrame:
    return GratingVideoTrack(3840, 2160, line=2).make_frame(42, 1_700_000_000_000)


def test_the_source_grating_is_sharp(uhd_frame: av.VideoFrame) -> None:
    assert (
        column_contrast(uhd_frame, grating_box(3840, 2160, 0.8)) > 100
    )  # 2-px lines: a full step every other column


def test_at_4x_the_grating_is_resolved_in_the_sent_frame(uhd_frame: av.VideoFrame) -> None:
    sent = apply_view(uhd_frame, View(*GRATING_CENTRE, 4.0), SENT)
    assert (sent.width, sent.height) == SENT
    assert column_contrast(sent, Box(640 - 150, 360 - 80, 300, 160)) > RESOLVED


def test_at_1x_the_grating_blurs_to_grey(uhd_frame: av.VideoFrame) -> None:
    sent = apply_view(uhd_frame, View(), SENT)
    assert (sent.width, sent.height) == SENT
    assert column_contrast(sent, grating_box(*SENT, 0.6)) < BLURRED
    assert read_marker(sent) is not None  # the rest of the picture is intact


def test_crop_box_stays_inside_and_even() -> None:
    assert crop_box(View(), 3840, 2160) == (0, 0, 3840, 2160)
    assert crop_box(View(0.5, 0.5, 4.0), 3840, 2160) == (1440, 810, 960, 540)
    x0, y0, w, h = crop_box(View(0.0, 1.0, 2.0), 3840, 2160)  # a corner: clamped inside
    assert (x0, y0 + h, w, h) == (0, 2160, 1920, 1080)
    assert View(0.9, 0.1, 9.0).clamped() == View(0.875, 0.125, 4.0)
    assert all(v % 2 == 0 for v in crop_box(View(0.333, 0.777, 3.3), 3840, 2160))


def test_a_frame_of_the_sent_size_passes_untouched() -> None:
    frame = SyntheticVideoTrack(*SENT).make_frame(1, 0)
    assert apply_view(frame, View(), SENT) is frame


def test_pause_picture_is_recognisable_and_carries_no_marker() -> None:
    paused = pause_picture(*SENT)
    assert is_pause_picture(paused) and read_marker(paused) is None
    assert is_pause_picture(paused.reformat(width=640, height=360))
    class_frame = SyntheticVideoTrack(*SENT).make_frame(7, 0, pts=3000)
    assert not is_pause_picture(class_frame)
    like = pause_like(class_frame)
    assert (like.width, like.height, like.pts) == (1280, 720, 3000)


def test_the_grating_ring_reuses_frames_the_crop_stage_has_copied() -> None:
    """Reuse is safe only because every 4K frame leaves the crop stage as a new frame."""
    track = GratingVideoTrack(3840, 2160, line=2)
    first = track.make_frame(1, 1_000)
    sent = [apply_view(first, View(*GRATING_CENTRE, z), SENT) for z in (1.0, 4.0)]
    assert all(frame is not first for frame in sent)
    later = [track.make_frame(seq, 1_000 + seq) for seq in range(2, 2 + GratingVideoTrack.RING)]
    assert later[-1] is first  # the ring came round
    markers = [read_marker(frame) for frame in later]
    assert [m.seq if m else None for m in markers] == list(range(2, 2 + GratingVideoTrack.RING))
    assert column_contrast(first, grating_box(3840, 2160, 0.8)) > 100  # the picture is intact


def test_zoom_and_pan_stay_inside_the_frame() -> None:
    """The pupil's look-around (app.student.lookaround) moves this same View."""
    view = View().zoomed(2.0)
    assert view == View(0.5, 0.5, 2.0)
    assert view.zoomed(10) == View(0.5, 0.5, 4.0)  # at most 4×
    assert view.zoomed(0.1) == View(0.5, 0.5, 1.0)  # never less than the whole frame
    assert view.panned(0.1, 0.0) == View(0.55, 0.5, 2.0)  # a tenth of what is seen
    assert view.panned(5.0, -5.0) == View(0.75, 0.25, 2.0)  # the crop stays inside
