"""Which key store a device uses: an explicit choice kept in its config folder.

``key-store.json`` (0600) holds ``{"version": 1, "key_store": KIND}`` and, for
systemd-creds, ``"sealed_with"``: the keys the credential was encrypted with
(``host`` or ``host+tpm2``). It is written when the device first stores a key (or
when the technician names a store at ``enroll request``) and read by every later
start, so the store is never guessed from the machine: a kiosk whose credential
cannot be decrypted says so instead of quietly making a new key in another store.

A folder from before this file existed has no record: the developer file if it is
there, else the OS keyring, as before.
"""

from __future__ import annotations

import enum
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from common.paths import ensure_private_dir, write_private_file
from pairing.errors import FileAccessFailed, KeyStoreChoiceConflict, KeyStoreChoiceInvalid

CHOICE_FILE = "key-store.json"
VERSION = 1
MAX_FILE = 4096
# The default for a new device: the kiosk's unit sets systemd-creds (packaging/kiosk).
ENV = "KLASGENOOT_KEY_STORE"
SEAL_KINDS = ("host", "host+tpm2")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def check_entry_name(name: str) -> None:
    """Entry names are short and plain: they become file and credential names too."""
    if not _NAME_RE.match(name):
        raise ValueError(f"bad key store entry name: {name!r}")


class KeyStoreKind(enum.Enum):
    KEYRING = "keyring"  # the OS keyring, unlocked by the user's login (the laptop)
    SYSTEMD_CREDS = "systemd-creds"  # encrypted by systemd, decrypted for the unit (kiosk)
    DEV_FILE = "dev-file"  # a plain file; developers, the demo and tests only

    @classmethod
    def parse(cls, text: str) -> KeyStoreKind:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise KeyStoreChoiceInvalid(repr(text)[:40]) from None


@dataclass(frozen=True, slots=True)
class KeyStoreChoice:
    """The recorded choice; ``sealed_with`` only for systemd-creds, once sealed."""

    kind: KeyStoreKind
    sealed_with: str | None = None


def _path(config_dir: Path) -> Path:
    return config_dir / CHOICE_FILE


def read_choice(config_dir: Path) -> KeyStoreChoice | None:
    """The recorded choice, None when there is none; a damaged file raises."""
    try:
        doc = jsondoc.read(_path(config_dir), limit=MAX_FILE)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FileAccessFailed(CHOICE_FILE) from exc
    except JsonDocInvalid as exc:
        raise KeyStoreChoiceInvalid(CHOICE_FILE) from exc
    try:
        if doc.get("version") != VERSION:
            raise ValueError("version")
        kind = KeyStoreKind(doc["key_store"])
        sealed = doc.get("sealed_with")
        if sealed is not None and sealed not in SEAL_KINDS:
            raise ValueError("sealed_with")
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyStoreChoiceInvalid(CHOICE_FILE) from exc
    return KeyStoreChoice(kind, sealed)


def write_choice(config_dir: Path, choice: KeyStoreChoice, *, owner: Path | None = None) -> None:
    """Record ``choice``; ``owner``: give the file to that folder's owner (the root helper)."""
    doc: dict[str, Any] = {"version": VERSION, "key_store": choice.kind.value}
    if choice.sealed_with is not None:
        doc["sealed_with"] = choice.sealed_with
    try:
        ensure_private_dir(config_dir)
        write_private_file(_path(config_dir), (json.dumps(doc, indent=2) + "\n").encode())
        if owner is not None:
            st = owner.stat()
            os.chown(_path(config_dir), st.st_uid, st.st_gid, follow_symlinks=False)
    except OSError as exc:
        raise FileAccessFailed(CHOICE_FILE) from exc


def choose(config_dir: Path, kind: KeyStoreKind) -> None:
    """The technician's explicit choice (``enroll request --key-store``).

    A device that already has a different store keeps it: moving a key between stores
    is a wipe and a new enrollment, never a side effect.
    """
    current = read_choice(config_dir)
    if current is None:
        write_choice(config_dir, KeyStoreChoice(kind))
    elif current.kind is not kind:
        raise KeyStoreChoiceConflict(f"{current.kind.value}, asked {kind.value}")


def requested_default() -> KeyStoreKind | None:
    """The default for a device with no record yet, from ``KLASGENOOT_KEY_STORE``."""
    text = os.environ.get(ENV, "").strip()
    return KeyStoreKind.parse(text) if text else None
