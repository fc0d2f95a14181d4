"""Both devices' real windows on one machine: real engines, the real embedded server.

``rig`` gives a :class:`CallRig`: a demo workspace (fleet + one pairing, developer
key store), the signaling server on its own thread, and ``open(role)`` for a
window with its own EngineBridge and engine thread, ICE on loopback. Media are
synthetic (the picture carries its frame number) behind a fake device catalog
with a fake speaker, so the speaker's level meter tells what arrived.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.assembly import Sources, build_window, open_sources, start_engine
from app.av.catalog import FakeDeviceCatalog
from app.bridge import EngineBridge
from app.demo.windows import EmbeddedServer
from app.demo.workspace import Workspace, prepare
from app.kiosk import KioskWindow
from app.runtime import DeviceRuntime
from pairing.roles import Role

WINDOW_SIZE = (1024, 640)


@dataclass
class Device:
    role: Role
    bridge: EngineBridge
    sources: Sources
    window: KioskWindow
    runtime: DeviceRuntime
    started: bool = False

    def start(self) -> None:
        start_engine(self.bridge, self.runtime, self.sources.media, loopback_only=True,
                     measure=True)  # fmt: skip
        self.started = True

    def stop(self) -> None:
        self.bridge.stop()
        self.sources.stop()


class CallRig:
    def __init__(self, workspace: Workspace, qtbot: QtBot) -> None:
        self.workspace = workspace
        self.qtbot = qtbot
        self.server = EmbeddedServer(workspace.server)
        self.server.start()
        self.devices: list[Device] = []

    def open(self, role: Role, *, start: bool = True) -> Device:
        runtime = DeviceRuntime.load(self.workspace.device_dir(role), dev_keyring=True,
                                     signaling_url=self.server.url)  # fmt: skip
        catalog = FakeDeviceCatalog()
        catalog.add_speaker(b"speaker", "test speaker", default=True)
        sources = open_sources(role, synthetic=True, catalog=catalog)
        bridge = EngineBridge()
        window = build_window(role, bridge, sources, windowed=True)
        self.qtbot.addWidget(window)
        window.resize(*WINDOW_SIZE)
        window.show()
        self.qtbot.waitExposed(window)
        device = Device(role, bridge, sources, window, runtime)
        self.devices.append(device)
        if start:
            device.start()
        return device

    def close(self) -> None:
        # The pupil leaves first, as in class.
        for device in sorted(self.devices, key=lambda d: d.role is Role.CLASSROOM):
            device.stop()
        self.server.stop()


@pytest.fixture
def rig(tmp_path: Path, qtbot: QtBot) -> Iterator[CallRig]:
    workspace, _ = prepare(tmp_path / "demo")
    call = CallRig(workspace, qtbot)
    try:
        yield call
    finally:
        call.close()


def received(bridge: EngineBridge, kind: str) -> list[dict[str, Any]]:
    """Bodies of the control messages of ``kind`` that reach this device's screen from now on."""
    seen: list[dict[str, Any]] = []
    bridge.control_received.connect(lambda m: seen.append(dict(m.body)) if m.kind == kind else None)
    return seen
