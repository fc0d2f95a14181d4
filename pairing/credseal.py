"""The root helper that seals the kiosk's entries (``klasgenoot technician seal-keys``).

The kiosk app runs as ``klasgenoot-kiosk`` and cannot use the host key or the TPM;
``systemd-creds encrypt`` needs root. So the app writes the value to a tmpfs folder
it owns (``/run/klasgenoot-kiosk/seal/ENTRY.plain``, never on disk), a path unit
starts ``klasgenoot-kiosk-seal.service`` as root, and this seals it into the
device's ``credentials/ENTRY.cred``, records which keys it used, and removes the
hand-over. A refusal is left as ``ENTRY.failed`` (a reason, no secret) for the app.

Only the kiosk's own entries are sealed: the kiosk user must not be able to have
root seal arbitrary credentials under other names with the host key.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from common.errors import KlasgenootError
from pairing.credstore import FAILED, MAX_VALUE, PLAIN, encrypt, seal_kind, write_cred
from pairing.keychoice import KeyStoreChoice, KeyStoreKind, write_choice

logger = logging.getLogger(__name__)

SEALABLE = ("device-key", "audit-secret")  # pairing.identity, privacy.audit


def _read_request(path: Path) -> bytes | None:
    """The hand-over's value: a regular file, not a symlink, not too large."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_VALUE:
            raise ValueError("not a small regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(MAX_VALUE + 1)
    finally:
        os.close(fd)


def seal_pending(config_dir: Path, handover: Path) -> list[str]:
    """Seal every waiting hand-over in ``handover``; the names sealed."""
    sealed: list[str] = []
    kind: str | None = None
    for name in SEALABLE:
        request = handover / f"{name}{PLAIN}"
        try:
            value = _read_request(request)
        except (OSError, ValueError) as exc:
            _refuse(handover, name, f"hand-over: {exc.__class__.__name__}")
            request.unlink(missing_ok=True)
            continue
        if value is None:
            continue
        try:
            kind = kind or seal_kind()
            write_cred(config_dir, name, encrypt(name, value, kind))
            write_choice(
                config_dir, KeyStoreChoice(KeyStoreKind.SYSTEMD_CREDS, kind), owner=config_dir
            )
            sealed.append(name)
            logger.info("sealed %s (%s)", name, kind)
        except KlasgenootError as exc:
            _refuse(handover, name, exc.detail or type(exc).__name__)
        finally:
            request.unlink(missing_ok=True)  # the plaintext goes, sealed or not
    return sealed


def _refuse(handover: Path, name: str, reason: str) -> None:
    logger.warning("not sealed %s: %s", name, reason)
    failed = handover / f"{name}{FAILED}"
    try:
        failed.unlink(missing_ok=True)
        fd = os.open(failed, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w") as fh:
            fh.write(reason[:200])
    except OSError:
        logger.warning("could not leave the reason for %s", name)
