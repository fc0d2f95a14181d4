"""A device's parts put together: its camera, microphone and speaker, its window, its engine.

Shared by ``klasgenoot student|classroom`` (app.cli_gui), the windowed demo
(app.demo.windows) and the GUI tests' rig, so all three build a device the same
way. Imports Qt: app.cli_gui imports this module only inside its handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.av.camera import CLASSROOM_CAPTURE, CLASSROOM_SIZE, STUDENT_SIZE, CameraSource
from app.av.catalog import DeviceCatalog, QtDeviceCatalog
from app.av.microphone import MicrophoneSource
from app.av.speaker import SpeakerSink
from app.bridge import EngineBridge
from app.classroom.window import ClassroomWindow
from app.feature_settings import from_extra
from app.kiosk import KioskWindow
from app.runtime import DeviceRuntime
from app.settings import DeviceSettings, SettingsStore
from app.student.window import StudentWindow
from media.peer import LocalMedia
from pairing.roles import Role


@dataclass
class Sources:
    """A device's camera, microphone and speaker (Qt objects) and the engine's tracks."""

    catalog: DeviceCatalog
    camera: CameraSource
    microphone: MicrophoneSource
    speaker: SpeakerSink
    presence: str = "video"  # the pupil's starting level (technician setting)

    @property
    def media(self) -> LocalMedia:
        return LocalMedia(audio=self.microphone.track, video=self.camera.track)

    def choose(self, kind: str, key: str) -> None:
        """The technician chose another device (a key as stored in the settings)."""
        follower = {
            "camera": self.camera,
            "microphone": self.microphone,
            "speaker": self.speaker,
        }.get(kind)
        if follower is not None:
            follower.choose(key.encode())

    def stop(self) -> None:
        for follower in (self.camera, self.microphone, self.speaker):
            follower.stop()


def open_sources(
    role: Role,
    config: Path | None = None,
    *,
    synthetic: bool = False,
    synthetic_microphone: bool | None = None,
    catalog: DeviceCatalog | None = None,
) -> Sources:
    """Start camera, microphone and speaker (the settings' choices, else the defaults).

    ``synthetic``: synthetic picture and tone instead of camera and microphone (the
    speaker still plays); ``synthetic_microphone`` overrides it for the microphone.
    A missing camera or microphone gets the same stand-ins. The pupil's laptop
    starts at the technician's presence level: for "listening" camera and
    microphone stay closed, for "voice" the camera does (its light never comes on).
    """
    settings = SettingsStore(config).load() if config is not None else DeviceSettings()
    presence = from_extra(settings.extra).start_presence if role is Role.STUDENT else "video"
    catalog = catalog or QtDeviceCatalog()
    size = CLASSROOM_SIZE if role is Role.CLASSROOM else STUDENT_SIZE
    capture = CLASSROOM_CAPTURE if role is Role.CLASSROOM else None
    sources = Sources(
        catalog,
        CameraSource(
            catalog,
            device_id=_key(settings.camera),
            size=size,
            capture=capture,
            synthetic=synthetic,
        ),
        MicrophoneSource(
            catalog,
            device_id=_key(settings.microphone),
            synthetic=synthetic if synthetic_microphone is None else synthetic_microphone,
        ),
        SpeakerSink(catalog, device_id=_key(settings.speaker)),
        presence,
    )
    wanted = (presence == "video", presence != "listening", True)
    for follower, on in zip((sources.camera, sources.microphone, sources.speaker), wanted,
                            strict=True):  # fmt: skip
        if on:
            follower.start()
    return sources


def _key(value: str | None) -> bytes | None:
    return None if value is None else value.encode()


# -- windows and engine ------------------------------------------------------------------


def build_window(
    role: Role, bridge: EngineBridge, sources: Sources, *, windowed: bool, measure: bool = True
) -> KioskWindow:
    """``measure``: read the synthetic pictures' frame numbers (not for a real camera)."""
    _log_devices(bridge, sources)
    sources.speaker.reference = bridge.play_reference  # the echo canceller's far end
    sources.speaker.ducker = bridge.ducker  # ducking: the engine decides, the speaker plays it
    if role is Role.STUDENT:
        return StudentWindow(bridge, camera=sources.camera, microphone=sources.microphone,
                             speaker=sources.speaker, presence=sources.presence,
                             windowed=windowed, read_markers=measure)  # fmt: skip
    return ClassroomWindow(bridge, speaker=sources.speaker, camera=sources.camera,
                           windowed=windowed, read_markers=measure)  # fmt: skip


def _log_devices(bridge: EngineBridge, sources: Sources) -> None:
    """A device unplugged or back goes to the connection log (which kind, nothing more)."""
    for follower in (sources.camera, sources.microphone, sources.speaker):
        kind = follower.kind.value
        follower.lost.connect(lambda k=kind: bridge.report_device(k, present=False))
        follower.resumed.connect(lambda k=kind: bridge.report_device(k, present=True))


def start_engine(
    bridge: EngineBridge,
    runtime: DeviceRuntime,
    media: LocalMedia,
    *,
    loopback_only: bool = False,
    measure: bool = False,
) -> None:
    """The engine on the bridge's thread; the classroom confirms LIVE before sending."""
    confirm = runtime.device.role is Role.CLASSROOM
    bridge.start(
        lambda b: runtime.engine(
            b, media, confirm_sending=confirm, loopback_only=loopback_only, measure=measure
        )
    )
