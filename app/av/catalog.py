"""Which cameras, microphones and speakers exist, and following one as it comes and goes.

``QMediaDevices`` cannot be faked, so sources and sinks ask a :class:`DeviceCatalog`:
:class:`QtDeviceCatalog` in the app, :class:`FakeDeviceCatalog` in tests (devices
appear and disappear on command). Only the Qt catalog maps an entry back to a
``QCameraDevice``/``QAudioDevice``; a fake entry maps to None and the source then
uses synthetic media, so every hot-plug path runs without hardware.

:class:`DeviceFollower` is the hot-plug state machine the camera, microphone and
speaker share: it opens the chosen device (or the default), reports it ``lost``
when it disappears and reopens it by itself when it returns (``resumed``).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance
from PySide6.QtMultimedia import QAudioDevice, QCameraDevice, QMediaDevices

logger = logging.getLogger(__name__)

RETRY_MS = 3000  # a listed device that failed to open is tried again this often
SETTLE_MS = 500  # a reopened device must stay up this long before it counts as resumed


class DeviceKind(enum.Enum):
    CAMERA = "camera"
    MICROPHONE = "microphone"
    SPEAKER = "speaker"


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    id: bytes  # stable across replugging the same device
    description: str  # the device's own name, for the technician's choice
    is_default: bool = False


def pick(entries: tuple[DeviceEntry, ...], wanted: bytes | None) -> DeviceEntry | None:
    """The entry with id ``wanted``; with None the default one, or else the first."""
    if wanted is not None:
        return next((e for e in entries if e.id == wanted), None)
    return next((e for e in entries if e.is_default), entries[0] if entries else None)


class DeviceCatalog(QObject):
    """The devices present now; each ``*_changed`` fires when that list may have changed."""

    cameras_changed = Signal()
    microphones_changed = Signal()
    speakers_changed = Signal()

    def entries(self, kind: DeviceKind) -> tuple[DeviceEntry, ...]:
        raise NotImplementedError

    def changed_signal(self, kind: DeviceKind) -> SignalInstance:
        return {
            DeviceKind.CAMERA: self.cameras_changed,
            DeviceKind.MICROPHONE: self.microphones_changed,
            DeviceKind.SPEAKER: self.speakers_changed,
        }[kind]

    def cameras(self) -> tuple[DeviceEntry, ...]:
        return self.entries(DeviceKind.CAMERA)

    def microphones(self) -> tuple[DeviceEntry, ...]:
        return self.entries(DeviceKind.MICROPHONE)

    def speakers(self) -> tuple[DeviceEntry, ...]:
        return self.entries(DeviceKind.SPEAKER)

    def camera_device(self, entry: DeviceEntry) -> QCameraDevice | None:
        """The Qt device behind ``entry``; None means: use synthetic media for it."""
        return None

    def audio_device(self, kind: DeviceKind, entry: DeviceEntry) -> QAudioDevice | None:
        """The Qt microphone or speaker behind ``entry``; None: synthetic/null audio."""
        return None


class QtDeviceCatalog(DeviceCatalog):
    """The real devices, from ``QMediaDevices`` (which watches the system for changes)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._devices = QMediaDevices(self)
        self._devices.videoInputsChanged.connect(self.cameras_changed)
        self._devices.audioInputsChanged.connect(self.microphones_changed)
        self._devices.audioOutputsChanged.connect(self.speakers_changed)

    def entries(self, kind: DeviceKind) -> tuple[DeviceEntry, ...]:
        if kind is DeviceKind.CAMERA:
            return tuple(
                DeviceEntry(bytes(d.id().data()), d.description(), d.isDefault())
                for d in QMediaDevices.videoInputs()
            )
        return tuple(
            DeviceEntry(bytes(d.id().data()), d.description(), d.isDefault())
            for d in self._audio(kind)
        )

    def camera_device(self, entry: DeviceEntry) -> QCameraDevice | None:
        return next((d for d in QMediaDevices.videoInputs() if d.id().data() == entry.id), None)

    def audio_device(self, kind: DeviceKind, entry: DeviceEntry) -> QAudioDevice | None:
        return next((d for d in self._audio(kind) if d.id().data() == entry.id), None)

    @staticmethod
    def _audio(kind: DeviceKind) -> list[QAudioDevice]:
        if kind is DeviceKind.MICROPHONE:
            return QMediaDevices.audioInputs()
        return QMediaDevices.audioOutputs()


