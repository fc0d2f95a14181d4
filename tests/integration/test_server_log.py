"""The server's own log: a redacted file in the fleet's state folder, and `fleet revoke`
removes what it says about the revoked devices."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from pairing.ca import new_key
from pairing.enrollment import create_request
from pairing.fleet import init_fleet, pair
from pairing.roles import Role
from privacy.files import logs_dir, state_dir

KLASGENOOT = Path(sys.executable).with_name("klasgenoot")
PASS = "correct horse battery"


def _pairing(data: Path, out: Path) -> tuple[str, str, str]:
    s, c = new_key(), new_key()
    result = pair(data, PASS, create_request(s, Role.STUDENT), create_request(c, Role.CLASSROOM),
                  until=dt.date.today() + dt.timedelta(days=30), out_dir=out)  # fmt: skip
    return result.pairing_id, result.student_id.short, result.classroom_id.short


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KLASGENOOT_FLEET_PASSPHRASE": PASS}
    return subprocess.run([str(KLASGENOOT), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip


def test_server_writes_its_own_redacted_log(tmp_path: Path) -> None:
    data = tmp_path / "fleet"
    init_fleet(data, PASS)
    proc = subprocess.Popen(
        [str(KLASGENOOT), "server", "--data", str(data), "--host", "127.0.0.1", "--port", "0",
         "--no-health"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("listening on port")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = (logs_dir(state_dir(data)) / "klasgenoot.log").read_text()
    assert "signaling server listening" in text and "127.0.0.1" not in text


def test_revoke_purges_the_server_log_about_those_devices(tmp_path: Path) -> None:
    data = tmp_path / "fleet"
    init_fleet(data, PASS)
    gone = _pairing(data, tmp_path / "a")
    kept = _pairing(data, tmp_path / "b")
    log = logs_dir(state_dir(data)) / "klasgenoot.log"
    log.parent.mkdir(parents=True)
    lines = [f"INFO signaling.hub: device {short} online (student)\n" for short in gone[1:]]
    lines += [f"INFO signaling.hub: device {short} online (student)\n" for short in kept[1:]]
    lines.append("INFO signaling.server: signaling server listening on port 8443\n")
    log.write_text("".join(lines))

    result = _run("fleet", "revoke", "--data", str(data), gone[0])
    assert result.returncode == 0, result.stderr
    assert "2 regels" in result.stdout
    text = log.read_text()
    assert all(short not in text for short in gone[1:])
    assert all(short in text for short in kept[1:]) and "listening" in text
