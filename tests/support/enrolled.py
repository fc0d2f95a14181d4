"""A fleet made by the product's own code and one enrolled device folder (dev key store),
for commands that read a device's config folder (``klasgenoot nettest``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.paths import ensure_private_dir, write_private_file
from pairing.bundle import check_ice_servers
from pairing.ca import CertifiedKey
from pairing.device import install_bundle
from pairing.enrollment import create_request
from pairing.fleet import init_fleet, load_ca, load_settings, pair, save_settings
from pairing.identity import load_or_create_device_key
from pairing.keystore import open_keystore
from pairing.roles import Role

PASSPHRASE = "test passphrase, long enough"


@dataclass(frozen=True)
class Fleet:
    root: Path
    folder: Path  # the server's data folder
    ca: CertifiedKey  # to issue a relay certificate, as ``fleet turn`` does

    def set_turn_secret(self, secret: bytes) -> None:
        """The TURN REST secret the server mints with (as ``fleet turn`` keeps it)."""
        turn = ensure_private_dir(self.folder / "turn")
        write_private_file(turn / "turn-secret", secret + b"\n")
        write_private_file(turn / "pseudonym-key", bytes(range(32)).hex().encode() + b"\n")

    def enroll_student(self, ice_servers: Sequence[Mapping[str, Any]] = ()) -> Path:
        """Pair two devices (bundles naming ``ice_servers``); the student's config folder."""
        settings = load_settings(self.folder)
        save_settings(
            self.folder,
            dataclasses.replace(settings, ice_servers=check_ice_servers(list(ice_servers))),
        )
        requests = {}
        for role in Role:
            store = open_keystore(ensure_private_dir(self.root / role.value), dev=True)
            requests[role] = create_request(load_or_create_device_key(store), role)
        result = pair(
            self.folder, PASSPHRASE, requests[Role.STUDENT], requests[Role.CLASSROOM],
            until=dt.date.today() + dt.timedelta(days=30), out_dir=self.root / "bundles",
        )  # fmt: skip
        device = self.root / Role.STUDENT.value
        install_bundle(device, open_keystore(device, dev=True),
                       result.student_bundle.read_bytes(), expected_role=Role.STUDENT)  # fmt: skip
        return device


def new_fleet(root: Path, signaling_url: str | Sequence[str]) -> Fleet:
    folder = root / "fleet"
    init_fleet(folder, PASSPHRASE, signaling_url=signaling_url)
    return Fleet(root, folder, load_ca(folder, PASSPHRASE))