class FakeDeviceCatalog(DeviceCatalog):
    """Devices a test adds and removes; none of them maps to a Qt device."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: dict[DeviceKind, tuple[DeviceEntry, ...]] = {k: () for k in DeviceKind}

    def entries(self, kind: DeviceKind) -> tuple[DeviceEntry, ...]:
        return self._entries[kind]

    def add(self, kind: DeviceKind, id_: bytes, description: str = "", *,
            default: bool = False) -> DeviceEntry:  # fmt: skip
        entry = DeviceEntry(id_, description or id_.decode(errors="replace"), default)
        self._entries[kind] = (*(e for e in self._entries[kind] if e.id != id_), entry)
        self.changed_signal(kind).emit()
        return entry

    def remove(self, kind: DeviceKind, id_: bytes) -> None:
        self._entries[kind] = tuple(e for e in self._entries[kind] if e.id != id_)
        self.changed_signal(kind).emit()

    def add_camera(
        self, id_: bytes, description: str = "", *, default: bool = False
    ) -> DeviceEntry:
        return self.add(DeviceKind.CAMERA, id_, description, default=default)

    def remove_camera(self, id_: bytes) -> None:
        self.remove(DeviceKind.CAMERA, id_)

    def add_microphone(self, id_: bytes, description: str = "", *,
                       default: bool = False) -> DeviceEntry:  # fmt: skip
        return self.add(DeviceKind.MICROPHONE, id_, description, default=default)

    def remove_microphone(self, id_: bytes) -> None:
        self.remove(DeviceKind.MICROPHONE, id_)

    def add_speaker(
        self, id_: bytes, description: str = "", *, default: bool = False
    ) -> DeviceEntry:
        return self.add(DeviceKind.SPEAKER, id_, description, default=default)

    def remove_speaker(self, id_: bytes) -> None:
        self.remove(DeviceKind.SPEAKER, id_)


class DeviceState(enum.Enum):
    OFF = "off"  # not started, or stopped: the device is released
    ACTIVE = "active"  # a device is open (a real one, or a fake catalog's synthetic one)
    SYNTHETIC = "synthetic"  # none exists (or synthetic media were asked for)
    LOST = "lost"  # started, but the device is gone or failed: resumes when it is back


class DeviceFollower(QObject):
    """Keeps one device of ``kind`` open while started, across unplugging and replugging.

    Subclasses implement ``_open`` (True when the device opened) and ``_close``, and
    ``_use_synthetic`` when there is a synthetic stand-in for a missing device.
    """

    state_changed = Signal(object)  # DeviceState
    lost = Signal()  # the open device disappeared or failed
    resumed = Signal()  # it is back and open again, without anyone asking

    def __init__(self, catalog: DeviceCatalog, kind: DeviceKind, *,
                 device_id: bytes | None = None, synthetic: bool = False,
                 synthetic_when_missing: bool = True,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.catalog, self.kind = catalog, kind
        self.device_id = device_id  # None: the default device, or any there is
        self._forced_synthetic = synthetic
        self._synthetic_when_missing = synthetic_when_missing
        self._state = DeviceState.OFF
        self.entry: DeviceEntry | None = None  # the device in use
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._reconsider)
        # lost/resumed come in pairs: a device that fails again while settling after a
        # retry stays "lost" for the UI instead of flickering back and forth.
        self._lost_announced = False
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._settled)
        catalog.changed_signal(kind).connect(self._reconsider)

    @property
    def state(self) -> DeviceState:
        return self._state

    def start(self) -> None:
        if self._state is not DeviceState.OFF:
            return
        if self._forced_synthetic:
            self._use_synthetic(True)
            self._set_state(DeviceState.SYNTHETIC)
            return
        entries = self.catalog.entries(self.kind)
        if self._try_open(pick(entries, self.device_id)):
            self._set_state(DeviceState.ACTIVE)
        elif not entries and self._synthetic_when_missing:
            self._use_synthetic(True)
            self._set_state(DeviceState.SYNTHETIC)
        else:  # the chosen one is missing (or failed): say so, and wait for it
            self._enter_lost(announce=True)

    def stop(self) -> None:
        """Release the device (a camera's light goes off) and stop any stand-in."""
        self._retry.stop()
        self._settle.stop()
        self._lost_announced = False
        if self._state is DeviceState.ACTIVE:
            self._close()
        elif self._state is DeviceState.SYNTHETIC:
            self._use_synthetic(False)
        self.entry = None
        self._set_state(DeviceState.OFF)

    def choose(self, device_id: bytes | None) -> None:
        """Use another device (None: the default); reopens now if started."""
        self.device_id = device_id
        if self._state is DeviceState.OFF or self._forced_synthetic:
            return
        self.stop()
        self.start()

    def device_failed(self) -> None:
        """Subclasses call this when the open device reports an error."""
        if self._state is DeviceState.ACTIVE:
            logger.warning("%s failed; waiting for it to return", self.kind.value)
            self._close()
            self._enter_lost(announce=True)

    # -- internals ----------------------------------------------------------------

    def _reconsider(self) -> None:
        entries = self.catalog.entries(self.kind)
        if self._state is DeviceState.ACTIVE:
            if self.entry is not None and all(e.id != self.entry.id for e in entries):
                logger.info("%s unplugged", self.kind.value)
                self._close()
                self._enter_lost(announce=True)
        elif self._state is DeviceState.LOST:
            if self._try_open(pick(entries, self.device_id)):
                self._retry.stop()
                self._set_state(DeviceState.ACTIVE)
                self._settle.start()
        elif self._state is DeviceState.SYNTHETIC and not self._forced_synthetic:
            entry = pick(entries, self.device_id)
            if entry is not None:
                self._use_synthetic(False)
                if self._try_open(entry):
                    self._set_state(DeviceState.ACTIVE)
                else:
                    self._enter_lost(announce=True)

    def _try_open(self, entry: DeviceEntry | None) -> bool:
        if entry is None or not self._open(entry):
            return False
        self.entry = entry
        return True

    def _enter_lost(self, *, announce: bool) -> None:
        self.entry = None
        self._settle.stop()
        self._retry.start()  # a device that is listed but failed gets another chance
        self._set_state(DeviceState.LOST)
        if announce and not self._lost_announced:
            self._lost_announced = True
            self.lost.emit()

    def _settled(self) -> None:
        if self._state is DeviceState.ACTIVE and self._lost_announced:
            self._lost_announced = False
            logger.info("%s back", self.kind.value)
            self.resumed.emit()

    def _set_state(self, state: DeviceState) -> None:
        if state is not self._state:
            logger.debug("%s %s -> %s", self.kind.value, self._state.value, state.value)
            self._state = state
            self.state_changed.emit(state)

    def _open(self, entry: DeviceEntry) -> bool:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def _use_synthetic(self, on: bool) -> None:
        """Start (True) or stop the synthetic stand-in; nothing by default."""
