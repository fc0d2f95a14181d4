"""``klasgenoot wipe``: return a device to first run at the end of the service.

Wipe spans packages (key store and certificates in pairing/, logs in privacy/, the
UI's settings file), so it is orchestrated here; :func:`wipe_device` is also what
the technician screen's button calls. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.settings import FILENAME as SETTINGS_FILE
from common import jsondoc
from common.errors import KlasgenootError
from common.instance import DeviceLock
from common.jsondoc import JsonDocInvalid
from pairing import device
from pairing.identity import DEVICE_KEY, delete_device_key
from pairing.keychoice import CHOICE_FILE
from pairing.keystore import MAX_DEV_FILE, DevFileKeyStore, KeyStore, open_keystore
from privacy.audit import AUDIT_SECRET_NAME
from privacy.erase import overwrite_and_remove
from privacy.errors import DeviceFolderMissing, WipeIncomplete
from privacy.files import state_dir
from privacy.wipe import wipe_state

YES = {"j", "ja", "y", "yes"}
SETTINGS = SETTINGS_FILE  # the kiosk UI's settings (app/settings.py)
BUNDLE_GLOB = "*.klasgenoot"
# key-store.json last of the folder's files: the keys it points to are gone by then.
DEVICE_FILES = (device.CERTIFICATE, device.CA_CERT, device.DEVICE_JSON, device.CRL, SETTINGS,
                CHOICE_FILE)  # fmt: skip
KEY_NAMES = (DEVICE_KEY, AUDIT_SECRET_NAME)


def confirm(question: str) -> bool:
    """Ask on the terminal; only "ja" (or "j", "yes", "y") is yes, no answer is no."""
    try:
        answer = input(f"{question} (ja/N) ")
    except EOFError:
        return False
    return answer.strip().lower() in YES


@dataclass
class WipeOutcome:
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _device_paths(config: Path) -> list[Path]:
    if not config.is_dir():
        return []
    paths = [config / name for name in DEVICE_FILES] + sorted(config.glob(BUNDLE_GLOB))
    return [p for p in paths if p.exists() or p.is_symlink()]


def _has_key(store: KeyStore, name: str) -> bool:
    try:
        return store.get(name) is not None
    except KlasgenootError:
        return True  # cannot tell: try to delete it all the same


def wipe_candidates(config: Path, store: KeyStore) -> list[str]:
    """What a wipe of ``config`` would remove (names only); empty: nothing is there."""
    found = [name for name in KEY_NAMES if _has_key(store, name)]
    found += [p.name for p in _device_paths(config)]
    if state_dir(config).exists():
        found.append(state_dir(config).name)
    if isinstance(store, DevFileKeyStore) and store.path.exists():
        found.append(store.path.name)
    return found


def wipe_device(config: Path, store: KeyStore) -> WipeOutcome:
    """Return the device to first run: keys, certificates, pairing, settings, logs.

    The keys go first: should anything after them fail, the device can no longer
    connect as itself, which is what a wipe is for. Everything is attempted; what
    could not be removed is listed in ``failed``, what was there and went in
    ``removed`` (a key that was not stored is not claimed as removed).
    """
    out = WipeOutcome()
    for name, delete in (
        (DEVICE_KEY, delete_device_key),
        (AUDIT_SECRET_NAME, lambda s: s.delete(AUDIT_SECRET_NAME)),
    ):
        if not _has_key(store, name):
            continue
        try:
            delete(store)
            out.removed.append(name)
        except KlasgenootError:
            out.failed.append(name)
    for path in _device_paths(config):
        (out.removed if overwrite_and_remove(path) else out.failed).append(path.name)
    report = wipe_state(state_dir(config))
    out.failed += report.failed
    if report.removed:
        out.removed.append(f"{report.removed} log file(s)")
    if isinstance(store, DevFileKeyStore):
        _remove_empty_dev_store(store.path, out)
    if config.is_dir() and (lock := DeviceLock.try_acquire(config, create=False)) is not None:
        lock.remove()  # empty; held by a running app (an in-app wipe), it stays
    return out


def _remove_empty_dev_store(path: Path, out: WipeOutcome) -> None:
    try:
        empty = jsondoc.read(path, limit=MAX_DEV_FILE) == {}
    except (OSError, JsonDocInvalid):
        return
    if empty:
        (out.removed if overwrite_and_remove(path) else out.failed).append(path.name)


def run_wipe(args: argparse.Namespace) -> int:
    try:
        store = open_keystore(args.config, args.dev_keyring)
        present = wipe_candidates(args.config, store)
    except KlasgenootError:
        if not args.config.is_dir():
            raise DeviceFolderMissing(str(args.config)) from None
        raise
    if not present:
        if not args.config.is_dir():
            raise DeviceFolderMissing(str(args.config))
        print(f"Er is niets te wissen in {args.config}: geen sleutels, certificaten, koppeling, "
              "instellingen of logboeken. Er is niets veranderd.")  # fmt: skip
        return 0
    if not args.yes:
        print(
            "Dit wist de sleutels, certificaten, koppeling, instellingen en alle logboeken "
            f"van het apparaat in {args.config}. Dat kan niet ongedaan worden."
        )
        if not confirm("Alles van dit apparaat wissen?"):
            print("Niet gewist; er is niets veranderd.", file=sys.stderr)
            return 1
    outcome = wipe_device(args.config, store)
    if outcome.failed:
        raise WipeIncomplete(", ".join(outcome.failed))
    print("Het apparaat is gewist. Bij de volgende start begint het opnieuw bij het inrichten.")
    return 0
