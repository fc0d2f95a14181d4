"""The technician's device tests report what the devices really do."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

from pytestqt.qtbot import QtBot

from app import i18n
from app.av.camera import CameraSource
from app.av.catalog import FakeDeviceCatalog
from app.av.microphone import MicrophoneSource
from app.av.speaker import SpeakerSink
from app.devicetest import DeviceTester, DeviceTestResult
from app.technician.view import KINDS, TechnicianView


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
    tester.finished.connect(lambda kind, result: results.__setitem__(kind, result.text()))
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
    results: dict[str, DeviceTestResult] = {}
    tester.finished.connect(results.__setitem__)
    tester.run("speaker")
    assert "test tone" in results["speaker"].text()
    qtbot.waitUntil(lambda: (speaker.level_dbfs or -120) > -30, timeout=3000)


def test_results_on_screen_follow_a_language_switch(qtbot: QtBot, language: Path) -> None:
    i18n.set_language("nl", language)
    catalog = FakeDeviceCatalog()  # a speaker, no camera, no microphone
    catalog.add_speaker(b"spk", "Test speaker", default=True)
    tester, _ = _tester(qtbot, catalog)
    view = TechnicianView()
    qtbot.addWidget(view)
    tester.finished.connect(view.show_test_result)  # as the device session wires it
    for kind in KINDS:
        tester.run(kind)
    results = view.test_results
    qtbot.waitUntil(lambda: all(results[kind].text() for kind in KINDS), timeout=3000)
    assert results["microphone"].text() == "Geen microfoon: de klas hoort niets van dit apparaat."
    assert results["speaker"].text() == "Er klinkt nu een testtoon. Hoort u die?"

    i18n.set_language("en", language)
    qtbot.waitUntil(lambda: results["speaker"].text() == "A test tone is playing. Do you hear it?")
    assert (
        results["microphone"].text() == "No microphone: the class hears nothing from this device."
    )
    assert results["camera"].text() == "No camera: a test picture is sent instead."
    view.show_test_result("camera", "level 42 %")  # a plain sentence stays as it is
    i18n.set_language("nl", language)
    qtbot.waitUntil(lambda: results["speaker"].text().startswith("Er klinkt"))
    assert results["camera"].text() == "level 42 %"
