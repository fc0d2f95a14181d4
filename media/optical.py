"""Optical zoom under the crop: how much of a requested view the camera's lens can do.

Qt exposes a camera's optical zoom as ``QCamera.zoomFactor`` (DESIGN.md, "Facts"):
centred, no pan. A view (media.crop.View: centre and zoom in the camera's full
field) is therefore split in two. The lens zooms as far as keeps the view's crop
window inside the centred, optically zoomed field, so a view panned off-centre
uses less of it; the crop takes the rest, in the zoomed picture's coordinates,
so the pupil sees the same region either way, with more real detail.

The camera side (Qt, app.av.zoom) implements :class:`Optics` and tags each frame
with the zoom factor it was captured at (:func:`tag_zoom`): the crop follows the
factor of the frame, not the one asked for, because the zoomed frames arrive some
frames after the request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # media.crop's ViewTrack uses this module
    from media.crop import View

# Optical changes are rounded down to these steps: a pan then moves the lens only
# now and then (each change may cost a frame or two of mismatch), and rounding
# down keeps the crop window inside the zoomed field.
OPTICAL_STEP = 0.25
_EPSILON = 1e-9


class Optics(Protocol):
    """A camera's optical zoom, as the engine uses it (any thread may call it)."""

    @property
    def maximum(self) -> float:
        """The largest zoom factor the camera offers (1: no optical zoom)."""
        ...

    def request(self, factor: float) -> None:
        """Ask for ``factor``; the camera applies it on its own thread, later."""
        ...


@dataclass(frozen=True, slots=True)
class Zoomed:
    """The tag a camera frame carries (``av.VideoFrame.opaque``): its optical zoom."""

    factor: float


def optical_factor(view: View, maximum: float, step: float = OPTICAL_STEP) -> float:
    """The optical zoom for ``view``: as much as keeps its crop window in the zoomed field.

    The field at factor ``f`` is the centred window of half-size ``0.5 / f``; the
    view's window (half-size ``0.5 / zoom`` around its centre) fits while
    ``f <= 0.5 / (offset + 0.5 / zoom)``, ``offset`` being the centre's larger
    distance from the middle. Never more than ``maximum``, never less than 1.
    """
    if maximum <= 1.0:
        return 1.0
    v = view.clamped()
    offset = max(abs(v.x - 0.5), abs(v.y - 0.5))
    fits = 0.5 / (offset + 0.5 / v.zoom)
    if fits >= maximum:
        return maximum
    if step > 0:
        fits = math.floor(fits / step + _EPSILON) * step
    return max(1.0, fits)


def in_zoomed(view: View, factor: float) -> View:
    """``view`` (in the camera's full field) as a view of the picture zoomed by ``factor``.

    Clamped: while the lens is still further in than the view allows (a zoom-out
    under way), the nearest region the zoomed picture holds is shown.
    """
    v = view.clamped()
    if factor <= 1.0:
        return v
    x, y = (v.x - 0.5) * factor + 0.5, (v.y - 0.5) * factor + 0.5
    return replace(v, x=x, y=y, zoom=v.zoom / factor).clamped()


def plan(view: View, maximum: float, step: float = OPTICAL_STEP) -> tuple[float, View]:
    """The optical factor for ``view`` and the crop that completes it."""
    factor = optical_factor(view, maximum, step)
    return factor, in_zoomed(view, factor)


def tag_zoom(frame: Any, factor: float) -> None:
    """Mark a camera frame as captured at optical ``factor`` (1: leave it unmarked)."""
    if factor > 1.0:
        frame.opaque = Zoomed(factor)


def zoom_of(frame: Any) -> float:
    """The optical factor a frame was captured at (1 when it carries no tag)."""
    tag = getattr(frame, "opaque", None)
    return tag.factor if isinstance(tag, Zoomed) else 1.0
