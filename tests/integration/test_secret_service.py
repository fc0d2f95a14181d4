"""The production key store against a real Secret Service (gnome-keyring on a private bus).

``dbus-run-session`` gives the test its own session bus; ``gnome-keyring-daemon
--unlock`` reads the (empty) login password from stdin and serves the Secret
Service there. HOME and the XDG folders point into tmp_path, so the developer's
own keyring is never touched. CI installs both programs (``./dev``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.secret_service

REPO = Path(__file__).resolve().parents[2]
TOOLS = ("dbus-run-session", "dbus-send", "gnome-keyring-daemon")
MISSING = [tool for tool in TOOLS if not shutil.which(tool)]

SNIPPET = """
import json, sys
from pathlib import Path
from pairing.identity import device_id, load_device_key, load_or_create_device_key
from pairing.keystore import open_keystore

config = Path(sys.argv[1])
store = open_keystore(config, dev=False)
out = {"backend": type(store.backend).__module__}
key = load_or_create_device_key(store)
again = load_device_key(open_keystore(config, dev=False))
out["same_key"] = again is not None and device_id(again) == device_id(key)
other = open_keystore(config.parent / "other", dev=False)
out["other_folder_empty"] = other.get("device-key") is None
store.set("audit-secret", bytes(range(64)))
out["bytes_round_trip"] = store.get("audit-secret") == bytes(range(64))
store.delete("device-key")
store.delete("audit-secret")
out["deleted"] = store.get("device-key") is None and store.get("audit-secret") is None
print(json.dumps(out))
"""

# The daemon reads the login keyring's password from stdin: an empty line. It takes
# the Secret Service's bus name a moment after it returns; a call before that starts
# a second daemon through D-Bus activation, and the two fight over the name (a
# loaded CI machine once saw "Message recipient disconnected"): wait for the name.
SESSION = (
    'printf "\\n" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1; '
    "for _ in $(seq 100); do "
    "dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus "
    "org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null "
    '| grep -q "boolean true" && exec "$@"; sleep 0.1; done; '
    'echo "the Secret Service did not take its name on the bus within 10 s" >&2; exit 1'
)


@pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} (./dev setup)")
def test_keyring_key_store_round_trip(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(run_dir),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONPATH": str(REPO),
    }
    config = tmp_path / "device"
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", SESSION, "sh", sys.executable, "-c", SNIPPET,
         str(config)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {
        "backend": "keyring.backends.SecretService",
        "same_key": True,
        "other_folder_empty": True,
        "bytes_round_trip": True,
        "deleted": True,
    }
    assert not (config / "dev-keyring.json").exists()
    assert (tmp_path / "data" / "keyrings" / "login.keyring").exists()
