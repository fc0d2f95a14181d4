"""The systemd-creds key store with the real ``systemd-creds`` tool.

``SYSTEMD_CREDENTIAL_SECRET`` points systemd-creds at a host key in the test's own
folder, so no test touches /var/lib/systemd and none needs root. ``systemd-creds
decrypt`` into a folder stands in for what ``LoadCredentialEncrypted=`` does at the
unit's start; ``CREDENTIALS_DIRECTORY`` then names that folder, as systemd does.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pairing import credstore, keystore
from pairing.credseal import seal_pending
from pairing.credstore import ABSENT, CredsKeyStore
from pairing.errors import (
    CredentialSealFailed,
    CredentialToolMissing,
    CredentialUnreadable,
    KeyStoreChoiceConflict,
)
from pairing.identity import DEVICE_KEY, device_id, load_or_create_device_key
from pairing.keychoice import ENV, KeyStoreKind, choose, read_choice
from pairing.keystore import DEV_FILE, DevFileKeyStore, open_keystore

TOOL = shutil.which("systemd-creds")
pytestmark = pytest.mark.skipif(
    TOOL is None, reason="systemd-creds is not installed (Debian package: systemd)"
)
VALUE = b"-----BEGIN PRIVATE KEY-----\nnot really a key, but secret\n-----END PRIVATE KEY-----\n"


@pytest.fixture(autouse=True)
def _host_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    secret = tmp_path / "host" / "credential.secret"
    secret.parent.mkdir()
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(secret))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv(ENV, raising=False)
    credstore._SEALED.clear()
    yield secret
    credstore._SEALED.clear()


def load_for_unit(store: CredsKeyStore, names: list[str], into: Path) -> Path:
    """What LoadCredentialEncrypted= does at the start: decrypt each into the unit's folder."""
    into.mkdir(exist_ok=True)
    for name in names:
        subprocess.run(
            [str(TOOL), "decrypt", f"--name={name}", str(store.cred_path(name)), str(into / name)],
            check=True,
            capture_output=True,
        )
    credstore._SEALED.clear()  # a new start: only what systemd handed over
    return into


def test_round_trip_through_the_units_credentials_folder(tmp_path: Path) -> None:
    config = tmp_path / "device"
    CredsKeyStore(config, direct=True).set(DEVICE_KEY, VALUE)
    cred = config / "credentials" / "device-key.cred"
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    assert VALUE not in cred.read_bytes() and b"secret" not in cred.read_bytes()
    assert not list(config.rglob("*.plain"))  # no plaintext anywhere in the folder
    choice = read_choice(config)
    assert choice is not None and choice.kind is KeyStoreKind.SYSTEMD_CREDS
    assert choice.sealed_with in {"host", "host+tpm2"}

    loaded = load_for_unit(CredsKeyStore(config), [DEVICE_KEY], tmp_path / "run-creds")
    store = CredsKeyStore(config, loaded=loaded, direct=False)
    assert store.get(DEVICE_KEY) == VALUE
    assert store.get("audit-secret") is None  # never sealed


def test_credentials_directory_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "device"
    CredsKeyStore(config, direct=True).set(DEVICE_KEY, VALUE)
    loaded = load_for_unit(CredsKeyStore(config), [DEVICE_KEY], tmp_path / "run-creds")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(loaded))
    monkeypatch.setenv(ENV, "systemd-creds")
    store = open_keystore(config)
    assert isinstance(store, CredsKeyStore)
    assert store.get(DEVICE_KEY) == VALUE


def test_not_enrolled_unit_gets_the_placeholder(tmp_path: Path) -> None:
    """SetCredential=device-key:not-sealed when the .cred file does not exist yet."""
    loaded = tmp_path / "run-creds"
    loaded.mkdir()
    (loaded / DEVICE_KEY).write_bytes(ABSENT)
    store = CredsKeyStore(tmp_path / "device", loaded=loaded, direct=False)
    assert store.get(DEVICE_KEY) is None


