"""Optical zoom under the crop (media.optical): the lens does what it can, the crop the
rest, and the pupil sees the same region either way."""

from __future__ import annotations

import asyncio
import fractions
from dataclasses import dataclass, field
from typing import Any

import av
import pytest

from media.crop import View, ViewTrack, apply_view, crop, crop_box
from media.optical import (
    OPTICAL_STEP,
    in_zoomed,
    optical_factor,
    plan,
    tag_zoom,
    zoom_of,
)

FULL = (768, 432)  # a small "camera" keeps the pixel test fast
SENT = (320, 180)


def _region(view: View) -> tuple[float, float, float]:
    """The view's window in the full field: centre x, centre y, half-size (fractions)."""
    v = view.clamped()
    return v.x, v.y, 0.5 / v.zoom


def _back(view: View, factor: float) -> tuple[float, float, float]:
    """A view of the picture zoomed by ``factor``, mapped back to the full field."""
    x, y, half = _region(view)
    return (x - 0.5) / factor + 0.5, (y - 0.5) / factor + 0.5, half / factor


def _same_region(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(p - q) < 1e-9 for p, q in zip(a, b, strict=True))


# -- the maths ---------------------------------------------------------------------------


def test_a_centred_view_is_all_optical() -> None:
    factor, crop = plan(View(0.5, 0.5, 2.0), maximum=4.0)
    assert factor == 2.0
    assert crop == View(0.5, 0.5, 1.0) and crop.is_whole  # nothing left to crop
    assert _same_region(_back(crop, factor), _region(View(0.5, 0.5, 2.0)))


def test_a_view_panned_to_the_edge_uses_no_optical_zoom() -> None:
    edge = View(0.75, 0.5, 2.0)  # the window touches the right edge of the frame
    factor, crop = plan(edge, maximum=4.0)
    assert factor == 1.0 and crop == edge


def test_a_view_panned_part_way_uses_part_of_the_optical_zoom() -> None:
    view = View(0.6, 0.45, 4.0)  # window half-size 0.125, 0.1 off-centre: fits up to 2.22×
    factor, crop = plan(view, maximum=4.0)
    assert factor == 2.0  # rounded down to the step: the window stays inside the field
    assert factor % OPTICAL_STEP == 0
    assert _same_region(_back(crop, factor), _region(view))
    x, y, half = _region(crop)
    assert 0 <= x - half <= x + half <= 1 and 0 <= y - half <= y + half <= 1
    assert optical_factor(view, 4.0, step=0) == pytest.approx(0.5 / 0.225)


def test_zoom_beyond_the_optical_maximum_is_cropped_from_the_zoomed_picture() -> None:
    view = View(0.5, 0.5, 4.0)
    factor, crop = plan(view, maximum=3.0)
    assert factor == 3.0  # the maximum is used even between steps
    assert crop.zoom == pytest.approx(4.0 / 3.0)
    assert _same_region(_back(crop, factor), _region(view))


@pytest.mark.parametrize("maximum", [1.0, 0.0])
def test_a_camera_without_zoom_changes_nothing(maximum: float) -> None:
    view = View(0.3, 0.6, 2.5)
    assert plan(view, maximum) == (1.0, view.clamped())


def test_a_lens_still_zoomed_further_shows_the_nearest_region() -> None:
    # Zooming out: the frame still comes from 4×, the whole view is wanted.
    assert in_zoomed(View(), 4.0) == View()  # the zoomed picture, not a crop of nothing


# -- the same pixels ---------------------------------------------------------------------


