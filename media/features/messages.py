"""The control messages of the classroom features, registered with strict schemas.

Every kind names the feature switch (media.features.switches) that governs it: a
message of a switched-off feature is ignored on both sides. Nothing here is stored.

    pupil → class   hand {raised}            presence {level}       view {x, y, zoom}
                    view_preset {name}       whisper {on}           reaction {kind}
    class → pupil   hand_ack {}              pause {paused}         level {dbfs}
                    speaker {volume, whisper, available}            schedule {closes_in_s}
                    next_lesson {at}         features {<switch>: bool}

``speaker`` belongs to "am I heard?" (switch ``level``): the pupil reads how loud
they arrive next to how loud the class speaker plays them.
"""

from __future__ import annotations

from media.control import register
from media.crop import MAX_ZOOM, MIN_ZOOM

PRESENCE_LEVELS = ("listening", "voice", "video")
REACTIONS = ("thumbs_up", "confused", "repeat")
VIEW_PRESETS = ("board", "reset")
SWITCH_NAMES = ("hand", "presence", "view", "pause", "whisper", "reactions", "level", "schedule")
MAX_NOTICE_S = 24 * 3600

# kind → the feature switch that governs it
FEATURE_OF = {
    "hand": "hand",
    "hand_ack": "hand",
    "presence": "presence",
    "view": "view",
    "view_preset": "view",
    "pause": "pause",
    "whisper": "whisper",
    "reaction": "reactions",
    "level": "level",
    "speaker": "level",
    "schedule": "schedule",
    "next_lesson": "schedule",
}

register("hand", {"raised": bool})
register("hand_ack", {})
register("presence", {"level": PRESENCE_LEVELS})
_UNIT = (float, 0.0, 1.0)
register("view", {"x": _UNIT, "y": _UNIT, "zoom": (float, MIN_ZOOM, MAX_ZOOM)})
register("view_preset", {"name": VIEW_PRESETS})
register("pause", {"paused": bool})
register("whisper", {"on": bool})
register("reaction", {"kind": REACTIONS})
register("level", {"dbfs": (float, -120.0, 0.0)})
register("speaker", {"volume": _UNIT, "whisper": bool, "available": bool})
register("schedule", {"closes_in_s": (int, 0, MAX_NOTICE_S)})
# ``at``: ISO 8601 with offset, or "" when no lesson is planned (checked by the receiver).
register("next_lesson", {"at": str})
register("features", dict.fromkeys(SWITCH_NAMES, bool))
