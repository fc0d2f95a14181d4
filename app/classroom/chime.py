"""A soft two-note chime for a raised hand, played through the class speaker.

The notes are made here (no sound files): two sines, 660 Hz then 880 Hz, at
-20 dBFS with a gentle fade, 0.4 s in all. A reaction plays its own, falling,
chime (880 Hz then 660 Hz), so the class hears which it is without looking. They
go to the speaker the way the technician's test tone does, through the
thread-safe ``SpeakerSink.push``: mixed into the pupil's sound while it flows, else
alone, 20 ms per timer tick.
"""

from __future__ import annotations

import array
import fractions
import functools
import math
import threading
import time

import av
from PySide6.QtCore import QObject, QTimer

from app.av.speaker import SpeakerSink
from app.bridge import EngineBridge
from media.audio.level import sine_peak

RATE = 48000
FRAME_MS = 20
NOTES_HZ = (660, 880)
REACTION_NOTES_HZ = (880, 660)
NOTE_S = 0.2
LEVEL_DBFS = -20.0
FADE_S = 0.03  # no clicks at the start and end of a note
CALL_AUDIO_GAP_S = 0.1  # call audio this recent carries the chime


@functools.lru_cache(maxsize=4)
def chime_samples(notes: tuple[int, ...] = NOTES_HZ) -> bytes:
    """The whole chime as s16 stereo at 48 kHz."""
    peak = sine_peak(LEVEL_DBFS)
    per_note, fade = round(RATE * NOTE_S), round(RATE * FADE_S)
    out = array.array("h")
    for hz in notes:
        for n in range(per_note):
            envelope = min(1.0, n / fade, (per_note - n) / fade)
            value = round(peak * envelope * math.sin(2 * math.pi * hz * n / RATE))
            out.extend((value, value))
    return out.tobytes()


class ChimePlayer(QObject):
    """Plays the chime on a speaker (or nowhere); ``played`` counts the chimes started.

    While the pupil's sound flows, :meth:`sink` (the bridge's audio sink while a
    chime plays, engine thread) mixes the chime into it: pushed beside it, the
    two would take turns in the speaker's buffer. Without call audio a timer
    pushes the chime alone.
    """

    def __init__(self, speaker: SpeakerSink | None, bridge: EngineBridge,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._speaker, self._bridge = speaker, bridge
        self._lock = threading.Lock()
        self._left = b""  # chime samples not played yet (s16 stereo 48 kHz)
        self._remote_at = -1.0  # when call audio last arrived (monotonic)
        self.played = 0
        self.last_notes: tuple[int, ...] = ()
        self.mixed = 0  # frames of call audio the chime was mixed into
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)

    def play(self, notes: tuple[int, ...] = NOTES_HZ) -> None:
        self.played += 1
        self.last_notes = notes
        if self._speaker is None:
            return
        with self._lock:
            self._left = chime_samples(notes)
            self._remote_at = time.monotonic()  # wait a moment for call audio to carry it
        self._bridge.audio_sink = self.sink  # one store: the engine reads it per frame
        self._timer.start()

    def sink(self, frame: av.AudioFrame) -> None:
        """Engine thread: call audio on its way to the speaker, with the chime mixed in."""
        speaker = self._speaker
        if speaker is None:
            return
        mixable = frame.format.name == "s16" and frame.layout.name == "stereo"
        with self._lock:
            self._remote_at = time.monotonic()
            chunk = b""
            if mixable and frame.sample_rate == RATE and self._left:
                size = frame.samples * 4
                chunk, self._left = self._left[:size], self._left[size:]
        if chunk:
            frame = mixed(frame, chunk)
            self.mixed += 1
        speaker.push(frame)

    def _tick(self) -> None:
        with self._lock:
            done = not self._left
        if done or self._speaker is None:
            self._timer.stop()
            if self._speaker is not None:
                self._bridge.audio_sink = self._speaker.push  # the call's sound alone again
            return
        with self._lock:
            if time.monotonic() - self._remote_at < CALL_AUDIO_GAP_S:
                return  # the call's audio carries it (see sink)
            size = RATE * FRAME_MS // 1000 * 4
            chunk, self._left = self._left[:size], self._left[size:]
        self._speaker.push(_frame(chunk))


def mixed(frame: av.AudioFrame, chunk: bytes) -> av.AudioFrame:
    """``frame`` (s16 stereo) plus ``chunk`` of the chime, clipped to s16."""
    size = frame.samples * 4
    ours = array.array("h", bytes(frame.planes[0])[:size])
    theirs = array.array("h", chunk.ljust(size, b"\x00"))
    total = array.array(
        "h", (max(-32768, min(32767, a + b)) for a, b in zip(ours, theirs, strict=True))
    )
    out = _frame(total.tobytes(), samples=frame.samples)
    out.pts, out.sample_rate = frame.pts, frame.sample_rate
    if frame.time_base is not None:
        out.time_base = frame.time_base
    return out


def _frame(data: bytes, samples: int = RATE * FRAME_MS // 1000) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout="stereo", samples=samples)
    frame.planes[0].update(data.ljust(samples * 4, b"\x00"))
    frame.sample_rate = RATE
    frame.time_base = fractions.Fraction(1, RATE)
    return frame
