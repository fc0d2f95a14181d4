"""``enroll request --key-store``, ``enroll show`` and ``technician seal-keys`` with the
real ``systemd-creds`` (its host key in the test's folder: SYSTEMD_CREDENTIAL_SECRET)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli
from pairing import credstore
from pairing.credstore import CredsKeyStore
from pairing.identity import DEVICE_KEY
from pairing.keychoice import ENV, KeyStoreKind, read_choice
from pairing.keystore import DEV_FILE

pytestmark = pytest.mark.skipif(
    shutil.which("systemd-creds") is None,
    reason="systemd-creds is not installed (Debian package: systemd)",
)


@pytest.fixture(autouse=True)
def _host_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(tmp_path / "host.secret"))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv(ENV, raising=False)
    credstore._SEALED.clear()
    yield
    credstore._SEALED.clear()


def request(folder: Path, out: Path, *extra: str) -> int:
    args = ["enroll", "request", "--config", str(folder), "--role", "classroom"]
    return cli.main([*args, "--out", str(out), *extra])


def test_request_with_systemd_creds_seals_the_key_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)  # sudo: root seals itself
    folder = tmp_path / "device"
    assert request(folder, tmp_path / "req.csr", "--key-store", "systemd-creds") == 0
    out = capsys.readouterr().out
    assert "Sleutel in:   systemd-creds (hostsleutel)" in out or "TPM2" in out
    cred = folder / "credentials" / "device-key.cred"
    assert cred.is_file() and b"PRIVATE KEY" not in cred.read_bytes()
    assert not (folder / DEV_FILE).exists()
    choice = read_choice(folder)
    assert choice is not None and choice.kind is KeyStoreKind.SYSTEMD_CREDS

    credstore._SEALED.clear()  # a later run: decrypted again, as root
    assert cli.main(["enroll", "show", "--config", str(folder)]) == 0
    shown = capsys.readouterr().out
    assert "nog niet gekoppeld" in shown and "Sleutel in:     systemd-creds" in shown
    # A second request keeps the same key (read back through systemd-creds).
    before = cred.read_bytes()
    assert request(folder, tmp_path / "again.csr", "--key-store", "systemd-creds") == 0
    assert cred.read_bytes() == before


def test_another_store_on_a_sealed_device_is_refused_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    folder = tmp_path / "device"
    assert request(folder, tmp_path / "req.csr", "--key-store", "systemd-creds") == 0
    before = sorted(p.name for p in folder.rglob("*"))
    capsys.readouterr()
    assert request(folder, tmp_path / "other.csr", "--key-store", "dev-file") != 0
    assert "al in een andere sleutelopslag" in capsys.readouterr().err
    assert sorted(p.name for p in folder.rglob("*")) == before
    assert not (tmp_path / "other.csr").exists()


def test_seal_keys_is_the_root_helper(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, handover = tmp_path / "device", tmp_path / "seal"
    folder.mkdir()
    handover.mkdir()
    (handover / "device-key.plain").write_bytes(b"the kiosk's key")
    argv = ["technician", "seal-keys", "--config", str(folder), "--seal-dir", str(handover)]
    assert cli.main(argv) == 0
    assert "Versleuteld: device-key" in capsys.readouterr().out
    assert list(handover.iterdir()) == []
    credstore._SEALED.clear()
    assert CredsKeyStore(folder, direct=True).get(DEVICE_KEY) == b"the kiosk's key"
    assert cli.main(argv) == 0  # nothing waiting: nothing to do
    assert "Versleuteld: niets" in capsys.readouterr().out


def test_wipe_removes_the_sealed_keys_and_the_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the kiosk user outside the unit: nothing can be decrypted, all is removed."""
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    folder = tmp_path / "device"
    assert request(folder, tmp_path / "req.csr", "--key-store", "systemd-creds") == 0
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(tmp_path / "not-readable-here"))
    credstore._SEALED.clear()
    assert cli.main(["wipe", "--config", str(folder), "--yes"]) == 0
    assert not (folder / "credentials" / "device-key.cred").exists()
    assert read_choice(folder) is None


def test_a_store_that_cannot_keep_the_key_records_no_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setenv("PATH", str(tmp_path))  # no systemd-creds on this machine
    folder = tmp_path / "device"
    assert request(folder, tmp_path / "req.csr", "--key-store", "systemd-creds") != 0
    assert "systemd-creds ontbreekt" in capsys.readouterr().err
    assert read_choice(folder) is None and not (tmp_path / "req.csr").exists()