def _ramp_frame() -> av.VideoFrame:
    """Smooth in x and y, so the lens's upscaling and our scaling agree closely."""
    width, height = FULL
    frame = av.VideoFrame(width, height, "yuv420p")
    for index, plane in enumerate(frame.planes):
        w, h = (width, height) if index == 0 else (width // 2, height // 2)
        rows = (
            bytes(16 + (x * 120 // w + y * 100 // h if index == 0 else 128) for x in range(w))
            + bytes(plane.line_size - w)
            for y in range(h)
        )
        plane.update(b"".join(rows))
    frame.pts, frame.time_base = 0, fractions.Fraction(1, 90000)
    return frame


def _lens(full: av.VideoFrame, factor: float) -> av.VideoFrame:
    """What a camera with optical zoom ``factor`` delivers (the centre, at full size)."""
    centre = crop(full, crop_box(View(0.5, 0.5, factor), full.width, full.height))
    zoomed = centre.reformat(width=full.width, height=full.height, format="yuv420p")
    zoomed.pts, zoomed.time_base = full.pts, full.time_base
    return zoomed


def _luma(frame: av.VideoFrame) -> bytes:
    plane = frame.planes[0]
    data = bytes(plane)
    return b"".join(
        data[y * plane.line_size : y * plane.line_size + frame.width] for y in range(frame.height)
    )


@pytest.mark.parametrize("view", [View(0.5, 0.5, 3.0), View(0.6, 0.4, 3.5)])
def test_the_pupil_sees_the_same_picture_with_or_without_optical_zoom(view: View) -> None:
    full = _ramp_frame()
    factor, crop_view = plan(view, maximum=4.0)
    assert factor > 1
    digital = _luma(apply_view(full, view, SENT))
    optical = _luma(apply_view(_lens(full, factor), crop_view, SENT))
    wrong = _luma(apply_view(_lens(full, factor), view, SENT))  # the crop not recomputed
    diff = sum(abs(a - b) for a, b in zip(digital, optical, strict=True)) / len(digital)
    missed = sum(abs(a - b) for a, b in zip(digital, wrong, strict=True)) / len(digital)
    assert diff < 1.0  # grey levels, on average
    assert missed > 4.0


# -- the track asks the lens and crops by each frame's tag -------------------------------


@dataclass
class RecordingOptics:
    maximum: float = 4.0
    requests: list[float] = field(default_factory=list)

    def request(self, factor: float) -> None:
        self.requests.append(factor)


class _Frames:
    """A source handing out prepared frames."""

    kind = "video"

    def __init__(self, frames: list[av.VideoFrame]) -> None:
        self.frames = frames

    async def recv(self) -> Any:
        return self.frames.pop(0)


def test_the_track_requests_once_and_crops_each_frame_for_its_own_zoom() -> None:
    optics = RecordingOptics()
    track = ViewTrack(_Frames([]), SENT)  # type: ignore[arg-type]
    track.set_optics(optics)
    track.set_view(View(0.5, 0.5, 2.0))
    before, after = _ramp_frame(), _ramp_frame()
    tag_zoom(after, 2.0)
    assert zoom_of(before) == 1.0 and zoom_of(after) == 2.0
    assert track.crop_view(before) == View(0.5, 0.5, 2.0)  # the lens has not moved yet
    assert track.crop_view(after) == View(0.5, 0.5, 1.0)  # it has: nothing left to crop
    assert optics.requests == [2.0]  # asked once, not per frame
    track.set_view(View(0.75, 0.5, 2.0))
    track.crop_view(after)
    assert optics.requests == [2.0, 1.0]
    optics.maximum = 1.0  # another camera, without zoom
    track.set_view(View(0.5, 0.5, 2.0))
    assert track.crop_view(before) == View(0.5, 0.5, 2.0)
    assert optics.requests == [2.0, 1.0]  # already at 1: nothing to ask


def test_the_track_sends_the_cropped_frame_at_the_sent_size() -> None:
    tagged = _lens(_ramp_frame(), 2.0)
    tag_zoom(tagged, 2.0)
    track = ViewTrack(_Frames([tagged]), SENT)  # type: ignore[arg-type]
    track.set_optics(RecordingOptics())
    track.set_view(View(0.5, 0.5, 2.0))
    sent = asyncio.run(track.recv())
    assert (sent.width, sent.height) == SENT
