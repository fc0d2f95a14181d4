"""WebRTC's audio processing module for one device, and what happens when it is missing.

``livekit`` is imported only here and only when a processor is built: a machine
without it (or whose native library does not load) runs the call unprocessed and
:attr:`Processor.state` says so. All calls come from one thread (the engine
loop): far-end frames reach it through :class:`media.audio.track.ProcessedAudioTrack`'s
queue, never directly from the speaker's thread.

While echo cancellation runs with ducking or the leak guard on, a double-talk
detector (media.audio.doubletalk) watches the reference and the microphone (it
never changes what the APM gets): its verdict sets :attr:`Processor.ducker`,
which the speaker applies to what it plays, and lets the leak guard
(media.audio.leakguard) lower the APM's output while the far end plays.
"""

from __future__ import annotations

import collections
import enum
import importlib
import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from media.audio.doubletalk import DoubleTalkDetector, Talk
from media.audio.ducking import Ducker
from media.audio.expander import Expander
from media.audio.gain import AutomaticGain
from media.audio.leakguard import LeakGuard
from media.audio.level import dbfs
from media.audio.settings import AudioSettings

logger = logging.getLogger(__name__)

SAMPLE_RATE = 48000
CHUNK = SAMPLE_RATE // 100  # 10 ms: the only frame size the APM takes
FAR_ACTIVE_DBFS = -50.0  # the speaker plays: its echo may be in the microphone
FAR_HOLD_CHUNKS = 30  # ...for 300 ms after (the room's tail, the delay estimate's error)
MAX_HINTS = 64


class ProcessingState(enum.StrEnum):
    ACTIVE = "active"  # at least one stage runs
    OFF = "off"  # the technician switched every stage off
    UNAVAILABLE = "unavailable"  # the module did not load or failed: audio goes unprocessed


