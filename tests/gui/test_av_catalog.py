"""Device catalog and the hot-plug follower: lists, picking, lost/resumed, retries, choosing."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from app.av import catalog as catalog_module
from app.av.catalog import (
    DeviceEntry,
    DeviceFollower,
    DeviceKind,
    DeviceState,
    FakeDeviceCatalog,
    pick,
)


class RecordingFollower(DeviceFollower):
    """Opens whatever the catalog lists unless told to fail; records every call."""

    def __init__(self, catalog: FakeDeviceCatalog, **kwargs: object) -> None:
        super().__init__(catalog, DeviceKind.CAMERA, **kwargs)  # type: ignore[arg-type]
        self.calls: list[str] = []
        self.fail_open = False
        self.events: list[str] = []
        self.lost.connect(lambda: self.events.append("lost"))
        self.resumed.connect(lambda: self.events.append("resumed"))

    def _open(self, entry: DeviceEntry) -> bool:
        self.calls.append(f"open {entry.id.decode()}")
        return not self.fail_open

    def _close(self) -> None:
        self.calls.append("close")

    def _use_synthetic(self, on: bool) -> None:
        self.calls.append(f"synthetic {on}")


A = DeviceEntry(b"a", "Camera A")
B = DeviceEntry(b"b", "Camera B", is_default=True)


def test_pick_prefers_the_chosen_then_the_default_then_the_first() -> None:
    assert pick((A, B), b"a") == A
    assert pick((A, B), b"zz") is None  # the chosen one is missing: not some other device
    assert pick((A, B), None) == B
    assert pick((A,), None) == A
    assert pick((), None) is None


def test_fake_catalog_adds_and_removes_with_signals(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()
    with qtbot.waitSignal(catalog.cameras_changed):
        catalog.add_camera(b"cam1", "Front", default=True)
    with qtbot.waitSignal(catalog.microphones_changed):
        catalog.add_microphone(b"mic1")
    with qtbot.waitSignal(catalog.speakers_changed):
        catalog.add_speaker(b"spk1", "Desk speaker")
    assert catalog.cameras() == (DeviceEntry(b"cam1", "Front", True),)
    assert [e.id for e in catalog.microphones()] == [b"mic1"]
    assert catalog.speakers()[0].description == "Desk speaker"
    assert catalog.camera_device(catalog.cameras()[0]) is None  # fake: synthetic media
    assert catalog.audio_device(DeviceKind.SPEAKER, catalog.speakers()[0]) is None
    with qtbot.waitSignal(catalog.cameras_changed):
        catalog.remove_camera(b"cam1")
    assert catalog.cameras() == ()
    catalog.add_camera(b"cam1", "Renamed")
    catalog.add_camera(b"cam1", "Renamed again")  # the same id replaces, never duplicates
    assert [e.description for e in catalog.cameras()] == ["Renamed again"]


def test_qt_catalog_lists_without_crashing_and_signals_exist(qtbot: QtBot) -> None:
    """The real catalog on this machine: whatever it lists is well-formed."""
    qt_catalog = catalog_module.QtDeviceCatalog()
    for kind in DeviceKind:
        for entry in qt_catalog.entries(kind):
            assert isinstance(entry.id, bytes) and entry.id
            assert isinstance(entry.description, str)
    unknown = DeviceEntry(b"no-such-device", "nothing")
    assert qt_catalog.camera_device(unknown) is None
    assert qt_catalog.audio_device(DeviceKind.MICROPHONE, unknown) is None


def test_follower_lost_and_resumed_with_the_same_device(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()
    catalog.add_camera(b"a")
    catalog.add_camera(b"b", default=True)
    follower = RecordingFollower(catalog)
    follower.start()
    assert follower.state is DeviceState.ACTIVE and follower.entry is not None
    assert follower.entry.id == b"b"
    catalog.remove_camera(b"a")  # another device going away changes nothing
    assert follower.state is DeviceState.ACTIVE and follower.events == []
    with qtbot.waitSignal(follower.lost):
        catalog.remove_camera(b"b")
    assert follower.state is DeviceState.LOST
    assert follower.calls == ["open b", "close"]
    with qtbot.waitSignal(follower.resumed, timeout=3000):
        catalog.add_camera(b"b")
    assert follower.state is DeviceState.ACTIVE
    assert follower.events == ["lost", "resumed"]


def test_follower_with_a_chosen_device_waits_for_that_one(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()
    catalog.add_camera(b"a")
    follower = RecordingFollower(catalog, device_id=b"b")
    with qtbot.waitSignal(follower.lost):  # chosen but not there: said at once
        follower.start()
    assert follower.state is DeviceState.LOST
    catalog.add_camera(b"c")
    assert follower.state is DeviceState.LOST  # not just any camera
    with qtbot.waitSignal(follower.resumed, timeout=3000):
        catalog.add_camera(b"b")
    assert follower.entry is not None and follower.entry.id == b"b"


def test_follower_default_mode_resumes_with_any_device(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()
    catalog.add_camera(b"a")
    follower = RecordingFollower(catalog)
    follower.start()
    with qtbot.waitSignal(follower.lost):
        catalog.remove_camera(b"a")
    with qtbot.waitSignal(follower.resumed, timeout=3000):
        catalog.add_camera(b"other")
    assert follower.entry is not None and follower.entry.id == b"other"


def test_follower_without_devices_uses_synthetic_then_switches_to_a_real_one(
    qtbot: QtBot,
) -> None:
    catalog = FakeDeviceCatalog()
    follower = RecordingFollower(catalog)
    follower.start()
    assert follower.state is DeviceState.SYNTHETIC
    catalog.add_camera(b"a")
    assert follower.state is DeviceState.ACTIVE
    assert follower.calls == ["synthetic True", "synthetic False", "open a"]
    assert follower.events == []  # nothing was lost


def test_forced_synthetic_ignores_devices(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()
    catalog.add_camera(b"a")
    follower = RecordingFollower(catalog, synthetic=True)
    follower.start()
    catalog.add_camera(b"b")
    assert follower.state is DeviceState.SYNTHETIC
    follower.stop()
    assert follower.state is DeviceState.OFF
    assert follower.calls == ["synthetic True", "synthetic False"]


def test_no_synthetic_stand_in_for_a_speaker_means_lost(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()
    follower = RecordingFollower(catalog, synthetic_when_missing=False)
    with qtbot.waitSignal(follower.lost):
        follower.start()
    assert follower.state is DeviceState.LOST and "synthetic True" not in follower.calls


def test_a_failing_device_is_retried_without_flickering(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_module, "RETRY_MS", 50)
    monkeypatch.setattr(catalog_module, "SETTLE_MS", 100)
    catalog = FakeDeviceCatalog()
    catalog.add_camera(b"a")
    follower = RecordingFollower(catalog)
    follower.start()
    with qtbot.waitSignal(follower.lost):
        follower.device_failed()  # e.g. another program took the camera
    follower.fail_open = True
    qtbot.waitUntil(lambda: follower.calls.count("open a") >= 3, timeout=3000)
    assert follower.state is DeviceState.LOST
    # It opens again but fails while settling: still one "lost", no "resumed" yet.
    follower.fail_open = False
    qtbot.waitUntil(lambda: follower.state is DeviceState.ACTIVE, timeout=3000)
    follower.device_failed()
    assert follower.events == ["lost"]
    with qtbot.waitSignal(follower.resumed, timeout=3000):
        pass
    assert follower.events == ["lost", "resumed"]


def test_stop_releases_and_choose_reopens(qtbot: QtBot) -> None:
    catalog = FakeDeviceCatalog()
    catalog.add_camera(b"a")
    catalog.add_camera(b"b")
    follower = RecordingFollower(catalog, device_id=b"a")
    follower.start()
    follower.choose(b"b")
    assert follower.entry is not None and follower.entry.id == b"b"
    follower.stop()
    assert follower.state is DeviceState.OFF and follower.entry is None
    catalog.remove_camera(b"b")
    catalog.add_camera(b"b")  # a stopped follower does not reopen by itself
    assert follower.calls == ["open a", "close", "open b", "close"]
