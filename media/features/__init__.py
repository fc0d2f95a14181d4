"""Being present in class: the control-channel features of issue 5 (no Qt).

Raise hand, presence level, looking around (media.crop), the teacher's pause,
whisper, reactions, "am I heard?", school hours and the feature switches. The
engine owns one :class:`media.features.hub.FeatureHub`; the wire formats are in
:mod:`media.features.messages`. Nothing any feature sees is stored.

Kept free of imports so that :mod:`media.gate` can use the pause picture without
pulling the engine in.
"""
