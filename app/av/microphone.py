"""The local microphone as a long-lived aiortc track, following the device as it comes and goes.

``QAudioSource`` in push mode (48 kHz s16, mono or stereo as the device prefers)
delivers bytes on the GUI thread; they go as ``av.AudioFrame`` into
:attr:`MicrophoneSource.track` (a :class:`~media.push.PushAudioTrack`), which
re-chunks them to 20 ms stereo frames for the Opus encoder on the engine thread.
Muting is the engine's job (it sends silence); :meth:`stop` releases the device.
Without a microphone the synthetic fallback sends silence; with ``synthetic=True``
(and for a fake catalog's microphone) it sends a -20 dBFS tone that tests measure.
"""

from __future__ import annotations

import collections
import logging
import threading

import av
from PySide6.QtCore import QIODevice, QObject
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource

from app.av.catalog import DeviceCatalog, DeviceEntry, DeviceFollower, DeviceKind
from app.av.convert import av_audio_format, pcm_format
from media.audio.level import Energy, energy, window_dbfs
from media.push import PushAudioTrack
from media.synthetic_audio import SyntheticAudioTrack

logger = logging.getLogger(__name__)

SAMPLE_RATE = 48000
TONE_DBFS = -20.0
BUFFER_MS = 40  # Qt's capture buffer: small, the track buffers what the engine has not taken
LEVEL_WINDOW = 15  # reads (each ~10-40 ms) averaged into level_dbfs


def capture_format(device: QAudioDevice) -> QAudioFormat:
    """48 kHz s16 in the device's own channel count (1 or 2), else what it prefers."""
    channels = 1 if device.preferredFormat().channelCount() == 1 else 2
    for candidate in (pcm_format(SAMPLE_RATE, channels), pcm_format(SAMPLE_RATE, 3 - channels)):
        if device.isFormatSupported(candidate):
            return candidate
    return device.preferredFormat()


class MicrophoneSource(DeviceFollower):
    """A microphone (or a synthetic stand-in) feeding :attr:`track`; see DeviceFollower."""

    def __init__(self, catalog: DeviceCatalog, *, device_id: bytes | None = None,
                 synthetic: bool = False, parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(catalog, DeviceKind.MICROPHONE, device_id=device_id,
                         synthetic=synthetic, parent=parent)  # fmt: skip
        self._tone = SyntheticAudioTrack(level_dbfs=TONE_DBFS)
        self.track = PushAudioTrack(sample_rate=SAMPLE_RATE, fallback=self._tone)
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._format: tuple[str, str, int, int] | None = None  # av format, layout, rate, width
        self._partial = b""
        self._levels: collections.deque[Energy] = collections.deque(maxlen=LEVEL_WINDOW)
        self._level_lock = threading.Lock()
        self.bytes_captured = 0

    @property
    def level_dbfs(self) -> float | None:
        """RMS of what the microphone picked up recently (s16 devices); None before any."""
        with self._level_lock:
            if not self._levels:
                return None
            return window_dbfs(self._levels)

    @property
    def is_synthetic(self) -> bool:
        return self.track.fallback_active

    # -- DeviceFollower ----------------------------------------------------------------

    def _open(self, entry: DeviceEntry) -> bool:
        device = self.catalog.audio_device(DeviceKind.MICROPHONE, entry)
        if device is None:  # a fake catalog's microphone: the tone stands in for it
            self._tone.set_level(TONE_DBFS)
            self.track.set_fallback_active(True)
            return True
        fmt = capture_format(device)
        described = av_audio_format(fmt)
        if described is None:
            logger.warning("microphone offers no usable format")
            return False
        source = QAudioSource(device, fmt, self)
        source.setBufferSize(fmt.bytesForDuration(BUFFER_MS * 1000))
        io = source.start()
        if io is None:
            source.deleteLater()
            return False
        self._format = (*described, fmt.sampleRate(), fmt.bytesPerFrame())
        self._partial = b""
        io.readyRead.connect(self._read)
        self._source, self._io = source, io
        logger.info("microphone %d Hz, %s, %s", fmt.sampleRate(), *described)
        return True

    def _close(self) -> None:
        self.track.set_fallback_active(False)
        source, self._source, self._io = self._source, None, None
        if source is not None:
            source.stop()  # releases the device
            source.deleteLater()
        with self._level_lock:
            self._levels.clear()

    def _use_synthetic(self, on: bool) -> None:
        # Asked for: the tone. No microphone at all: silence (a tone would annoy a class).
        self._tone.set_level(TONE_DBFS if self._forced_synthetic else None)
        self.track.set_fallback_active(on)

    # -- capture -------------------------------------------------------------------

    def _read(self) -> None:
        io, fmt = self._io, self._format
        if io is None or fmt is None:
            return
        data = self._partial + io.readAll().data()
        name, layout, rate, width = fmt
        usable = len(data) - len(data) % width
        self._partial = data[usable:]
        if usable == 0:
            return
        chunk = data[:usable]
        self.bytes_captured += usable
        if name == "s16":
            with self._level_lock:
                self._levels.append(energy(chunk))
        frame = av.AudioFrame(format=name, layout=layout, samples=usable // width)
        frame.planes[0].update(chunk)
        frame.sample_rate = rate
        self.track.push(frame)
