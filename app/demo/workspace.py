"""The demo's folders: a fleet, a student and a classroom device, made or reused.

Everything is made through the same code the ``fleet`` and ``enroll`` commands use,
with the developer key store (a file per device: the demo runs two devices on one
machine and must not touch the real keyring). A folder that already holds a demo
is reused as it is (same fleet, same pairing, same keys); any other non-empty
folder is refused, so the demo never writes into someone's files.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import jsondoc
from common.errors import KlasgenootError
from common.jsondoc import JsonDocInvalid
from common.paths import ensure_private_dir, write_private_file
from pairing.device import install_bundle
from pairing.enrollment import create_request
from pairing.fleet import init_fleet, pair
from pairing.identity import load_or_create_device_key
from pairing.keystore import open_keystore
from pairing.roles import Role
from pairing.turnconf import configure_turn
from pairing.turnfiles import TURN_CONF, TURN_DIR

MARKER = "klasgenoot-demo.json"
MARKER_VERSION = 1
MAX_MARKER = 4096  # {"version": 1, "network": …}
PAIRING_DAYS = 180


class DemoFolderInUse(KlasgenootError):
    """Die map is niet leeg en bevat geen Klasgenoot-demo. Kies een lege map."""


class DemoFolderOtherKind(KlasgenootError):
    """Die demomap hoort bij een demo met een ander netwerk (wel of geen --network).
    Kies een nieuwe, lege map."""


class DemoFolderBroken(KlasgenootError):
    """Die demomap is onvolledig of beschadigd. Kies een nieuwe, lege map."""


@dataclass(frozen=True)
class Network:
    """Where the fleet's services are in a network demo (netlab's addresses)."""

    server_ip: str
    server_port: int
    turn_ip: str
    allowed_peers: tuple[str, ...]
    denied_peers: tuple[str, ...]


@dataclass(frozen=True)
class Workspace:
    root: Path
    temporary: bool

    @property
    def turn_config(self) -> Path:
        return self.server / TURN_DIR / TURN_CONF

    @property
    def server(self) -> Path:
        return self.root / "server"

    def device_dir(self, role: Role) -> Path:
        return self.root / role.value

    def cleanup(self) -> None:
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)


def prepare(data: Path | None, network: Network | None = None) -> tuple[Workspace, bool]:
    """Return the workspace and whether it was newly made.

    ``network``: a fleet whose server and relay are at the lab's addresses
    (``demo --network``); a kept folder remembers which kind it is.
    """
    if data is None:
        root = Path(tempfile.mkdtemp(prefix="klasgenoot-demo-"))
        workspace = Workspace(root, temporary=True)
        _create(workspace, network)
        return workspace, True
    workspace = Workspace(data.resolve(), temporary=False)
    marker = workspace.root / MARKER
    if marker.is_file():
        _check_marker(marker, network)
        return workspace, False
    if workspace.root.exists() and any(workspace.root.iterdir()):
        raise DemoFolderInUse(str(data))
    _create(workspace, network)
    return workspace, True


def _check_marker(marker: Path, network: Network | None) -> None:
    try:
        info = jsondoc.read(marker, limit=MAX_MARKER)
    except (OSError, JsonDocInvalid) as exc:
        raise DemoFolderBroken() from exc
    if info.get("version") != MARKER_VERSION:
        raise DemoFolderBroken("version")
    if bool(info.get("network")) != (network is not None):
        raise DemoFolderOtherKind()


def _create(workspace: Workspace, network: Network | None = None) -> None:
    ensure_private_dir(workspace.root)
    # The CA key is needed only to pair, once: a random passphrase, never stored.
    passphrase = secrets.token_urlsafe(24)
    if network is None:
        init_fleet(
            workspace.server,
            passphrase,
            server_name="localhost",
            signaling_url="wss://localhost:8443/ws",
        )
    else:  # before pairing, so the bundles name the relay
        init_fleet(
            workspace.server,
            passphrase,
            server_name=network.server_ip,
            signaling_url=f"wss://{network.server_ip}:{network.server_port}/ws",
        )
        configure_turn(
            workspace.server,
            passphrase,
            network.turn_ip,
            listen_ips=[network.turn_ip],
            relay_ip=network.turn_ip,
            allowed_peer_ranges=network.allowed_peers,
            denied_peer_ranges=network.denied_peers,
        )
    requests = {}
    for role in Role:
        folder = ensure_private_dir(workspace.device_dir(role))
        key = load_or_create_device_key(open_keystore(folder, dev=True))
        requests[role] = create_request(key, role)
    bundles = workspace.root / "bundles"
    result = pair(
        workspace.server,
        passphrase,
        requests[Role.STUDENT],
        requests[Role.CLASSROOM],
        until=dt.date.today() + dt.timedelta(days=PAIRING_DAYS),
        out_dir=bundles,
    )
    for role, path in (
        (Role.STUDENT, result.student_bundle),
        (Role.CLASSROOM, result.classroom_bundle),
    ):
        folder = workspace.device_dir(role)
        install_bundle(
            folder, open_keystore(folder, dev=True), path.read_bytes(), expected_role=role
        )
    shutil.rmtree(bundles, ignore_errors=True)
    info = {"version": MARKER_VERSION, "pairing": result.pairing_id, "network": bool(network)}
    write_private_file(workspace.root / MARKER, json.dumps(info).encode())
