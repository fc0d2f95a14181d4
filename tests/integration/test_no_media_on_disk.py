"""No media on disk: a real live call (720p30 + 480p30 video and audio both ways, ~3 s)
with the connection log and program log running leaves the device's folders and the
temp folder free of media: they grow by less than 256 KiB while megabytes of media
flow, and no container or codec signature appears in any file."""

from __future__ import annotations

import dataclasses
import logging
import re
import struct
import tempfile
import time
from pathlib import Path

import pytest

from media.peer import LocalMedia
from media.state import CallState, StateChange
from media.stats import CallStats
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack
from pairing.credentials import DeviceCredentials
from privacy.applog import quiet_libraries, setup_program_log
from privacy.codes import EventKind
from privacy.export import DeviceInfo, export_document
from privacy.files import state_dir
from privacy.store import ConnectionLog
from tests.support.calls import Recorder, make_engine, wait_until
from tests.support.pki import TestFleet
from tests.support.relay import MemoryRelay

GROWTH_BOUND = 256 * 1024
SIZES = ((1280, 720), (640, 480))
SIGNATURES: dict[str, re.Pattern[bytes]] = {
    "IVF": re.compile(rb"DKIF"),
    "WebM/Matroska": re.compile(re.escape(bytes.fromhex("1A45DFA3"))),
    "Ogg": re.compile(rb"OggS"),
    "Opus header": re.compile(rb"OpusHead"),
    "RIFF/WAVE/AVI": re.compile(rb"RIFF.{4}(?:WAVE|AVI )", re.DOTALL),
    "MP4/MOV": re.compile(rb"ftyp(?:isom|iso\d|mp4\d|avc1|M4A |M4V |dash|qt  |3gp)"),
    "VP8 keyframe": re.compile(b"|".join(
        re.escape(b"\x9d\x01\x2a" + struct.pack("<HH", w, h)) for w, h in SIZES)),
    "JPEG": re.compile(rb"\xff\xd8\xff[\xc0-\xc3\xdb\xe0-\xef]"),
    "PNG": re.compile(re.escape(b"\x89PNG\r\n\x1a\n")),
}  # fmt: skip


class LoggingRecorder(Recorder):
    """Records like tests.support.calls.Recorder and feeds the connection log the way
    the engine will (media/ is wired to privacy/ by its owner)."""

    def __init__(self, log: ConnectionLog, creds: DeviceCredentials) -> None:
        super().__init__()
        self.log, self.creds = log, creds
        self.session: int | None = None
        self.connecting_at = 0.0
        self.latest = CallStats()

    def on_signaling(self, connected: bool) -> None:
        super().on_signaling(connected)
        self.log.event(None, EventKind.SIGNALING_UP if connected else EventKind.SIGNALING_DOWN)

    def on_state(self, change: StateChange) -> None:
        super().on_state(change)
        if change.state is CallState.CONNECTING and self.session is None:
            self.connecting_at = time.monotonic()
            info = self.creds.info
            self.session = self.log.session_started(
                role=info.role.value, peer_short=info.peer_id.short
            )
        elif change.state is CallState.LIVE and self.session is not None:
            setup = int((time.monotonic() - self.connecting_at) * 1000)
            self.log.session_connected(self.session, setup_ms=setup, candidate_type=None)
        elif change.state is CallState.ENDED and self.session is not None:
            assert change.reason is not None
            self.log.session_ended(self.session, reason=change.reason.value, reconnects=0,
                                   freezes=self.latest.freezes, bytes_out=self.latest.bytes_out,
                                   bytes_in=self.latest.bytes_in)  # fmt: skip
            self.session = None

    def on_stats(self, stats: CallStats) -> None:
        super().on_stats(stats)
        self.latest = stats
        if self.session is not None:
            self.log.session_stats(self.session, dataclasses.asdict(stats))


def snapshot(root: Path) -> dict[Path, int]:
    return {p: p.stat().st_size for p in root.rglob("*") if p.is_file()}


def find_media(root: Path) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{path.relative_to(root)}: {name}" for name, sig in SIGNATURES.items()
                  if sig.search(data)]  # fmt: skip
    return found


