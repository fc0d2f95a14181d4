"""Where a device keeps its secrets: the OS keyring, systemd-creds (pairing.credstore,
the classroom unit), or an explicit developer file; the choice is pairing.keychoice's.

Entries are small byte strings under a name (``device-key``, later an audit
secret). The keyring service name is derived from the config folder, so two devices
on one machine (the demo) never share an entry. Values are stored base64-encoded
because keyring backends hold text; a P-256 PEM stays far below Windows' limit of
2560 bytes (1280 UTF-16 characters).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from common.paths import ensure_private_dir, namespace_for, write_private_file
from pairing.credstore import CredsKeyStore
from pairing.errors import (
    KeyStoreChoiceConflict,
    KeyStoreInsecure,
    KeyStoreUnavailable,
    PairingError,
)
from pairing.keychoice import (
    KeyStoreChoice,
    KeyStoreKind,
    check_entry_name,
    read_choice,
    requested_default,
)

logger = logging.getLogger(__name__)

DEV_ENV = "KLASGENOOT_DEV_KEYRING"
DEV_FILE = "dev-keyring.json"
MAX_ENTRY_CHARS = 1280  # Windows Credential Manager: 2560 bytes of UTF-16
MAX_DEV_FILE = 64 * 1024


class KeyStore(Protocol):
    """A small named-secret store; ``get`` returns None when nothing is stored."""

    def get(self, name: str) -> bytes | None: ...

    def set(self, name: str, value: bytes) -> None: ...

    def delete(self, name: str) -> None: ...


def service_name(config_dir: Path) -> str:
    """The keyring service for one config folder."""
    return f"klasgenoot-{namespace_for(config_dir)}"


def _encode(value: bytes) -> str:
    text = base64.b64encode(value).decode("ascii")
    if len(text) > MAX_ENTRY_CHARS:
        raise ValueError("key store entry too large")
    return text


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise KeyStoreUnavailable("entry is not base64") from exc


def is_secure_backend(backend: KeyringBackend) -> bool:
    """False for keyring's fail/null backends and anything that stores plaintext."""
    if isinstance(backend, fail.Keyring | null.Keyring | chainer.ChainerBackend):
        return False
    return "plaintext" not in type(backend).__name__.lower()


def secure_backend(backend: KeyringBackend) -> KeyringBackend:
    """The backend to use, or KeyStoreInsecure.

    A chainer writes to the first member that accepts a value, which could be a
    plaintext one; so we use its highest-priority *secure* member directly.
    """
    if isinstance(backend, chainer.ChainerBackend):
        members: list[KeyringBackend] = list(backend.backends)
        secure = [m for m in members if is_secure_backend(m)]
        if not secure:
            raise KeyStoreInsecure(f"no secure backend among {len(members)}")
        return secure[0]
    if not is_secure_backend(backend):
        raise KeyStoreInsecure(type(backend).__name__)
    return backend


class KeyringKeyStore:
    """The production store: the OS keyring (Secret Service, Keychain, Windows)."""

    def __init__(self, service: str, backend: KeyringBackend | None = None) -> None:
        self._service = service
        self._backend = secure_backend(backend if backend is not None else keyring.get_keyring())
        logger.debug("key store: %s", type(self._backend).__name__)

    @property
    def backend(self) -> KeyringBackend:
        return self._backend

    def get(self, name: str) -> bytes | None:
        check_entry_name(name)
        try:
            text = self._backend.get_password(self._service, name)
        except keyring.errors.KeyringError as exc:
            raise KeyStoreUnavailable(type(exc).__name__) from exc
        return None if text is None else _decode(text)

    def set(self, name: str, value: bytes) -> None:
        check_entry_name(name)
        text = _encode(value)
        try:
            self._backend.set_password(self._service, name, text)
        except keyring.errors.KeyringError as exc:
            raise KeyStoreUnavailable(type(exc).__name__) from exc

    def delete(self, name: str) -> None:
        check_entry_name(name)
        try:
            self._backend.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError:
            return  # nothing stored: already gone
        except keyring.errors.KeyringError as exc:
            raise KeyStoreUnavailable(type(exc).__name__) from exc


# Read-modify-write of the file: the GUI and engine threads each hold a store of
# the same folder, and one must not drop the entry the other just added.
_DEV_FILE_LOCK = threading.Lock()


