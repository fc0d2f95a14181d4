"""Microphone and speaker: the ring, hot-plug through the catalog, no device at all, and
real audio through a PulseAudio null sink and sine source (in a child process, because
Qt Multimedia picks its Pulse server once, when its backend starts)."""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import av
import pytest
from pytestqt.qtbot import QtBot

from app.av.catalog import DeviceState, FakeDeviceCatalog
from app.av.microphone import MicrophoneSource
from app.av.speaker import OutputFormat, Ring, SpeakerSink
from media.audio.level import dbfs
from media.push import PushAudioTrack
from media.synthetic_audio import SyntheticAudioTrack

REPO = Path(__file__).resolve().parents[2]
FMT = OutputFormat("s16", "stereo", 48000, 4)


def pull(track: PushAudioTrack, timeout: float = 2.0) -> av.AudioFrame:
    async def take() -> av.AudioFrame:
        return await asyncio.wait_for(track.recv(), timeout)

    return asyncio.run(take())


def rms_dbfs(frame: av.AudioFrame) -> float:
    return dbfs(bytes(frame.planes[0]))


class Feeder:
    """Pushes a paced -20 dBFS tone from its own thread, as the engine thread would."""

    def __init__(self, push: Callable[[av.AudioFrame], None]) -> None:
        self._push = push
        self._stop = threading.Event()
        self.sent = 0
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(),), daemon=True)

    async def _run(self) -> None:
        tone = SyntheticAudioTrack()
        while not self._stop.is_set():
            self._push(await tone.recv())
            self.sent += 1

    def __enter__(self) -> Feeder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


# -- the ring ----------------------------------------------------------------------------


def test_ring_fills_to_the_target_before_playing_and_pads_with_silence() -> None:
    ring = Ring(FMT, target_ms=80, max_ms=300)
    ring.write(b"\x01" * FMT.bytes_for(40))
    assert ring.read(400) == bytes(400)  # still filling: silence, nothing taken
    ring.write(b"\x01" * FMT.bytes_for(40))
    assert ring.read(400) == b"\x01" * 400
    rest = FMT.bytes_for(80) - 400
    out = ring.read(rest + 40)  # runs dry: the audio, then silence, then refill
    assert out == b"\x01" * rest + bytes(40)
    assert ring.underruns == 1 and ring.played == FMT.bytes_for(80)
    ring.write(b"\x02" * 40)
    assert ring.read(40) == bytes(40)


def test_ring_is_bounded_and_drops_the_oldest_back_to_the_target() -> None:
    ring = Ring(FMT, target_ms=80, max_ms=300)
    for value in range(40):  # 400 ms, 10 ms a piece, nobody reading
        ring.write(bytes([value]) * FMT.bytes_for(10))
        assert ring.buffered_ms() <= 300
    assert 80 <= ring.buffered_ms() <= 300
    assert ring.dropped > 0
    newest = ring.read(FMT.bytes_for(int(ring.buffered_ms())))
    assert newest[-1] == 39  # the newest audio survived
    assert len(newest) % FMT.width == 0


# -- speaker -----------------------------------------------------------------------------


def test_no_speaker_is_said_plainly_and_nothing_breaks(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog
) -> None:
    speaker = SpeakerSink(fake_catalog)
    with qtbot.waitSignal(speaker.lost):
        speaker.start()
    assert not speaker.available and speaker.state is DeviceState.LOST
    assert speaker.status == speaker.tr(
        "No speaker found. The picture keeps working; connect a speaker."
    )
    with Feeder(speaker.push) as feeder:
        qtbot.waitUntil(lambda: feeder.sent >= 5, timeout=3000)
    assert speaker.frames_received >= 5 and speaker.ring is None  # dropped, no error
    speaker.stop()


def test_speaker_plays_and_follows_the_device(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog
) -> None:
    fake_catalog.add_speaker(b"desk", "Desk speaker", default=True)
    speaker = SpeakerSink(fake_catalog)
    speaker.start()
    assert speaker.available
    assert speaker.status == speaker.tr("Sound plays through {name}.").format(name="Desk speaker")
    with Feeder(speaker.push):
        qtbot.waitUntil(
            lambda: speaker.ring is not None and speaker.ring.played > FMT.bytes_for(200),
            timeout=5000,
        )
        level = speaker.level_dbfs
        assert level is not None and abs(level - -20.0) < 1.0
        with qtbot.waitSignal(speaker.lost):
            fake_catalog.remove_speaker(b"desk")
        assert not speaker.available and "Desk speaker" not in speaker.status
        with qtbot.waitSignal(speaker.resumed, timeout=3000):
            fake_catalog.add_speaker(b"desk", "Desk speaker")
        qtbot.waitUntil(
            lambda: speaker.ring is not None and speaker.ring.played > FMT.bytes_for(100),
            timeout=5000,
        )
    speaker.set_volume(1.7)
    assert speaker.volume == 1.0
    speaker.set_volume(-1)
    assert speaker.volume == 0.0
    speaker.stop()
    assert speaker.status == speaker.tr("Sound is off.")