@pytest.fixture
def roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every place a device could write: HOME, XDG folders, temp and config folders."""
    root = tmp_path / "device"
    for name in ("home", "config", "data", "cache", "state", "runtime", "tmp", "devices"):
        (root / name).mkdir(parents=True, mode=0o700)
    env = {"HOME": "home", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data",
           "XDG_CACHE_HOME": "cache", "XDG_STATE_HOME": "state", "XDG_RUNTIME_DIR": "runtime",
           "TMPDIR": "tmp", "TMP": "tmp", "TEMP": "tmp"}  # fmt: skip
    for key, name in env.items():
        monkeypatch.setenv(key, str(root / name))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    assert tempfile.gettempdir() == str(root / "tmp")
    return root


async def test_a_live_call_writes_no_media(roots: Path, fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    config = {role: roots / "devices" / role for role in ("student", "classroom")}
    logs = {role: ConnectionLog.open(state_dir(folder)) for role, folder in config.items()}
    program = setup_program_log(state_dir(config["student"]), level=logging.DEBUG)
    assert all(log.flush() for log in logs.values())
    before = sum(snapshot(roots).values())  # the device as it is before any call
    relay = MemoryRelay()
    rs = LoggingRecorder(logs["student"], student)
    rc = LoggingRecorder(logs["classroom"], classroom)
    es, _ = make_engine(
        student,
        relay.port,
        recorder=rs,
        media=LocalMedia(SyntheticAudioTrack(), SyntheticVideoTrack(640, 480, 30)),
    )
    ec, _ = make_engine(
        classroom,
        relay.port,
        recorder=rc,
        media=LocalMedia(SyntheticAudioTrack(), SyntheticVideoTrack(1280, 720, 30)),
    )
    await ec.start()
    await es.start()
    try:
        await wait_until(lambda: len(rs.video_times) >= 90 and len(rc.video_times) >= 90
                         and len(rs.stats) >= 2, 20, "3 s of video both ways")  # fmt: skip
        during = sum(snapshot(roots).values()) - before  # WAL and all, while live
        await es.hangup()
        await wait_until(lambda: rc.state is CallState.ENDED, 5, "ended")
    finally:
        await es.stop()
        await ec.stop()
        for log in logs.values():
            log.close()
        program.close()
        quiet_libraries()

    media_bytes = rs.latest.bytes_in + rc.latest.bytes_in
    after = snapshot(roots)
    growth = sum(after.values()) - before
    files = sorted((str(p.relative_to(roots)), size) for p, size in after.items())
    assert during < GROWTH_BOUND, files
    # Even an eighth of the media that flowed, stored in any form, would not fit.
    assert growth < min(GROWTH_BOUND, media_bytes // 8), (growth, media_bytes, files)
    assert find_media(roots) == []
    # The logs did run: the call is on record, technically, and nothing failed.
    assert all(log.health.ok for log in logs.values())
    doc = export_document(state_dir(config["classroom"]), device=DeviceInfo())
    assert [s["end_reason"] for s in doc["sessions"]] == ["hangup_remote"]
    assert doc["sessions"][0]["fps_in_max"] > 0
    program_text = (state_dir(config["student"]) / "logs" / "klasgenoot.log").read_text()
    assert "call live -> ended" in program_text and "127.0.0.1" not in program_text


def test_the_scan_would_find_media(tmp_path: Path) -> None:
    """The signatures are real: each matches a minimal file of its kind."""
    samples = {
        "IVF": b"DKIF\x00\x00\x20\x00VP80",
        "WebM/Matroska": bytes.fromhex("1A45DFA3") + b"\x9f\x42\x86\x81\x01",
        "Ogg": b"OggS\x00\x02",
        "RIFF/WAVE/AVI": b"RIFF\x24\x08\x00\x00WAVEfmt ",
        "MP4/MOV": b"\x00\x00\x00\x18ftypisom",
        "VP8 keyframe": b"\x50\x42\x00\x9d\x01\x2a" + struct.pack("<HH", 1280, 720),
        "JPEG": b"\xff\xd8\xff\xe0\x00\x10JFIF",
        "PNG": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    }
    for name, data in samples.items():
        (tmp_path / name.replace("/", "-")).write_bytes(b"padding" + data + b"tail")
    found = find_media(tmp_path)
    assert {line.split(": ", 1)[1] for line in found} == set(samples)