def test_other_machine_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "device"
    CredsKeyStore(config, direct=True).set(DEVICE_KEY, VALUE)
    credstore._SEALED.clear()
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(tmp_path / "other-host.secret"))
    with pytest.raises(CredentialUnreadable):
        CredsKeyStore(config, direct=True).get(DEVICE_KEY)


def test_damaged_credential_is_unreadable(tmp_path: Path) -> None:
    config = tmp_path / "device"
    store = CredsKeyStore(config, direct=True)
    store.set(DEVICE_KEY, VALUE)
    credstore._SEALED.clear()
    cred = store.cred_path(DEVICE_KEY)
    data = bytearray(cred.read_bytes())
    data[40] = ord("A") if data[40] != ord("A") else ord("B")
    cred.write_bytes(bytes(data))
    with pytest.raises(CredentialUnreadable) as caught:
        store.get(DEVICE_KEY)
    assert "ontsleuteld" in (caught.value.__doc__ or "")


def test_device_key_made_and_read_back_through_the_store(tmp_path: Path) -> None:
    config = tmp_path / "device"
    key = load_or_create_device_key(CredsKeyStore(config, direct=True))
    loaded = load_for_unit(CredsKeyStore(config), [DEVICE_KEY], tmp_path / "run-creds")
    again = load_or_create_device_key(CredsKeyStore(config, loaded=loaded, direct=False))
    assert device_id(again) == device_id(key)


def test_delete_forgets_the_value_even_if_systemd_handed_it_over(tmp_path: Path) -> None:
    config = tmp_path / "device"
    CredsKeyStore(config, direct=True).set(DEVICE_KEY, VALUE)
    loaded = load_for_unit(CredsKeyStore(config), [DEVICE_KEY], tmp_path / "run-creds")
    store = CredsKeyStore(config, loaded=loaded, direct=False)
    store.delete(DEVICE_KEY)
    assert not store.cred_path(DEVICE_KEY).exists()
    assert store.get(DEVICE_KEY) is None


def _helper(config: Path, handover: Path, stop: threading.Event) -> None:
    """Stand-in for klasgenoot-kiosk-seal.path: seal whatever appears."""
    while not stop.is_set():
        seal_pending(config, handover)
        time.sleep(0.02)


def test_kiosk_user_hands_over_to_the_root_helper(tmp_path: Path) -> None:
    config, handover = tmp_path / "device", tmp_path / "seal"
    handover.mkdir(mode=0o700)
    stop = threading.Event()
    helper = threading.Thread(target=_helper, args=(config, handover, stop))
    helper.start()
    try:
        store = CredsKeyStore(config, handover=handover, direct=False)
        store.set(DEVICE_KEY, VALUE)
    finally:
        stop.set()
        helper.join()
    assert store.cred_path(DEVICE_KEY).is_file()
    assert list(handover.iterdir()) == []  # the plaintext is gone
    assert store.get(DEVICE_KEY) == VALUE  # this run: from memory
    loaded = load_for_unit(store, [DEVICE_KEY], tmp_path / "run-creds")
    assert CredsKeyStore(config, loaded=loaded, direct=False).get(DEVICE_KEY) == VALUE
    choice = read_choice(config)
    assert choice is not None and choice.sealed_with in {"host", "host+tpm2"}


def test_helper_seals_only_the_kiosks_own_entries(tmp_path: Path) -> None:
    config, handover = tmp_path / "device", tmp_path / "seal"
    handover.mkdir()
    (handover / "ssh-host-key.plain").write_bytes(b"anything")
    assert seal_pending(config, handover) == []
    assert not (config / "credentials").exists()


