"""Opus in-band FEC and packet-loss concealment (issue 11, item 3).

Sending: :class:`FecOpusEncoder` is aiortc's Opus encoder with libopus's in-band
forward error correction on (``fec``, and ``packet_loss`` = the loss it is sized
for): each packet also carries a coarse copy of the one before it (LBRR). libopus
codes that copy in its SILK layer, so with FEC on it stays in SILK or hybrid mode
for speech instead of CELT alone; at our 96 kbit/s the band stays full.

Receiving: aiortc decodes with PyAV, which cannot ask libopus for either the
FEC copy or a concealed frame. :class:`ConcealingOpusDecoder` decodes with libopus
itself (ctypes: Debian's ``libopus0``, else the copy in PyAV's wheel). The playout buffer
(:mod:`media.audio.playout`) tells it, on the first packet after a hole, how many
packets were given up (:class:`AfterLoss`): the last lost frame is rebuilt from
this packet's FEC copy, earlier ones (at most MAX_CONCEALED) are concealed by
libopus's PLC, which continues the sound and fades out, instead of a click into
silence. Without either library aiortc's decoder runs as before and a hole
stays silent (logged once).

DESIGN.md's stack notes say "video NACK + RTX, no FEC": that is video. Audio
FEC is this module, and docs/performance.md says what it costs and recovers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fractions
import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc.codecs import get_decoder as _aiortc_get_decoder
from aiortc.codecs.opus import OpusEncoder
from aiortc.jitterbuffer import JitterFrame

logger = logging.getLogger(__name__)

RATE = 48000
CHANNELS = 2  # aiortc's Opus is stereo both ways
FRAME = 960  # samples per channel in one 20 ms packet (aiortc's packetisation)
EXPECTED_LOSS_PERCENT = 10  # what the encoder sizes its FEC for
MAX_CONCEALED = 5  # frames rebuilt after one hole (100 ms); a longer gap stays shorter
_MAX_FRAME = 5760  # 120 ms: the longest an Opus packet decodes to
_TIME_BASE = fractions.Fraction(1, RATE)


@dataclass
class Counts:
    """Frames rebuilt by every decoder in this process (benchmarks and tests read it)."""

    recovered: int = 0  # from an FEC copy
    concealed: int = 0  # made up by PLC


counts = Counts()


class FecOpusEncoder(OpusEncoder):
    """aiortc's Opus encoder with in-band FEC on."""

    def __init__(self) -> None:
        super().__init__()
        self.codec.options = {
            **dict(self.codec.options),
            "fec": "1",
            "packet_loss": str(EXPECTED_LOSS_PERCENT),
        }


class AfterLoss(JitterFrame):
    """A packet that follows ``lost`` given-up packets (made by the playout buffer)."""

    def __init__(self, data: bytes, timestamp: int, lost: int) -> None:
        super().__init__(data=data, timestamp=timestamp)
        self.lost = lost


