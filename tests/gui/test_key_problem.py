"""The classroom unit's key at boot, through the real window: systemd-creds credentials
that cannot be read give the technician a clear screen; a unit not yet enrolled still
gets its first-run screen; technician mode says where the key is kept.

``systemd-creds`` is real; its host key is the test's own (SYSTEMD_CREDENTIAL_SECRET).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from app.cli_gui import DeviceSession
from app.demo.workspace import prepare
from app.firstrun.view import FirstRunView
from app.keyproblem import KeyProblemView
from app.technician.view import TechnicianView
from pairing import credstore
from pairing.credseal import seal_pending
from pairing.credstore import ABSENT, CredsKeyStore
from pairing.errors import CredentialUnreadable
from pairing.identity import DEVICE_KEY
from pairing.keychoice import ENV, KeyStoreChoice, KeyStoreKind, read_choice
from pairing.keystore import DEV_FILE, DevFileKeyStore
from pairing.roles import Role
from privacy.audit import AUDIT_SECRET_NAME
from tests.support.a11y import assert_accessible

TOOL = shutil.which("systemd-creds")
pytestmark = pytest.mark.skipif(
    TOOL is None, reason="systemd-creds is not installed (Debian package: systemd)"
)


@pytest.fixture(autouse=True)
def _host_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(tmp_path / "host.secret"))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setenv(ENV, "systemd-creds")  # what the kiosk unit sets
    credstore._SEALED.clear()
    yield
    credstore._SEALED.clear()


def sealed_classroom(tmp_path: Path) -> Path:
    """An enrolled classroom unit whose key and audit secret are systemd-creds credentials."""
    workspace, _ = prepare(tmp_path / "demo")
    folder = workspace.device_dir(Role.CLASSROOM)
    dev = DevFileKeyStore(folder / DEV_FILE)
    creds = CredsKeyStore(folder, direct=True)
    for name in (DEVICE_KEY, AUDIT_SECRET_NAME):
        value = dev.get(name)
        if value is not None:
            creds.set(name, value)
    (folder / DEV_FILE).unlink()
    credstore._SEALED.clear()  # a new boot
    return folder


def test_unreadable_credential_shows_the_technician_screen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = sealed_classroom(tmp_path)
    # The disk in another machine: its host key is not the one the key was sealed with.
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(tmp_path / "other-host.secret"))
    session = DeviceSession(folder, Role.CLASSROOM, windowed=True, synthetic=True)
    session.open()  # no traceback, no crash
    window = session.windows[-1]
    qtbot.addWidget(window)
    try:
        view = window.content()
        assert isinstance(view, KeyProblemView)
        assert view.reason.text().startswith(CredentialUnreadable.__doc__.split()[0])  # type: ignore[union-attr]
        assert "ontsleuteld" in view.reason.text()
        assert "systemd-creds" in view.store_label.text()
        assert view.file_label.text().endswith("credentials/device-key.cred")
        assert "wipe" in view.steps.text()
        assert session.runtime is None and session.bridge is None  # no call started
        assert session.technician is not None
        assert "systemd-creds" in session.technician.view._info["key_store"].text()
        assert_accessible(view)
    finally:
        session.close()


def test_the_right_machine_reads_the_key_that_systemd_handed_over(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = sealed_classroom(tmp_path)
    loaded = tmp_path / "run-credentials"  # what LoadCredentialEncrypted= makes
    loaded.mkdir()
    for name in (DEVICE_KEY, AUDIT_SECRET_NAME):
        if not (folder / "credentials" / f"{name}.cred").exists():
            continue  # the audit secret is made by the first call
        subprocess.run(
            [str(TOOL), "decrypt", f"--name={name}",
             str(folder / "credentials" / f"{name}.cred"), str(loaded / name)],
            check=True, capture_output=True,
        )  # fmt: skip
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(loaded))
    monkeypatch.setattr(os, "geteuid", lambda: 0)  # the first call seals its audit secret
    # Outside the unit nothing could decrypt it: the key must come from the folder.
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(tmp_path / "other-host.secret"))
    session = DeviceSession(folder, Role.CLASSROOM, windowed=True, synthetic=True)
    session.open()
    qtbot.addWidget(session.windows[-1])
    try:
        assert session.runtime is not None, "the call window did not open"
        assert session.technician is not None
        text = session.technician.view._info["key_store"].text()
        assert text.startswith("systemd-creds, sealed with")
    finally:
        session.close()


def test_unit_not_enrolled_yet_gets_its_first_run_screen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit's SetCredential= placeholder, and sealing as the kiosk user through the
    root helper (a thread here, klasgenoot-kiosk-seal.path on the unit)."""
    folder, handover, loaded = tmp_path / "device", tmp_path / "seal", tmp_path / "run"
    handover.mkdir()
    loaded.mkdir()
    (loaded / DEVICE_KEY).write_bytes(ABSENT)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(loaded))
    monkeypatch.setenv(credstore.SEAL_DIR_ENV, str(handover))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)  # the kiosk user, not root
    stop = threading.Event()

    def helper() -> None:
        while not stop.is_set():
            seal_pending(folder, handover)
            time.sleep(0.02)

    thread = threading.Thread(target=helper)
    thread.start()
    session = DeviceSession(folder, Role.CLASSROOM, windowed=True, synthetic=True)
    try:
        session.open()
        window = session.windows[-1]
        qtbot.addWidget(window)
        view = window.content()
        assert isinstance(view, FirstRunView)
        assert view.device_id is not None  # the key was made and sealed
    finally:
        stop.set()
        thread.join()
        session.close()
    assert (folder / "credentials" / "device-key.cred").is_file()
    assert list(handover.iterdir()) == []
    choice = read_choice(folder)
    assert choice is not None and choice.kind is KeyStoreKind.SYSTEMD_CREDS


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (KeyStoreChoice(KeyStoreKind.KEYRING), "OS keyring"),
        (KeyStoreChoice(KeyStoreKind.SYSTEMD_CREDS, "host+tpm2"), "TPM2 and the host key"),
        (KeyStoreChoice(KeyStoreKind.SYSTEMD_CREDS, "host"), "host key (no TPM2)"),
        (KeyStoreChoice(KeyStoreKind.DEV_FILE), "Developer file"),
        (None, "—"),
    ],
)
def test_technician_panel_names_the_key_store(
    qtbot: QtBot, choice: KeyStoreChoice | None, expected: str
) -> None:
    view = TechnicianView()
    qtbot.addWidget(view)
    view.set_key_store(choice)
    view.set_device(None)  # the other facts are redrawn; this one stays
    assert expected in view._info["key_store"].text()
