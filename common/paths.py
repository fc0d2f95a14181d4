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
    """Create ``path`` (and parents) readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        path.chmod(0o700)
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` atomically with mode 0600, so a crash never leaves half a file."""
    # A unique temporary name: two writers of one file (two threads of the app)
    # must never truncate or rename each other's half-written copy.
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def namespace_for(config_dir: Path) -> str:
    """A stable, short name for a config folder (keyring service names use it)."""
    digest = hashlib.sha256(str(config_dir.resolve()).encode()).hexdigest()
    return digest[:16]