def carries_fec(packet: bytes) -> bool:
    """Whether an Opus packet holds an FEC copy of the frame before it (RFC 6716 4.2.3).

    Only SILK and hybrid packets can (TOC configurations 0-15). Their SILK layer
    starts with one VAD flag per 20 ms SILK frame and then the LBRR (FEC) flag, all
    coded with probability 1/2 as the first symbols of the range coder, so they are
    the leading bits of the frame's first byte. Packets of several frames (TOC code
    1-3; aiortc sends one 20 ms frame per packet) count as carrying it.
    """
    if len(packet) < 2:
        return False
    config, code = packet[0] >> 3, packet[0] & 3
    if config >= 16:  # CELT only
        return False
    if code != 0:
        return True
    ms = (10, 20, 40, 60)[config % 4] if config < 12 else (10, 20)[config % 2]
    vad_flags = max(1, ms // 20)
    return bool(packet[1] >> (7 - vad_flags) & 1)


def _candidates() -> list[str]:
    """Where libopus may be: the system's (Debian's ``libopus0``), then PyAV's own copy
    (its wheels carry one for libavcodec: ``av.libs`` on Linux and Windows,
    ``av/.dylibs`` on macOS), so a machine without the package still gets FEC."""
    found = [name] if (name := ctypes.util.find_library("opus")) else []
    package = Path(av.__file__).parent
    for folder in (package.parent / "av.libs", package / ".dylibs"):
        if folder.is_dir():
            found += sorted(str(p) for p in folder.iterdir() if "opus" in p.name.lower())
    return found


def _load_libopus() -> Any:
    """libopus through ctypes with the four functions typed, or None when it is missing."""
    for candidate in _candidates():
        try:
            lib = ctypes.CDLL(candidate)
            lib.opus_decode  # noqa: B018  # a library of that name without the decoder
        except (OSError, AttributeError):
            continue
        break
    else:
        return None
    lib.opus_decoder_create.restype = ctypes.c_void_p
    lib.opus_decoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.opus_decode.restype = ctypes.c_int
    pcm = ctypes.POINTER(ctypes.c_int16)
    lib.opus_decode.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, pcm, ctypes.c_int, ctypes.c_int
    ]  # fmt: skip
    lib.opus_decoder_destroy.restype = None
    lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
    return lib


@functools.cache
def libopus() -> Any:
    """The loaded library (looked up once), or None."""
    lib = _load_libopus()
    if lib is None:
        logger.warning("libopus not found: lost audio packets stay silent (no FEC, no PLC)")
    return lib


class ConcealingOpusDecoder:
    """Decodes Opus with libopus; rebuilds given-up packets from FEC or by concealment."""

    def __init__(self, lib: Any) -> None:
        self._lib = lib
        error = ctypes.c_int(0)
        self._state = lib.opus_decoder_create(RATE, CHANNELS, ctypes.byref(error))
        if error.value != 0 or not self._state:
            raise OSError(f"opus_decoder_create failed ({error.value})")
        self._pcm = (ctypes.c_int16 * (_MAX_FRAME * CHANNELS))()
        self.recovered = 0  # frames rebuilt from an FEC copy
        self.concealed = 0  # frames made up by PLC

    def decode(self, encoded_frame: JitterFrame) -> list[av.AudioFrame]:
        if not encoded_frame.data:  # an empty payload: libopus would take it for a loss
            return []
        frames = []
        lost = min(getattr(encoded_frame, "lost", 0), MAX_CONCEALED)
        for i in range(lost, 0, -1):
            # The copy in this packet is of the frame just before it; else conceal.
            fec = i == 1 and carries_fec(encoded_frame.data)
            frame = self._run(encoded_frame.data if fec else None, FRAME, fec)
            if frame is not None:
                frame.pts = encoded_frame.timestamp - i * FRAME
                frames.append(frame)
                if fec:
                    self.recovered += 1
                    counts.recovered += 1
                else:
                    self.concealed += 1
                    counts.concealed += 1
        frame = self._run(encoded_frame.data, _MAX_FRAME, False)
        if frame is not None:
            frame.pts = encoded_frame.timestamp
            frames.append(frame)
        return frames

    def _run(self, data: bytes | None, size: int, fec: bool) -> av.AudioFrame | None:
        length = len(data) if data else 0
        count = self._lib.opus_decode(self._state, data or None, length, self._pcm, size, int(fec))
        if count <= 0:
            logger.debug("opus_decode failed (%d)", count)
            return None
        samples = np.ctypeslib.as_array(self._pcm)[: count * CHANNELS].copy()
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = RATE
        frame.time_base = _TIME_BASE
        return frame

    def __del__(self) -> None:
        state, self._state = getattr(self, "_state", None), None
        if state:
            self._lib.opus_decoder_destroy(state)


def get_decoder(codec: Any) -> Any:
    """Our Opus decoder when libopus is here; aiortc's for everything else."""
    if codec.mimeType.lower() == "audio/opus":
        lib = libopus()
        if lib is not None:
            return ConcealingOpusDecoder(lib)
    return _aiortc_get_decoder(codec)
