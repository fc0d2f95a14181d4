"""The classroom unit's key units agree with the key store code that reads and seals:
the credential names and files, the placeholder that keeps a fresh unit starting, the
hand-over folder and its path unit, the technician-screen fallback (issue 12 item 3)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from app.cli import build_parser
from pairing.credseal import SEALABLE
from pairing.credstore import ABSENT, CRED_DIR, DEFAULT_SEAL_DIR, PLAIN, SUFFIX
from pairing.keychoice import ENV, KeyStoreKind
from tests.unit.test_packaging import DEBIAN, KIOSK, PACKAGING, made_by_tmpfiles, unit

KEYFAIL = PACKAGING / "kiosk" / "klasgenoot-kiosk-keyfail.service"
SEAL = PACKAGING / "kiosk" / "klasgenoot-kiosk-seal.service"
SEAL_PATH = PACKAGING / "kiosk" / "klasgenoot-kiosk-seal.path"
EXIT_CREDENTIALS = "243"  # systemd.exec(5): credentials could not be set up


def command(path: Path) -> list[str]:
    (line,) = unit(path)["ExecStart"]
    args = shlex.split(line)
    return args[args.index("/usr/bin/klasgenoot") :]


def kiosk_config() -> PurePosixPath:
    return PurePosixPath(build_parser().parse_args(command(KIOSK)[1:]).config)


def test_each_sealable_entry_is_loaded_with_a_placeholder() -> None:
    entries = unit(KIOSK)
    loads = dict(v.split(":", 1) for v in entries["LoadCredentialEncrypted"])
    sets = dict(v.split(":", 1) for v in entries["SetCredential"])
    config = kiosk_config()
    assert set(loads) == set(SEALABLE) == set(sets)
    for name in SEALABLE:
        assert PurePosixPath(loads[name]) == config / CRED_DIR / f"{name}{SUFFIX}"
        assert sets[name].encode() == ABSENT  # what the store reads as "not sealed yet"
    assert f"{ENV}={KeyStoreKind.SYSTEMD_CREDS.value}" in entries["Environment"]


def test_undecryptable_keys_hand_over_to_the_technician_screen() -> None:
    kiosk, keyfail = unit(KIOSK), unit(KEYFAIL)
    assert kiosk["RestartPreventExitStatus"] == [EXIT_CREDENTIALS]
    assert kiosk["OnFailure"] == [KEYFAIL.name]
    assert "LoadCredentialEncrypted" not in keyfail and "SetCredential" not in keyfail
    assert command(KEYFAIL) == command(KIOSK)  # the same app, the same folder
    assert "klasgenoot-kiosk.service" in keyfail["Conflicts"][0].split()
    assert f"{ENV}={KeyStoreKind.SYSTEMD_CREDS.value}" in keyfail["Environment"]
    for key in ("User", "PAMName", "TTYPath", "LimitCORE"):
        assert keyfail[key] == kiosk[key], key
    assert "[Install]" not in KEYFAIL.read_text()  # only OnFailure= starts it


def test_the_seal_helper_watches_the_folder_the_app_hands_over_in() -> None:
    args = command(SEAL)
    parsed = build_parser().parse_args(args[1:])
    assert args[1:3] == ["technician", "seal-keys"]
    assert PurePosixPath(parsed.config) == kiosk_config()
    assert parsed.seal_dir == DEFAULT_SEAL_DIR
    (glob,) = unit(SEAL_PATH)["PathExistsGlob"]
    assert glob == f"{DEFAULT_SEAL_DIR}/*{PLAIN}"
    user = unit(KIOSK)["User"][0]
    for folder in (DEFAULT_SEAL_DIR, DEFAULT_SEAL_DIR.parent, Path(kiosk_config()) / CRED_DIR):
        assert made_by_tmpfiles("klasgenoot-kiosk", str(folder)) == ("0700", user)
    seal = unit(SEAL)
    assert "User" not in seal  # root: the host key and the TPM
    assert seal["ProtectSystem"] == ["strict"]
    writable = seal["ReadWritePaths"][0].split()
    assert str(kiosk_config()) in writable and str(DEFAULT_SEAL_DIR) in writable


def test_debian_installs_the_key_units() -> None:
    for path in (KEYFAIL, SEAL, SEAL_PATH):
        link = DEBIAN / f"klasgenoot-kiosk.{path.name}"
        assert link.resolve() == path.resolve()
    rules = (DEBIAN / "rules").read_text()
    assert "--name=klasgenoot-kiosk-seal\n" in rules
    assert "--name=klasgenoot-kiosk-keyfail --no-enable --no-start" in rules
    assert "systemd-creds setup" in (KIOSK.parent / "klasgenoot-kiosk.postinst").read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_key_units_together(tmp_path: Path) -> None:
    # verify wants the programs to exist: the same units, run by one that does.
    names = []
    for path in (KIOSK, KEYFAIL, SEAL, SEAL_PATH):
        text = path.read_text()
        for program in ("/usr/bin/klasgenoot", "/usr/bin/systemd-inhibit", "/usr/bin/cage"):
            text = text.replace(program, sys.executable)
        (tmp_path / path.name).write_text(text)
        names.append(path.name)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "SYSTEMD_UNIT_PATH": f"{tmp_path}:"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # an unknown or misspelt key is only a warning
