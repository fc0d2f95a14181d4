"""The operator's commands (server, fleet, enroll, logs, headless demo) run without Qt."""

from __future__ import annotations

import subprocess
import sys

# A meta-path hook that makes every PySide6/shiboken6 import fail, as on a server
# without Qt libraries; then the CLI builds its parser and runs a few commands.
_PROBE = """
import sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6"):
            raise ImportError("no Qt on this machine")
sys.meta_path.insert(0, NoQt())
from app import cli
for argv in (["server", "--help"], ["fleet", "--help"], ["enroll", "--help"],
             ["logs", "--help"], ["demo", "--help"]):
    try:
        cli.main(argv)
    except SystemExit as exc:
        assert exc.code == 0, (argv, exc.code)
import app.demo.headless, app.runtime  # what `demo --headless` needs
print("ok")
"""


def test_operator_commands_import_no_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")


# The server's process holds 10,000 connections: it should not also carry the media
# stack (PyAV, aiortc, numpy and its OpenBLAS threads) that only the devices use.
_SERVER_PROBE = """
import sys
from app import cli
cli.build_parser()
from app import cli_server
loaded = sorted(m for m in ("av", "aiortc", "numpy", "livekit", "PySide6") if m in sys.modules)
print("loaded", *loaded)
"""


def test_the_server_command_loads_no_media_stack() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _SERVER_PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["loaded"]