class Processor:
    """Near-end (microphone) and far-end (speaker) 10 ms mono s16 chunks through the APM.

    ``on_unavailable`` is called once when the module cannot load or fails during
    the call (the engine logs it); processing then stays off for this processor.
    """

    def __init__(
        self,
        settings: AudioSettings | None = None,
        *,
        on_unavailable: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings or AudioSettings()
        self.on_unavailable = on_unavailable
        self._apm: Any = None
        self._frame_type: Any = None
        self._broken = False
        self.delay_ms: int | None = None
        # Each new value handed to the module, in order (the demo's report; bounded).
        self.delay_hints: collections.deque[int] = collections.deque(maxlen=MAX_HINTS)
        self._expander = Expander()
        self._gain = AutomaticGain(self.settings.agc_target_dbfs)
        self._far_hold = 0  # microphone chunks left in which the far end counts as playing
        # Who talks (media.audio.doubletalk), for ducking and the leak guard; it only
        # watches: the APM gets the microphone and the reference unchanged.
        self.detector: DoubleTalkDetector | None = None
        self.ducker = Ducker()  # the speaker applies it (what it plays is the reference)
        self._guard = LeakGuard()
        self.builds = 0  # each new APM adapts afresh (media.audio.echo watches this)
        self._build()
        self._watch()

    @property
    def state(self) -> ProcessingState:
        if self._broken:
            return ProcessingState.UNAVAILABLE
        return ProcessingState.ACTIVE if self._apm is not None else ProcessingState.OFF

    @property
    def guard_cuts(self) -> int:
        """10 ms chunks the leak guard lowered by more than 1 dB (the demo's report)."""
        return self._guard.cut_chunks

    @property
    def cancels_echo(self) -> bool:
        return self._apm is not None and self.settings.echo_cancellation

    def apply(self, settings: AudioSettings) -> None:
        """New stages from the next chunk on (the APM takes its stages when it is made)."""
        if settings == self.settings:
            return
        if settings.noise_suppression != self.settings.noise_suppression:
            self._expander = Expander()  # a stage switched back on starts from no gain
        if settings.auto_gain_control != self.settings.auto_gain_control:
            self._gain = AutomaticGain(settings.agc_target_dbfs)
        if settings.leak_guard != self.settings.leak_guard:
            self._guard = LeakGuard()
        self._gain.target_dbfs = settings.agc_target_dbfs
        module_stages = ("echo_cancellation", "noise_suppression", "high_pass_filter")
        rebuild = any(getattr(settings, n) != getattr(self.settings, n) for n in module_stages)
        was_on, self.settings = self.settings.any_on, settings
        # A new target alone keeps the module (and the echo canceller's convergence).
        if not self._broken and (rebuild or was_on != settings.any_on):
            self._build()
        self._watch()

    def set_delay(self, delay_ms: int) -> None:
        """The estimated delay from the speaker reference to its echo in the microphone."""
        if delay_ms != self.delay_ms:
            self.delay_hints.append(delay_ms)
        self.delay_ms = delay_ms
        if self.detector is not None:
            self.detector.set_delay(delay_ms)
        if self.cancels_echo:
            self._call(self._apm.set_stream_delay_ms, max(0, min(500, delay_ms)))

    def process_far(self, chunk: bytes) -> None:
        """One 10 ms chunk of what the speaker plays (the echo canceller's reference)."""
        if dbfs(chunk) > FAR_ACTIVE_DBFS:
            self._far_hold = FAR_HOLD_CHUNKS
        if self.detector is not None:
            self.detector.far(np.frombuffer(chunk, np.int16))
        if self.cancels_echo:
            self._call(self._apm.process_reverse_stream, self._frame(chunk))

    def process_near(self, chunk: bytes) -> bytes:
        """One 10 ms microphone chunk, processed (unchanged when nothing runs)."""
        if self._apm is None:
            return chunk
        mic = np.frombuffer(chunk, np.int16)
        talk = self._listen(mic)
        frame = self._frame(chunk)
        if not self._call(self._apm.process_stream, frame):
            self.ducker.duck(False)
            return chunk
        out = bytes(frame.data.cast("B"))
        # The guard acts while the far end plays; a teacher heard alone is never touched.
        if self.settings.leak_guard and talk in (Talk.FAR, Talk.BOTH):
            detector = self.detector
            # What is not echo: the detector's estimate, or a sound starting in this
            # chunk (the estimate's 40 ms frame sees it 20-30 ms late: the teacher's
            # first syllable, a marker).
            near = max(detector.near_power, detector.onset_power) if detector else None
            out = self._guard.process(mic, out, near)
        # The module's suppressor keeps speech-like babble; the expander takes the
        # rest of the murmur between words (part of the noise-suppression stage).
        if self.settings.noise_suppression:
            out = self._expander.process(out)
        far_active, self._far_hold = self._far_hold > 0, max(0, self._far_hold - 1)
        if self.settings.auto_gain_control:
            out = self._gain.process(out, far_active=far_active)
        return out

    # -- internals ----------------------------------------------------------------

    def _listen(self, mic: np.ndarray) -> Talk | None:
        """The detector's verdict on this chunk (None: no verdict yet), and the ducking."""
        detector = self.detector
        if detector is None:
            return None
        talk = detector.near(mic)
        if not detector.converged:
            self.ducker.duck(False)
            return None
        self.ducker.duck(self.settings.ducking and talk is Talk.BOTH)
        return talk

    def _watch(self) -> None:
        """A detector while the echo canceller runs with ducking or the guard on."""
        s = self.settings
        wanted = self.cancels_echo and (s.ducking or s.leak_guard)
        if not wanted:
            self.detector = None
            self.ducker.duck(False)
        elif self.detector is None:
            self.detector = DoubleTalkDetector()
            if self.delay_ms is not None:
                self.detector.set_delay(self.delay_ms)

    def _frame(self, chunk: bytes) -> Any:
        return self._frame_type(bytearray(chunk), SAMPLE_RATE, 1, len(chunk) // 2)

    def _build(self) -> None:
        self._apm = None
        self.builds += 1
        if not self.settings.any_on:
            return
        try:
            rtc = importlib.import_module("livekit.rtc")
            s = self.settings
            self._apm = rtc.AudioProcessingModule(
                echo_cancellation=s.echo_cancellation,
                noise_suppression=s.noise_suppression,
                high_pass_filter=s.high_pass_filter,
                # Our own stage instead (media.audio.gain): the module's has no target.
                auto_gain_control=False,
            )
            self._frame_type = rtc.AudioFrame
            if s.echo_cancellation:
                self._apm.set_stream_delay_ms(self.delay_ms or 0)
        except Exception as exc:  # ImportError, or the native library (OSError, ...)
            self._fail("could not load", exc)

    def _call(self, method: Callable[..., Any], argument: Any) -> bool:
        try:
            method(argument)
        except Exception as exc:  # the call must go on, unprocessed
            self._fail("failed", exc)
            return False
        return True

    def _fail(self, what: str, exc: Exception) -> None:
        logger.warning("audio processing %s (%s): sound goes unprocessed", what, type(exc).__name__)
        self._apm, self._broken = None, True
        self.detector = None
        self.ducker.duck(False)
        if self.on_unavailable is not None:
            self.on_unavailable()
