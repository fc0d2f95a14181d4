"""The classroom unit's key store: secrets sealed by ``systemd-creds``, opened by systemd.

A kiosk logs in by itself, so no person unlocks an OS keyring for it (an autologin
session does not unlock GNOME Keyring). Instead each entry is encrypted with
``systemd-creds encrypt --name=ENTRY`` (the machine's TPM2 and host key when it has
a TPM2, else the host key ``/var/lib/systemd/credential.secret`` alone) into
``<config>/credentials/ENTRY.cred``. The kiosk unit names the files in
``LoadCredentialEncrypted=``; systemd decrypts them at start into
``$CREDENTIALS_DIRECTORY`` (memory, this unit only), where this store reads them. The
app therefore needs neither root nor the TPM, and the plaintext is never on disk.

Encrypting needs root (the host key is root's, the TPM is not the kiosk user's). As
root (``sudo klasgenoot enroll …``, tests) the store runs ``systemd-creds`` itself;
as the kiosk user it hands the value to the root helper through a tmpfs folder
(pairing/credseal.py, ``klasgenoot-kiosk-seal.path``) and waits for the ``.cred``.
A value sealed during this run is kept in memory: systemd hands it over at the next
start. Reading outside the unit (the technician's ``sudo klasgenoot enroll show``)
decrypts with ``systemd-creds decrypt`` into memory.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import threading
import time
from pathlib import Path

from common.paths import ensure_private_dir, write_private_file
from pairing.errors import (
    CredentialSealFailed,
    CredentialToolMissing,
    CredentialUnreadable,
    FileAccessFailed,
)
from pairing.keychoice import (
    KeyStoreChoice,
    KeyStoreKind,
    check_entry_name,
    read_choice,
    write_choice,
)

logger = logging.getLogger(__name__)

CRED_DIR = "credentials"  # in the device's config folder
SUFFIX = ".cred"
# What the unit's SetCredential= gives when the .cred file does not exist yet (a
# device not enrolled): with it, a missing file does not stop the unit starting.
ABSENT = b"not-sealed"
SEAL_DIR_ENV = "KLASGENOOT_SEAL_DIR"
DEFAULT_SEAL_DIR = Path("/run/klasgenoot-kiosk/seal")  # tmpfs, the kiosk user's (tmpfiles)
PLAIN, FAILED = ".plain", ".failed"  # a hand-over to the root helper, and its refusal
MAX_VALUE = 16 * 1024
SEAL_WAIT_S = 20.0
TOOL_TIMEOUT_S = 30.0

# Values sealed during this run, by .cred path: the GUI and engine threads each open
# a store of the same folder, and systemd hands a new value over only at the next start.
_SEALED: dict[Path, bytes] = {}
_LOCK = threading.Lock()


def tool() -> str:
    path = shutil.which("systemd-creds")
    if path is None:
        raise CredentialToolMissing("systemd-creds not on PATH")
    return path


def _run(args: list[str], value: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # noqa: S603 (fixed tool, no shell)
        [tool(), *args], input=value, capture_output=True, timeout=TOOL_TIMEOUT_S, check=False
    )


def _reason(done: subprocess.CompletedProcess[bytes]) -> str:
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return f"rc {done.returncode}: {lines[-1][:120] if lines else ''}"


def seal_kind() -> str:
    """``host+tpm2`` when this machine has a usable TPM2, else ``host``."""
    try:
        has_tpm2 = _run(["has-tpm2", "--quiet"]).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        has_tpm2 = False
    return "host+tpm2" if has_tpm2 else "host"


def encrypt(name: str, value: bytes, with_key: str) -> bytes:
    """The credential for ``value`` (stdin to stdout: the plaintext touches no file)."""
    try:
        done = _run(["encrypt", f"--name={name}", f"--with-key={with_key}", "-", "-"], value)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CredentialSealFailed(type(exc).__name__) from exc
    if done.returncode != 0 or not done.stdout:
        raise CredentialSealFailed(_reason(done))
    return done.stdout


def decrypt(name: str, path: Path) -> bytes:
    """``path`` decrypted into memory; needs root (the host key) and the same machine."""
    try:
        done = _run(["decrypt", f"--name={name}", str(path), "-"])
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CredentialUnreadable(type(exc).__name__) from exc
    if done.returncode != 0:
        raise CredentialUnreadable(_reason(done))
    return done.stdout


def seal_dir() -> Path:
    return Path(os.environ.get(SEAL_DIR_ENV) or DEFAULT_SEAL_DIR)


def loaded_dir() -> Path | None:
    """Where systemd put this unit's decrypted credentials, if it did."""
    text = os.environ.get("CREDENTIALS_DIRECTORY", "")
    return Path(text) if text else None


