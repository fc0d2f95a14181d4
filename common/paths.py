"""Where a device keeps its files: one config folder per device.

Two devices may share a machine (the demo does), so everything - including the
keyring entry name - is derived from the config folder, never from a global path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable by the owner only, and every folder made on the way too.

    ``mkdir(parents=True)`` would give new parents the umask's mode (often 0755), so
    a first run left ``state/`` world-readable around a private ``state/logs/``.
    Folders that already existed (the user's home) keep their mode; ``path`` itself
    is always tightened.
    """
    missing: list[Path] = []
    folder = path
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by another thread or process: not ours to tighten
        if os.name == "posix":
            new.chmod(0o700)  # mkdir's mode is filtered by the umask
    path.mkdir(exist_ok=True)  # raises if ``path`` is a file
    if os.name == "posix":
        path.chmod(0o700)
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` atomically with mode 0600, so a crash never leaves half a file.

    Whatever fails (writing, or the final rename onto a folder or an unusable name),
    the temporary copy is removed: it holds the whole content.
    """
    # A unique temporary name: two writers of one file (two threads of the app)
    # must never truncate or rename each other's half-written copy.
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def namespace_for(config_dir: Path) -> str:
    """A stable, short name for a config folder (keyring service names use it)."""
    digest = hashlib.sha256(str(config_dir.resolve()).encode()).hexdigest()
    return digest[:16]
