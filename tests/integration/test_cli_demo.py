"""`klasgenoot demo --headless` as a person runs it: a real subprocess, a real call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

KLASGENOOT = Path(sys.executable).with_name("klasgenoot")


def _demo(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [str(KLASGENOOT), "demo", "--headless", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_demo_reports_media_both_ways_and_reuses_its_folder(tmp_path: Path) -> None:
    data, report = tmp_path / "d", tmp_path / "r.json"
    first = _demo("--seconds", "3", "--data", str(data), "--report", str(report))
    assert first.returncode == 0, first.stderr
    result = json.loads(report.read_text())
    assert result["connected"] is True
    assert result["peer_verified"] == {"student": True, "classroom": True}
    assert result["candidate_type"] == "host"
    for direction, size in (
        ("classroom_to_student", (1280, 720)),
        ("student_to_classroom", (640, 480)),
    ):
        d = result[direction]
        assert (d["width"], d["height"]) == size
        # Media flows: the frame rate itself is the benchmark's (bench/), not a test's:
        # a loaded CI machine may halve it for a while.
        assert d["fps"] > 0 and d["frames_received"] >= 15
        assert d["latency_samples"] > 0 and d["audio_frames_received"] > 0
    assert "gemaakt" in first.stderr
    device_json = (data / "student" / "device.json").read_bytes()

    second = _demo("--seconds", "2", "--data", str(data))
    assert second.returncode == 0, second.stderr
    assert "hergebruikt" in second.stderr
    assert (data / "student" / "device.json").read_bytes() == device_json  # same pairing
    assert "Media beide kanten op: ja" in second.stdout


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "thesis.txt").write_text("mine")
    result = _demo("--seconds", "2", "--data", str(tmp_path), timeout=30)
    assert result.returncode == 1
    assert "niet leeg" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.txt"]  # nothing written


def test_demo_refuses_bad_seconds(tmp_path: Path) -> None:
    result = _demo("--seconds", "soon", timeout=30)
    assert result.returncode == 2 and "seconden" in result.stderr
    assert "Traceback" not in result.stderr