class CredsKeyStore:
    """Entries sealed with systemd-creds; read from what systemd decrypted for the unit."""

    def __init__(
        self,
        config_dir: Path,
        *,
        loaded: Path | None = None,
        handover: Path | None = None,
        direct: bool | None = None,
    ) -> None:
        self._config = config_dir
        self._dir = config_dir / CRED_DIR
        self._loaded = loaded if loaded is not None else loaded_dir()
        self._handover = handover if handover is not None else seal_dir()
        # Root seals itself; anyone else asks the root helper.
        self._direct = (os.geteuid() == 0) if direct is None else direct

    def cred_path(self, name: str) -> Path:
        return self._dir / f"{name}{SUFFIX}"

    def get(self, name: str) -> bytes | None:
        check_entry_name(name)
        cred = self.cred_path(name)
        with _LOCK:
            if cred in _SEALED:
                return _SEALED[cred]
        try:
            if not cred.exists():
                return None  # never sealed, or deleted since systemd handed it over
        except OSError as exc:
            raise CredentialUnreadable(f"credentials folder: {type(exc).__name__}") from exc
        value = self._read_loaded(name)
        if value is not None:
            return value
        # Not handed over: started outside the unit, or systemd could not decrypt it
        # (then the unit's OnFailure= started us without it). Root can still try.
        return decrypt(name, cred)

    def _read_loaded(self, name: str) -> bytes | None:
        if self._loaded is None:
            return None
        try:
            with (self._loaded / name).open("rb") as fh:
                value = fh.read(MAX_VALUE + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CredentialUnreadable("loaded credential unreadable") from exc
        if len(value) > MAX_VALUE:
            raise CredentialUnreadable("loaded credential too large")
        return None if value == ABSENT else value

    def set(self, name: str, value: bytes) -> None:
        check_entry_name(name)
        if not value or len(value) > MAX_VALUE or value == ABSENT:
            raise ValueError("key store entry empty or too large")
        choice = read_choice(self._config)
        if choice is not None and choice.kind is not KeyStoreKind.SYSTEMD_CREDS:
            raise CredentialSealFailed(f"device uses {choice.kind.value}")
        if self._direct:
            kind = seal_kind()
            write_cred(self._config, name, encrypt(name, value, kind))
            write_choice(self._config, KeyStoreChoice(KeyStoreKind.SYSTEMD_CREDS, kind))
        else:
            self._hand_over(name, value)  # the helper records the choice and its keys
        with _LOCK:
            _SEALED[self.cred_path(name)] = value
        logger.info("sealed %s with systemd-creds", name)

    def _hand_over(self, name: str, value: bytes) -> None:
        folder = self._handover
        request, failed = folder / f"{name}{PLAIN}", folder / f"{name}{FAILED}"
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            failed.unlink(missing_ok=True)  # an old refusal is not this one's answer
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(value)
            os.replace(tmp, request)  # the path unit sees only a whole file
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CredentialSealFailed(f"hand-over: {type(exc).__name__}") from exc
        try:
            reason = self._answer(request, failed)
        except OSError as exc:
            reason = f"answer: {type(exc).__name__}"
        if reason is not None:
            raise CredentialSealFailed(reason)

    def _answer(self, request: Path, failed: Path) -> str | None:
        """None once the helper sealed the hand-over, else why not."""
        deadline = time.monotonic() + SEAL_WAIT_S
        while request.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if request.exists():
            request.unlink(missing_ok=True)  # the plaintext must not wait there
            return "no answer from klasgenoot-kiosk-seal"
        if failed.exists():
            reason = failed.read_text(errors="replace")[:200]
            failed.unlink(missing_ok=True)
            return reason
        if not self.cred_path(request.stem).exists():
            return "helper wrote no credential"
        return None

    def delete(self, name: str) -> None:
        check_entry_name(name)
        cred = self.cred_path(name)
        with _LOCK:
            _SEALED.pop(cred, None)
        try:
            cred.unlink(missing_ok=True)
        except OSError as exc:
            raise FileAccessFailed(cred.name) from exc


def write_cred(config_dir: Path, name: str, blob: bytes) -> None:
    """Write a sealed credential (0600), owned like the config folder.

    Root writes here on the kiosk user's behalf, in a folder that user owns: the
    folder must be a real folder (no symlink), and the file is written to a fresh
    name and renamed, which replaces a planted symlink instead of following it.
    """
    folder = config_dir / CRED_DIR
    try:
        if folder.is_symlink():
            raise CredentialSealFailed("credentials folder is a symlink")
        ensure_private_dir(folder)
        path = folder / f"{name}{SUFFIX}"
        write_private_file(path, blob)
        owner = config_dir.stat()
        if os.geteuid() == 0:
            os.chown(folder, owner.st_uid, owner.st_gid, follow_symlinks=False)
            os.chown(path, owner.st_uid, owner.st_gid, follow_symlinks=False)
    except OSError as exc:
        raise CredentialSealFailed(f"write: {type(exc).__name__}") from exc