def test_helper_refuses_a_symlinked_hand_over(tmp_path: Path) -> None:
    config, handover = tmp_path / "device", tmp_path / "seal"
    handover.mkdir()
    (tmp_path / "elsewhere").write_bytes(b"root's secret")
    (handover / "device-key.plain").symlink_to(tmp_path / "elsewhere")
    assert seal_pending(config, handover) == []
    assert (handover / "device-key.failed").is_file()
    assert not (handover / "device-key.plain").exists()
    assert not (config / "credentials" / "device-key.cred").exists()


def test_no_helper_fails_clearly_and_leaves_no_plaintext(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credstore, "SEAL_WAIT_S", 0.3)
    handover = tmp_path / "seal"
    handover.mkdir()
    store = CredsKeyStore(tmp_path / "device", handover=handover, direct=False)
    with pytest.raises(CredentialSealFailed):
        store.set(DEVICE_KEY, VALUE)
    assert list(handover.iterdir()) == []
    assert store.get(DEVICE_KEY) is None


def test_helper_failure_reaches_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, handover = tmp_path / "device", tmp_path / "seal"
    handover.mkdir()
    # A host key path that cannot be created (under a file): systemd-creds encrypt fails.
    (tmp_path / "a-file").write_bytes(b"")
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(tmp_path / "a-file" / "secret"))
    stop = threading.Event()
    helper = threading.Thread(target=_helper, args=(config, handover, stop))
    helper.start()
    try:
        with pytest.raises(CredentialSealFailed) as caught:
            CredsKeyStore(config, handover=handover, direct=False).set(DEVICE_KEY, VALUE)
    finally:
        stop.set()
        helper.join()
    assert "rc" in (caught.value.detail or "")
    assert not (config / "credentials" / "device-key.cred").exists()


def test_tool_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CredentialToolMissing):
        CredsKeyStore(tmp_path / "device", direct=True).set(DEVICE_KEY, VALUE)
    assert not (tmp_path / "device" / "credentials").exists()


def test_choice_is_recorded_and_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "device"
    choose(config, KeyStoreKind.SYSTEMD_CREDS)
    monkeypatch.setenv(ENV, "keyring")  # a default for new devices only
    assert isinstance(open_keystore(config), CredsKeyStore)
    with pytest.raises(KeyStoreChoiceConflict):
        choose(config, KeyStoreKind.KEYRING)
    with pytest.raises(KeyStoreChoiceConflict):
        open_keystore(config, kind=KeyStoreKind.KEYRING)
    choice = read_choice(config)
    assert choice is not None and choice.kind is KeyStoreKind.SYSTEMD_CREDS  # unchanged


def test_folders_without_a_record_keep_their_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / DEV_FILE).write_text("{}")
    monkeypatch.setenv(ENV, "systemd-creds")
    assert isinstance(open_keystore(demo), DevFileKeyStore)
    assert isinstance(open_keystore(tmp_path / "kiosk"), CredsKeyStore)
    monkeypatch.delenv(ENV)
    chosen: list[str] = []
    monkeypatch.setattr(keystore, "KeyringKeyStore", chosen.append)
    open_keystore(tmp_path / "laptop")
    assert chosen == [keystore.service_name(tmp_path / "laptop")]


def test_a_seal_unit_that_is_down_does_not_stop_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit secret is sealed when the first call starts; if that fails the call
    goes on without an audit trail (technician mode shows it), as for a lost secret."""
    from app.audit_key import log_secret

    monkeypatch.setattr(credstore, "SEAL_WAIT_S", 0.2)
    handover = tmp_path / "seal"
    handover.mkdir()
    store = CredsKeyStore(tmp_path / "device", handover=handover, direct=False)
    assert log_secret(tmp_path / "device", store) is None
    assert list(handover.iterdir()) == []


def test_a_failed_hand_over_records_no_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credstore, "SEAL_WAIT_S", 0.2)
    handover = tmp_path / "seal"
    handover.mkdir()
    with pytest.raises(CredentialSealFailed):
        CredsKeyStore(tmp_path / "device", handover=handover, direct=False).set(DEVICE_KEY, VALUE)
    assert read_choice(tmp_path / "device") is None
