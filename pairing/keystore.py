"""Where a device keeps its secrets: the OS keyring, or an explicit developer file.

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
import re
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
from pairing.errors import KeyStoreInsecure, KeyStoreUnavailable

logger = logging.getLogger(__name__)

DEV_ENV = "KLASGENOOT_DEV_KEYRING"
DEV_FILE = "dev-keyring.json"
MAX_ENTRY_CHARS = 1280  # Windows Credential Manager: 2560 bytes of UTF-16
MAX_DEV_FILE = 64 * 1024
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class KeyStore(Protocol):
    """A small named-secret store; ``get`` returns None when nothing is stored."""

    def get(self, name: str) -> bytes | None: ...

    def set(self, name: str, value: bytes) -> None: ...

    def delete(self, name: str) -> None: ...


def service_name(config_dir: Path) -> str:
    """The keyring service for one config folder."""
    return f"klasgenoot-{namespace_for(config_dir)}"


def _check_name(name: str) -> None:
    if not _NAME_RE.match(name):
        raise ValueError(f"bad key store entry name: {name!r}")


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
        _check_name(name)
        try:
            text = self._backend.get_password(self._service, name)
        except keyring.errors.KeyringError as exc:
            raise KeyStoreUnavailable(type(exc).__name__) from exc
        return None if text is None else _decode(text)

    def set(self, name: str, value: bytes) -> None:
        _check_name(name)
        text = _encode(value)
        try:
            self._backend.set_password(self._service, name, text)
        except keyring.errors.KeyringError as exc:
            raise KeyStoreUnavailable(type(exc).__name__) from exc

    def delete(self, name: str) -> None:
        _check_name(name)
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
        _check_name(name)
        text = self._read().get(name)
        return None if text is None else _decode(text)

    def set(self, name: str, value: bytes) -> None:
        _check_name(name)
        with _DEV_FILE_LOCK:
            data = self._read()
            data[name] = _encode(value)
            self._write(data)

    def delete(self, name: str) -> None:
        _check_name(name)
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


def open_keystore(config_dir: Path, dev: bool | None = None) -> KeyStore:
    """The key store of one device.

    ``dev=None`` reads ``KLASGENOOT_DEV_KEYRING``, and also keeps using the developer
    store of a folder that was set up with it explicitly (the demo's devices): its
    key is in that file and nowhere else. The store warns on every start either way.
    ``dev=False`` always means the OS keyring.
    """
    if dev is None:
        dev = dev_requested() or (config_dir / DEV_FILE).is_file()
    if dev:
        return DevFileKeyStore(config_dir / DEV_FILE)
    return KeyringKeyStore(service_name(config_dir))
