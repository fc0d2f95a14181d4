"""Remote audio out through ``QAudioSink``, fed from the engine thread.

The engine calls :meth:`SpeakerSink.push` on its own thread with each decoded
``av.AudioFrame``; it is resampled to the device's format and written into a
bounded, thread-safe ring. ``QAudioSink`` pulls from that ring on the GUI
thread. The ring holds back ~80 ms before playing (network jitter) and never
more than ~300 ms: beyond that the oldest audio goes, back down to the target, so
latency cannot creep up. When it runs dry it plays silence and fills up again.

No speaker is not an error: :attr:`SpeakerSink.available` is False, frames are
dropped, :attr:`status` says so plainly, and the rest of the call carries on.

What the device takes from the ring is, ducked while the room talks over it
(:attr:`SpeakerSink.ducker`, media.audio.ducking) and scaled by the volume
(whisper included), exactly what the speaker plays: :attr:`SpeakerSink.reference`
gets it, the echo canceller's far end (media.audio), on the GUI thread.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import av
import numpy as np
from PySide6.QtCore import QIODevice, QObject, QTimer
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSink, QtAudio

from app.av.catalog import DeviceCatalog, DeviceEntry, DeviceFollower, DeviceKind, DeviceState
from app.av.convert import av_audio_format, pcm_format
from media.audio.ducking import Ducker
from media.audio.level import Energy, energy, window_dbfs
from media.synthetic_audio import SyntheticAudioTrack

logger = logging.getLogger(__name__)

TARGET_MS = 80
MAX_MS = 300
DEVICE_BUFFER_MS = 80  # QAudioSink's own buffer; the GUI thread may stall this long
# Called with what the speaker plays (int16 mono, 48 kHz) and the volume it plays at.
Reference = Callable[[np.ndarray, float], None]
NULL_TICK_MS = 20  # a fake catalog's speaker consumes audio at this pace
LEVEL_WINDOW = 15  # frames (20 ms each) averaged into level_dbfs
TONE_FRAME_MS = 20
TONE_DBFS = -20.0


@dataclass(frozen=True, slots=True)
class OutputFormat:
    sample_format: str  # PyAV name, interleaved
    layout: str
    rate: int
    width: int  # bytes per sample frame

    def bytes_for(self, ms: int) -> int:
        return self.rate * ms // 1000 * self.width


class Ring:
    """Bytes between two threads: bounded, oldest dropped, silence while filling up."""

    def __init__(self, fmt: OutputFormat, target_ms: int = TARGET_MS, max_ms: int = MAX_MS) -> None:
        self.fmt = fmt
        self._target = fmt.bytes_for(target_ms)
        self._max = max(self._target, fmt.bytes_for(max_ms))
        self._data = bytearray()
        self._lock = threading.Lock()
        self._playing = False  # False: filling up to the target before playing
        self.dropped = 0  # bytes dropped because the ring was full
        self.played = 0  # bytes of real audio handed out
        self.underruns = 0

    def write(self, data: bytes) -> None:
        with self._lock:
            self._data += data
            if len(self._data) > self._max:
                excess = len(self._data) - self._target
                excess -= excess % self.fmt.width
                del self._data[:excess]
                self.dropped += excess

    def read(self, size: int) -> bytes:
        """Exactly ``size`` bytes (whole sample frames): audio, or silence where there is none."""
        size -= size % self.fmt.width
        with self._lock:
            if not self._playing:
                if len(self._data) < self._target:
                    return bytes(size)
                self._playing = True
            taken = min(size, len(self._data))
            taken -= taken % self.fmt.width
            out = bytes(self._data[:taken])
            del self._data[:taken]
            self.played += taken
            if taken < size:
                self._playing = False
                self.underruns += 1
        return out + bytes(size - taken)

    def buffered_ms(self) -> float:
        with self._lock:
            return len(self._data) / self.fmt.width / self.fmt.rate * 1000

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._playing = False


class _RingDevice(QIODevice):
    """Pull-mode source for QAudioSink: an endless stream read from the ring."""

    def __init__(self, ring: Ring, parent: SpeakerSink) -> None:
        super().__init__(parent)
        self._ring, self._speaker = ring, parent

    def readData(self, maxlen: int) -> bytes:
        return self._speaker.played(self._ring.read(maxlen), self._ring.fmt)

    def writeData(self, data: bytes | bytearray | memoryview, size: int, /) -> int:
        return -1

    def bytesAvailable(self) -> int:
        return self._ring.fmt.bytes_for(MAX_MS) + super().bytesAvailable()

    def isSequential(self) -> bool:
        return True


def output_format(device: QAudioDevice) -> tuple[QAudioFormat, OutputFormat] | None:
    """48 kHz s16 stereo when the device takes it, else its preferred format."""
    for fmt in (pcm_format(48000, 2), device.preferredFormat()):
        described = av_audio_format(fmt) if device.isFormatSupported(fmt) else None
        if described is not None:
            return fmt, OutputFormat(*described, fmt.sampleRate(), fmt.bytesPerFrame())
    return None


NULL_FORMAT = OutputFormat("s16", "stereo", 48000, 4)


class SpeakerSink(DeviceFollower):
    """Plays remote audio; :meth:`push` from any thread. See :class:`DeviceFollower`."""

    def __init__(self, catalog: DeviceCatalog, *, device_id: bytes | None = None,
                 target_ms: int = TARGET_MS, max_ms: int = MAX_MS,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(catalog, DeviceKind.SPEAKER, device_id=device_id,
                         synthetic_when_missing=False, parent=parent)  # fmt: skip
        self._target_ms, self._max_ms = target_ms, max_ms
        self._ring: Ring | None = None  # swapped on the GUI thread, read by push()
        self._resampler: tuple[OutputFormat, av.AudioResampler] | None = None
        self._push_lock = threading.Lock()
        self._sink: QAudioSink | None = None
        self._device: _RingDevice | None = None
        self._null = QTimer(self)
        self._null.setInterval(NULL_TICK_MS)
        self._null.timeout.connect(self._null_tick)
        self._volume = 1.0
        self.reference: Reference | None = None  # the echo canceller's far end
        # media.audio.ducking: quieter while the room talks over it (the engine's, when
        # one runs: asked for each time, as the engine starts after the speaker).
        self.ducker: Callable[[], Ducker | None] | None = None
        self._levels: collections.deque[Energy] = collections.deque(maxlen=LEVEL_WINDOW)
        self.frames_received = 0
        self._tone: SyntheticAudioTrack | None = None
        self._tone_left = 0
        self._tone_timer = QTimer(self)
        self._tone_timer.setInterval(TONE_FRAME_MS)
        self._tone_timer.timeout.connect(self._tone_tick)

    # -- what the UI reads -----------------------------------------------------------

    @property
    def available(self) -> bool:
        return self.state is DeviceState.ACTIVE

    @property
    def status(self) -> str:
        """One plain sentence about the sound, in the UI language."""
        if self.state is DeviceState.ACTIVE and self.entry is not None:
            return self.tr("Sound plays through {name}.").format(name=self.entry.description)
        if self.state is DeviceState.OFF:
            return self.tr("Sound is off.")
        return self.tr("No speaker found. The picture keeps working; connect a speaker.")

    @property
    def volume(self) -> float:
        return self._volume

    def set_volume(self, volume: float) -> None:
        """0 (silent) … 1 (full)."""
        self._volume = min(1.0, max(0.0, volume))
        if self._sink is not None:
            self._sink.setVolume(self._volume)

    def play_test_tone(self, seconds: float = 1.0) -> None:
        """For the technician's speaker test: a 440 Hz tone at -20 dBFS (GUI thread)."""
        self._tone = SyntheticAudioTrack(level_dbfs=TONE_DBFS)
        self._tone_left = round(seconds * 1000 / TONE_FRAME_MS)
        self._tone_timer.start()

    def _tone_tick(self) -> None:
        if self._tone is None or self._tone_left <= 0:
            self._tone_timer.stop()
            return
        self._tone_left -= 1
        self.push(self._tone.make_frame(self._tone.sent))
        self._tone.sent += 1

    @property
    def level_dbfs(self) -> float | None:
        """RMS of the audio handed to the speaker lately (before volume); None before any."""
        with self._push_lock:
            levels = list(self._levels)
        if not levels:
            return None
        return window_dbfs(levels)

    @property
    def ring(self) -> Ring | None:
        return self._ring

    def processed_usecs(self) -> int:
        """Microseconds of audio the device has consumed since it was opened."""
        return self._sink.processedUSecs() if self._sink is not None else 0

    def device_state(self) -> QtAudio.State | None:
        return self._sink.state() if self._sink is not None else None

    # -- engine thread ----------------------------------------------------------------

    def push(self, frame: av.AudioFrame) -> None:
        """Thread-safe: queue one decoded frame (dropped while no speaker is open)."""
        with self._push_lock:
            self.frames_received += 1
            if frame.format.name == "s16":
                channels = len(frame.layout.channels)
                size = frame.samples * 2 * channels
                self._levels.append(energy(memoryview(frame.planes[0])[:size]))
            ring = self._ring
            if ring is None:
                return
            if self._resampler is None or self._resampler[0] != ring.fmt:
                fmt = ring.fmt
                resampler = av.AudioResampler(format=fmt.sample_format, layout=fmt.layout,
                                              rate=fmt.rate)  # fmt: skip
                self._resampler = (fmt, resampler)
            frame.pts = None  # the resampler needs no timeline: frames arrive in order
            out = self._resampler[1].resample(frame)
        ring.write(b"".join(bytes(f.planes[0])[: f.samples * ring.fmt.width] for f in out))

    # -- DeviceFollower ----------------------------------------------------------------

    def _open(self, entry: DeviceEntry) -> bool:
        device = self.catalog.audio_device(DeviceKind.SPEAKER, entry)
        if device is None:  # a fake catalog's speaker: consume in real time, play nothing
            self._ring = Ring(NULL_FORMAT, self._target_ms, self._max_ms)
            self._null.start()
            return True
        chosen = output_format(device)
        if chosen is None:
            logger.warning("speaker offers no usable format")
            return False
        qt_format, fmt = chosen
        ring = Ring(fmt, self._target_ms, self._max_ms)
        sink = QAudioSink(device, qt_format, self)
        sink.setBufferSize(qt_format.bytesForDuration(DEVICE_BUFFER_MS * 1000))
        sink.setVolume(self._volume)
        source = _RingDevice(ring, self)
        source.open(QIODevice.OpenModeFlag.ReadOnly)
        sink.start(source)
        if sink.error() != QtAudio.Error.NoError:
            logger.warning("speaker did not start: %s", sink.error().name)
            sink.deleteLater()
            source.deleteLater()
            return False
        self._sink, self._device, self._ring = sink, source, ring
        logger.info("speaker %d Hz, %s, %s", fmt.rate, fmt.sample_format, fmt.layout)
        return True

    def _close(self) -> None:
        self._null.stop()
        self._ring = None
        sink, source = self._sink, self._device
        self._sink = self._device = None
        if sink is not None:
            sink.stop()
            sink.deleteLater()
        if source is not None:
            source.close()
            source.deleteLater()

    def _null_tick(self) -> None:
        ring = self._ring
        if ring is not None:
            self.played(ring.read(ring.fmt.bytes_for(NULL_TICK_MS)), ring.fmt)

    def played(self, data: bytes, fmt: OutputFormat) -> bytes:
        """The device takes ``data`` (GUI thread): ducked, and handed on as the echo
        reference; returns what the device plays.

        Only 48 kHz s16 (what output_format asks for first); another device format
        leaves the echo canceller without a reference, and so without effect, and
        is not ducked.
        """
        reference, ducker = self.reference, self.ducker() if self.ducker is not None else None
        if fmt.sample_format != "s16" or fmt.rate != 48000 or not data:
            return data
        if reference is None and ducker is None:
            return data
        channels = fmt.width // 2
        samples = np.frombuffer(data, np.int16)[: len(data) // fmt.width * channels]
        samples = samples.reshape(-1, channels)
        if ducker is not None and (ducker.ducking or ducker.gain_db < 0.0):
            gain = ducker.apply(np.ones(len(samples)))  # one gain per sample frame
            samples = np.clip(np.rint(samples * gain[:, None]), -32768, 32767).astype(np.int16)
            data = samples.tobytes()
        if reference is not None:
            reference(samples.mean(axis=1).astype(np.int16), self._volume)
        return data
