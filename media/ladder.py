"""The picture size a VP8 target bitrate can carry, and a cap on each keyframe's size.

A keyframe cannot be made small at a large size: at 1280x720 libvpx's keyframe of
the synthetic picture is 22-27 kB at any target with aiortc's quantiser limit
(qmax 56), and still 15 kB at VP8's own limit (63). A home router's queue (the
lab's `tc tbf`) holds ~100 ms: ~12-15 kB at 1 Mbit/s, ~6-9 kB at 500 kbit/s. So
every cut of the target after a full-rate call fell onto a slower link (aiortc
rebuilds its encoder for each, a new encoder starts with a keyframe) put a
keyframe into a queue that could not hold it: freezes over 1 s, and at 500 kbit/s
a picture that stayed frozen (docs/performance.md, "Link adaptation").

WebRTC's answer, and this module's: a smaller picture at a lower target, and a
keyframe limited to a few frames' worth of the target (libvpx's
``rc_max_intra_bitrate_pct``), which only works when the quantiser may go to 63.
Measured with this module's settings (kf = keyframe, the synthetic picture): 720p
at 500 kbit/s kf 15.4 kB; 960x540 at 700 kbit/s kf 9.4 kB; 640x360 at 500 kbit/s
kf 5.1 kB (19.1 kB without the cap); 480x270 at 300 kbit/s kf 3.4 kB. The receiver
decodes whatever size arrives and the window scales it, so only the sender knows.
"""

from __future__ import annotations

# Bits per second per pixel a size needs: 720p keeps its size from ~0.92 Mbit/s,
# 960x540 from ~520 kbit/s, 640x360 from ~230 kbit/s.
BITS_PER_PIXEL = 1.0
SCALES = (1.0, 0.75, 0.5, 0.375)  # of the camera's size, largest first
MAX_INTRA_PCT = 300  # a keyframe: at most 3 frames' worth of the target, ~100 ms of it
QMAX = 63  # VP8's own limit: the keyframe cap needs room to coarsen (aiortc: 56)


def picture_size(width: int, height: int, bitrate: int) -> tuple[int, int]:
    """The largest of SCALES of ``width`` x ``height`` that ``bitrate`` bit/s carries
    (the smallest when none does); even sides, as yuv420p needs."""
    for scale in SCALES:
        w, h = _even(width * scale), _even(height * scale)
        if bitrate >= BITS_PER_PIXEL * w * h:
            return w, h
    return _even(width * SCALES[-1]), _even(height * SCALES[-1])


def _even(side: float) -> int:
    return max(2, int(side) // 2 * 2)
