"""The technician's device tests report what the devices really do."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from app.av.camera import CameraSource
from app.av.catalog import FakeDeviceCatalog
from app.av.microphone import MicrophoneSource
from app.av.speaker import SpeakerSink
from app.devicetest import DeviceTester


def _tester(qtbot: QtBot, catalog: FakeDeviceCatalog) -> tuple[DeviceTester, SpeakerSink]:
    camera = CameraSource(catalog)
    microphone = MicrophoneSource(catalog)
    speaker = SpeakerSink(catalog)
    for device in (camera, microphone, speaker):
        device.start()
    tester = DeviceTester(camera, microphone, speaker)
    return tester, speaker


def test_no_devices_are_reported_plainly(qtbot: QtBot) -> None:
    tester, _ = _tester(qtbot, FakeDeviceCatalog())
    results: dict[str, str] = {}
    tester.finished.connect(results.__setitem__)
    for kind in ("camera", "microphone", "speaker"):
        tester.run(kind)
    qtbot.waitUntil(lambda: len(results) == 3, timeout=3000)
    assert "No camera" in results["camera"]
    assert "No microphone" in results["microphone"]
    assert "speaker" in results["speaker"].lower()


def test_speaker_test_plays_a_tone(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()
    catalog.add_speaker(b"spk", "Test speaker", default=True)
    tester, speaker = _tester(qtbot, catalog)
    results: dict[str, str] = {}
    tester.finished.connect(results.__setitem__)
    tester.run("speaker")
    assert "test tone" in results["speaker"]
    qtbot.waitUntil(lambda: (speaker.level_dbfs or -120) > -30, timeout=3000)
