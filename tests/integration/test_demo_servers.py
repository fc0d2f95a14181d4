"""``klasgenoot demo --headless --servers 2``: the pair calls across two instances on Redis."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_cli_demo import _demo


def test_demo_call_across_two_instances_on_redis(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    done = _demo("--servers", "2", "--seconds", "3", "--report", str(report))
    assert done.returncode == 0, done.stderr
    result = json.loads(report.read_text())
    assert result["peer_verified"] == {"student": True, "classroom": True}
    instances = result["signaling_instance"]
    assert set(instances) == {"student", "classroom"}
    assert None not in instances.values()
    assert instances["student"] != instances["classroom"]  # each on its own instance
    assert result["student_to_classroom"]["frames_received"] >= 15


def test_demo_with_one_server_names_the_same_instance_twice(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    done = _demo("--seconds", "2", "--report", str(report))
    assert done.returncode == 0, done.stderr
    instances = json.loads(report.read_text())["signaling_instance"]
    assert instances["student"] == instances["classroom"] is not None


def test_two_servers_need_the_headless_loopback_demo() -> None:
    done = _demo("--servers", "2", "--network", "home-school")
    assert done.returncode != 0
    assert "Meer dan één server kan alleen" in done.stderr