def test_speaker_test_tone(qtbot: QtBot, fake_catalog: FakeDeviceCatalog) -> None:
    fake_catalog.add_speaker(b"desk")
    speaker = SpeakerSink(fake_catalog)
    speaker.start()
    speaker.play_test_tone(0.3)
    qtbot.waitUntil(lambda: speaker.frames_received == 15, timeout=3000)
    level = speaker.level_dbfs
    assert level is not None and abs(level - -20.0) < 1.0
    speaker.stop()


def test_speaker_hands_what_it_plays_and_its_volume_to_the_echo_canceller(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog
) -> None:
    """Issue 11: the far-end reference is what the device takes, with the volume."""
    import numpy as np

    fake_catalog.add_speaker(b"desk", "Desk speaker", default=True)
    speaker = SpeakerSink(fake_catalog)
    got: list[tuple[np.ndarray, float]] = []
    speaker.reference = lambda samples, volume: got.append((samples, volume))
    speaker.start()
    speaker.set_volume(0.5)  # the class volume, or a whisper
    with Feeder(speaker.push):
        qtbot.waitUntil(lambda: sum(len(s) for s, _ in got) > 48000 * 0.3, timeout=5000)
    speaker.stop()
    assert {v for _, v in got} == {0.5}
    played = np.concatenate([s for s, _ in got]).astype(np.float64)
    loud = played[np.abs(played) > 0]  # after the ring's initial fill of silence
    level = 10 * math.log10(float(np.mean(loud**2)) / 32768**2)
    assert abs(level - -20.0) < 1.0  # the tone as pushed; the canceller applies the volume


def test_the_speaker_plays_the_far_end_ducked_and_hands_on_what_it_played() -> None:
    """Issue 11, ducking: what the device takes is turned down, and the echo
    canceller's reference is those very samples (not the unducked ones)."""
    import numpy as np

    from media.audio.ducking import DEPTH_DB, Ducker

    speaker = SpeakerSink(FakeDeviceCatalog())
    ducker = Ducker()
    speaker.ducker = lambda: ducker
    got: list[np.ndarray] = []
    speaker.reference = lambda samples, volume: got.append(samples)
    tone = (10000 * np.sin(np.arange(4800) * 0.05)).astype(np.int16)
    data = np.repeat(tone, 2).tobytes()  # stereo, 100 ms
    assert speaker.played(data, FMT) == data  # nothing to duck: the same bytes
    ducker.duck(True)
    out = speaker.played(data, FMT)
    played = np.frombuffer(out, np.int16).reshape(-1, 2)
    assert np.array_equal(played[:, 0], played[:, 1])
    assert np.array_equal(got[-1], played.mean(axis=1).astype(np.int16))  # the reference
    tail = played[-2400:, 0].astype(np.float64)
    ratio = np.sqrt(np.mean(tail**2)) / np.sqrt(np.mean(tone[-2400:].astype(np.float64) ** 2))
    assert 20 * math.log10(ratio) == pytest.approx(-DEPTH_DB, abs=0.3)


# -- microphone --------------------------------------------------------------------------


def test_microphone_unplugged_and_back(qtbot: QtBot, fake_catalog: FakeDeviceCatalog) -> None:
    fake_catalog.add_microphone(b"usb-mic")
    microphone = MicrophoneSource(fake_catalog)
    microphone.start()
    assert microphone.state is DeviceState.ACTIVE
    frame = pull(microphone.track)
    assert (frame.format.name, frame.layout.name, frame.samples) == ("s16", "stereo", 960)
    assert abs(rms_dbfs(frame) - -20.0) < 1.0  # the fake microphone's tone
    with qtbot.waitSignal(microphone.lost):
        fake_catalog.remove_microphone(b"usb-mic")
    with pytest.raises(TimeoutError):
        pull(microphone.track, 0.3)
    with qtbot.waitSignal(microphone.resumed, timeout=3000):
        fake_catalog.add_microphone(b"usb-mic")
    assert pull(microphone.track).pts > frame.pts
    microphone.stop()
    assert microphone.state is DeviceState.OFF


def test_no_microphone_sends_silence_and_synthetic_sends_a_tone(
    qtbot: QtBot, fake_catalog: FakeDeviceCatalog
) -> None:
    missing = MicrophoneSource(fake_catalog)
    missing.start()
    assert missing.state is DeviceState.SYNTHETIC and missing.is_synthetic
    assert rms_dbfs(pull(missing.track)) == -120.0
    forced = MicrophoneSource(fake_catalog, synthetic=True)
    forced.start()
    assert abs(rms_dbfs(pull(forced.track)) - -20.0) < 1.0


# -- real audio devices, in a child process ---------------------------------------------


