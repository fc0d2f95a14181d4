"""`klasgenoot student` ends cleanly on Ctrl+C and on SIGTERM (logout, shutdown):
the kiosk window's refusal to close must not keep it running, and the engine is
stopped, so the call's record is closed rather than left open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.demo.workspace import prepare
from pairing.roles import Role
from privacy.applog import LOG_NAME
from privacy.files import state_dir

KLASGENOOT = str(Path(sys.executable).parent / "klasgenoot")


def _log_text(folder: Path) -> str:
    path = state_dir(folder) / "logs" / LOG_NAME
    return path.read_text(errors="replace") if path.exists() else ""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_kiosk_app_stops_its_call_and_exits_on_a_signal(
    tmp_path: Path, signum: signal.Signals
) -> None:
    workspace, _ = prepare(tmp_path / "demo")
    folder = workspace.device_dir(Role.STUDENT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLASGENOOT_")}
    env |= {"KLASGENOOT_DEV_KEYRING": "1", "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(  # a kiosk window: not --windowed
        [KLASGENOOT, "student", "--config", str(folder), "--synthetic"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "call idle -> waiting" not in _log_text(folder):  # its engine runs
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the app did not start its engine"
            time.sleep(0.1)
        proc.send_signal(signum)
        code = proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 128 + signum
    assert "-> ended (stopped)" in _log_text(folder)  # the engine was stopped, not killed
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()