class DevFileKeyStore:
    """Developer store: a 0600 JSON file in the config folder. Never for real pupils."""

    def __init__(self, path: Path) -> None:
        self._path = path
        # Every start says so, so nobody ships a device with keys in a file by accident.
        logger.warning("developer key store in use: keys are in a plain file, not the keyring")

    @property
    def path(self) -> Path:
        return self._path

    def _read(self) -> dict[str, str]:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise KeyStoreUnavailable("dev key store unreadable") from exc
        try:
            data = jsondoc.loads(raw, limit=MAX_DEV_FILE)
        except JsonDocInvalid as exc:
            raise KeyStoreUnavailable("dev key store damaged") from exc
        if not all(isinstance(v, str) for v in data.values()):
            raise KeyStoreUnavailable("dev key store damaged")
        return data

    def get(self, name: str) -> bytes | None:
        check_entry_name(name)
        text = self._read().get(name)
        return None if text is None else _decode(text)

    def set(self, name: str, value: bytes) -> None:
        check_entry_name(name)
        with _DEV_FILE_LOCK:
            data = self._read()
            data[name] = _encode(value)
            self._write(data)

    def delete(self, name: str) -> None:
        check_entry_name(name)
        with _DEV_FILE_LOCK:
            data = self._read()
            if data.pop(name, None) is not None:
                self._write(data)

    def _write(self, data: dict[str, str]) -> None:
        try:
            ensure_private_dir(self._path.parent)
            write_private_file(self._path, json.dumps(data, indent=2, sort_keys=True).encode())
        except OSError as exc:
            raise KeyStoreUnavailable("dev key store not writable") from exc


def dev_requested() -> bool:
    return os.environ.get(DEV_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def open_keystore(
    config_dir: Path, dev: bool | None = None, kind: KeyStoreKind | None = None
) -> KeyStore:
    """The key store of one device: the one recorded in its folder (pairing.keychoice).

    ``kind`` is an explicit request (``--key-store``): it must agree with the record.
    ``dev=True`` (``--dev-keyring``) is the developer file. With neither, a recorded
    choice wins; a folder without one (set up before the choice was recorded, or new)
    keeps using the developer file if it is there (the demo's devices: their key is in
    it and nowhere else), else takes ``KLASGENOOT_DEV_KEYRING`` or
    ``KLASGENOOT_KEY_STORE`` (the kiosk unit sets systemd-creds), else the OS keyring.
    ``dev=False`` always means the OS keyring. The developer store warns on every start.
    """
    recorded = read_choice(config_dir)
    if kind is None and dev is not None:
        kind = KeyStoreKind.DEV_FILE if dev else KeyStoreKind.KEYRING
    elif kind is not None and recorded is not None and recorded.kind is not kind:
        raise KeyStoreChoiceConflict(f"{recorded.kind.value}, asked {kind.value}")
    if kind is None and recorded is not None:
        kind = recorded.kind
    if kind is None:
        if dev_requested() or (config_dir / DEV_FILE).is_file():
            kind = KeyStoreKind.DEV_FILE
        else:
            kind = requested_default() or KeyStoreKind.KEYRING
    if kind is KeyStoreKind.DEV_FILE:
        return DevFileKeyStore(config_dir / DEV_FILE)
    if kind is KeyStoreKind.SYSTEMD_CREDS:
        return CredsKeyStore(config_dir)
    return KeyringKeyStore(service_name(config_dir))


def keystore_kind(store: KeyStore) -> KeyStoreKind | None:
    """Which kind ``store`` is (for the technician's facts); None for anything else."""
    kinds = {DevFileKeyStore: KeyStoreKind.DEV_FILE, KeyringKeyStore: KeyStoreKind.KEYRING,
             CredsKeyStore: KeyStoreKind.SYSTEMD_CREDS}  # fmt: skip
    return next((k for cls, k in kinds.items() if isinstance(store, cls)), None)


def store_facts(config_dir: Path, store: KeyStore) -> KeyStoreChoice | None:
    """What the device records (with what systemd-creds sealed), or what it uses.

    A folder from before the record says which store it uses; a damaged record is
    reported by the store itself when the key is read, so here it shows as None.
    """
    try:
        recorded = read_choice(config_dir)
    except PairingError:
        recorded = None
    if recorded is not None:
        return recorded
    kind = keystore_kind(store)
    return None if kind is None else KeyStoreChoice(kind)