def _wait(condition: Callable[[], bool], timeout_ms: int) -> bool:
    """Run the Qt event loop until ``condition`` holds (child processes have no qtbot)."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop, QTimer

    deadline = QDeadlineTimer(timeout_ms)
    loop = QEventLoop()
    while not condition() and not deadline.hasExpired():
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    return condition()


def child_devices() -> None:
    """Child: play a tone on the default speaker, record the default microphone, report JSON.

    Under the ``pulse`` fixture the microphone listens to the speaker's null sink, so
    the tone that goes out must come back in at the level it was sent.
    """
    from PySide6.QtWidgets import QApplication

    from app.av.catalog import QtDeviceCatalog

    app = QApplication([])
    catalog = QtDeviceCatalog()
    speaker = SpeakerSink(catalog)
    microphone = MicrophoneSource(catalog)
    speaker.start()
    microphone.start()
    report: dict[str, object] = {
        "speakers": [e.description for e in catalog.speakers()],
        "microphones": [e.description for e in catalog.microphones()],
        "speaker_available": speaker.available,
        "speaker_status": speaker.status,
        "microphone_state": microphone.state.value,
    }

    def heard() -> bool:
        level = microphone.level_dbfs
        return microphone.bytes_captured > 48000 and level is not None and level > -30

    with Feeder(speaker.push) as feeder:
        if speaker.available:
            played = _wait(
                lambda: (
                    speaker.processed_usecs() > 300_000
                    and speaker.ring is not None
                    and speaker.ring.played > FMT.bytes_for(200)
                    and (microphone.state is not DeviceState.ACTIVE or heard())
                ),
                20_000,
            )
        else:  # frames still arrive from the engine: they must be dropped quietly
            played = not _wait(lambda: feeder.sent >= 10, 5_000)
        report["frames_pushed"] = feeder.sent
        report["speaker_played"] = played
        report["processed_usecs"] = speaker.processed_usecs()
        report["device_state"] = str(speaker.device_state())
        report["speaker_level_dbfs"] = speaker.level_dbfs
        report["microphone_bytes"] = microphone.bytes_captured
        report["microphone_level_dbfs"] = microphone.level_dbfs
        report["microphone_frame_dbfs"] = rms_dbfs(pull(microphone.track))
    speaker.stop()
    microphone.stop()
    del app
    print(json.dumps(report))


def _run_child(env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", "from tests.gui.test_av_audio import child_devices as c; c()"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private PulseAudio whose only speaker is a null sink and whose only microphone
    hears that sink (a remap of its monitor; Qt lists no monitors). Yields a child env."""
    exe = shutil.which("pulseaudio")
    if exe is None:
        pytest.skip("pulseaudio is not installed (CI installs it: apt-get install pulseaudio)")
    runtime = tmp_path / "pulse"
    runtime.mkdir(mode=0o700)
    socket = runtime / "native"
    daemon_env = {**os.environ, "HOME": str(runtime), "XDG_RUNTIME_DIR": str(runtime)}
    daemon_env.pop("PULSE_SERVER", None)
    process = subprocess.Popen(
        [exe, "--daemonize=no", "--exit-idle-time=-1", "--system=false", "-n",
         "--use-pid-file=no", "--disable-shm=yes", "--log-target=stderr", "--log-level=info",
         "--load=module-null-sink sink_name=klasgenoot_null",
         "--load=module-remap-source source_name=klasgenoot_mic"
         " master=klasgenoot_null.monitor source_properties=device.description=Loopback",
         f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1"],
        env=daemon_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    ready = threading.Event()
    log: list[str] = []

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line)
            if "startup complete" in line:
                ready.set()
        ready.set()  # it exited: stop waiting

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert ready.wait(20) and process.poll() is None, "".join(log[-20:])
        yield {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "PULSE_SERVER": f"unix:{socket}",
            "XDG_RUNTIME_DIR": str(runtime),
        }
    finally:
        process.terminate()
        process.wait(10)


def test_audio_out_through_a_pulseaudio_null_sink_and_back_in(pulse: dict[str, str]) -> None:
    report = _run_child(pulse)
    assert report["speakers"] == ["Null Output"]
    assert report["microphones"] == ["Loopback"]
    assert report["speaker_available"] is True
    assert report["speaker_played"] is True, report
    assert int(report["processed_usecs"]) > 300_000  # type: ignore[call-overload]
    assert str(report["device_state"]).endswith("ActiveState")
    assert abs(float(report["speaker_level_dbfs"]) - -20.0) < 1.0  # type: ignore[arg-type]
    assert report["microphone_state"] == "active"
    assert int(report["microphone_bytes"]) > 48000  # type: ignore[call-overload]
    # The tone went out through QAudioSink and came back in through QAudioSource.
    assert abs(float(report["microphone_level_dbfs"]) - -20.0) < 3.0, report  # type: ignore[arg-type]


def test_without_any_audio_device_the_app_still_runs(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PULSE_SERVER": f"unix:{tmp_path / 'no-such-server'}",
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    report = _run_child(env)
    assert report["speakers"] == [] and report["microphones"] == []
    assert report["speaker_available"] is False
    assert "No speaker" in str(report["speaker_status"])
    assert report["speaker_played"] is False and int(report["frames_pushed"]) > 0  # type: ignore[call-overload]
    assert report["microphone_state"] == "synthetic"
    assert report["microphone_frame_dbfs"] == -120.0  # silence stands in
