"""Key stores and the device identity key: keyring path, insecure backends, dev file."""

from __future__ import annotations

import base64
import functools
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from pairing.errors import DeviceKeyInvalid, KeyStoreInsecure, KeyStoreUnavailable
from pairing.identity import DEVICE_KEY, device_id, load_device_key, load_or_create_device_key
from pairing.keystore import (
    DEV_ENV,
    DEV_FILE,
    DevFileKeyStore,
    KeyringKeyStore,
    open_keystore,
    service_name,
)


class MemoryKeyring(KeyringBackend):
    """A secure-looking in-memory backend, as the OS keyring would behave."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's file backend: must be refused."""


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")


class FixedChainer(chainer.ChainerBackend):
    def __init__(self, members: list[KeyringBackend]) -> None:
        super().__init__()
        self._members = members

    @property
    def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
        return self._members


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv(DEV_ENV, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_keyring_round_trip_under_namespaced_service(memory: MemoryKeyring, tmp_path: Path) -> None:
    store = open_keystore(tmp_path / "dev-a", dev=False)
    assert isinstance(store, KeyringKeyStore)
    assert store.get("device-key") is None
    store.set("device-key", b"\x00secret\xff")
    assert store.get("device-key") == b"\x00secret\xff"
    ((service, username),) = memory.entries
    assert service == service_name(tmp_path / "dev-a") and service.startswith("klasgenoot-")
    assert username == "device-key"
    store.delete("device-key")
    assert store.get("device-key") is None
    store.delete("device-key")  # deleting what is gone is fine


def test_two_config_folders_never_share_an_entry(memory: MemoryKeyring, tmp_path: Path) -> None:
    a = open_keystore(tmp_path / "a", dev=False)
    b = open_keystore(tmp_path / "b", dev=False)
    a.set("device-key", b"A")
    b.set("device-key", b"B")
    assert (a.get("device-key"), b.get("device-key")) == (b"A", b"B")
    assert len(memory.entries) == 2


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), PlaintextKeyring(), FixedChainer([]),
     FixedChainer([PlaintextKeyring(), null.Keyring()])],
    ids=["fail", "null", "plaintext", "empty-chainer", "insecure-chainer"],
)  # fmt: skip
def test_insecure_backends_refused(backend: KeyringBackend, tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        with pytest.raises(KeyStoreInsecure):
            open_keystore(tmp_path, dev=False)
    finally:
        keyring.set_keyring(previous)
    assert "sleutelbos" in KeyStoreInsecure.message()


def test_chainer_uses_its_secure_member_only() -> None:
    secure = MemoryKeyring()
    plain = PlaintextKeyring()
    store = KeyringKeyStore("klasgenoot-test", backend=FixedChainer([plain, secure]))
    assert store.backend is secure
    store.set("device-key", b"x")
    assert plain.entries == {} and len(secure.entries) == 1


def test_locked_keyring_is_a_clear_error() -> None:
    store = KeyringKeyStore("klasgenoot-test", backend=LockedKeyring())
    with pytest.raises(KeyStoreUnavailable):
        store.get("device-key")


def test_entry_names_and_sizes_are_limited(memory: MemoryKeyring, tmp_path: Path) -> None:
    store = open_keystore(tmp_path, dev=False)
    for bad in ("", "Device-Key", "a/b", "x" * 65):
        with pytest.raises(ValueError):
            store.set(bad, b"x")
    with pytest.raises(ValueError, match="too large"):
        store.set("big", b"x" * 1000)
    assert memory.entries == {}


def test_dev_store_is_a_private_file_with_a_warning_on_every_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "cfg"
    with caplog.at_level(logging.WARNING, logger="pairing.keystore"):
        store = open_keystore(config, dev=True)
        store.set("device-key", b"k1")
        again = open_keystore(config, dev=True)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert isinstance(again, DevFileKeyStore) and again.get("device-key") == b"k1"
    path = config / DEV_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again.delete("device-key")
    assert open_keystore(config, dev=True).get("device-key") is None


@pytest.mark.parametrize(("value", "dev"), [("1", True), ("true", True), ("0", False), ("", False)])
def test_env_chooses_the_dev_store(
    value: str, dev: bool, memory: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DEV_ENV, value)
    store = open_keystore(tmp_path)
    assert isinstance(store, DevFileKeyStore) is dev
    assert isinstance(store, KeyringKeyStore) is not dev


def test_damaged_dev_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / DEV_FILE).write_text("{not json")
    with pytest.raises(KeyStoreUnavailable):
        DevFileKeyStore(tmp_path / DEV_FILE).get("device-key")


def test_device_key_created_once_and_kept(memory: MemoryKeyring, tmp_path: Path) -> None:
    store = open_keystore(tmp_path, dev=False)
    assert load_device_key(store) is None
    key = load_or_create_device_key(store)
    assert isinstance(key.curve, ec.SECP256R1)
    again = load_or_create_device_key(open_keystore(tmp_path, dev=False))
    assert device_id(again) == device_id(key)
    (text,) = memory.entries.values()
    pem = base64.b64decode(text)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted
    assert len(text) * 2 <= 2560  # fits Windows Credential Manager (UTF-16)


def test_damaged_device_key_is_refused_not_replaced(memory: MemoryKeyring, tmp_path: Path) -> None:
    store = open_keystore(tmp_path, dev=False)
    store.set(DEVICE_KEY, b"garbage")
    with pytest.raises(DeviceKeyInvalid):
        load_or_create_device_key(store)
    assert store.get(DEVICE_KEY) == b"garbage"


def test_non_p256_device_key_is_refused(memory: MemoryKeyring, tmp_path: Path) -> None:
    store = open_keystore(tmp_path, dev=False)
    other = ec.generate_private_key(ec.SECP384R1())
    store.set(
        DEVICE_KEY,
        other.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    with pytest.raises(DeviceKeyInvalid, match="P-256"):
        load_device_key(store)


def test_a_folder_set_up_with_the_dev_store_keeps_using_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("KLASGENOOT_DEV_KEYRING", raising=False)
    config = tmp_path / "demo-device"
    config.mkdir()
    open_keystore(config, dev=True).set("device-key", b"pem")
    with caplog.at_level(logging.WARNING, logger="pairing.keystore"):
        store = open_keystore(config)  # no flag, no environment variable
    assert isinstance(store, DevFileKeyStore) and store.get("device-key") == b"pem"
    assert "developer key store" in caplog.text  # still warned
    assert isinstance(open_keystore(config, dev=False), KeyringKeyStore)
    assert isinstance(open_keystore(tmp_path / "fresh"), KeyringKeyStore)


def test_two_threads_first_asking_for_the_audit_secret_get_one_secret(tmp_path: Path) -> None:
    """GUI and engine threads each hold a store of one folder and may both ask first."""
    from concurrent.futures import ThreadPoolExecutor

    from app.cli_logs import audit_secret

    for round_ in range(20):
        folder = tmp_path / str(round_)
        stores = [DevFileKeyStore(folder / DEV_FILE) for _ in range(8)]
        stores[0].set("device-key", b"kept")
        with ThreadPoolExecutor(len(stores)) as pool:
            first = functools.partial(audit_secret, create=True, state=folder / "state")
            secrets = list(pool.map(first, stores))
        assert len(set(secrets)) == 1 and secrets[0] is not None
        assert stores[0].get("device-key") == b"kept"
        assert sorted(p.name for p in folder.iterdir()) == [DEV_FILE]  # no temporary left
