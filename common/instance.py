"""One running program per device folder: an advisory lock on ``<config>/klasgenoot.lock``.

The lock is what tells "the process that owns this device's engine" from every
other process on the folder (``klasgenoot logs …``, a second launcher, autostart
firing twice). It is an OS lock (``fcntl.flock``; ``msvcrt.locking`` on Windows),
so a crashed or killed owner releases it at once, and the file itself stays empty.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from types import TracebackType

from common.errors import KlasgenootError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

LOCK_NAME = "klasgenoot.lock"
# A start waits this long for a lock that a `logs` command holds for a moment.
START_WAIT_S = 5.0
_POLL_S = 0.05


class InstanceError(KlasgenootError):
    """Klasgenoot kon niet starten met deze instellingenmap."""


class AlreadyRunning(InstanceError):
    """Klasgenoot draait al met deze instellingenmap. Er kan maar één tegelijk
    draaien: dit tweede exemplaar stopt en maakt geen verbinding."""


def lock_path(config_dir: Path) -> Path:
    return config_dir / LOCK_NAME


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class DeviceLock:
    """Held for as long as this object is open; ``release`` (or exit) lets it go."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def try_acquire(cls, config_dir: Path, *, create: bool = True) -> DeviceLock | None:
        """The lock if nobody holds it, else None. The folder must exist (this never
        creates a device folder). ``create=False`` (readers such as ``klasgenoot logs``,
        which create nothing): None too when no program ever claimed the folder."""
        path = lock_path(config_dir)
        try:
            fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
        except FileNotFoundError:
            return None
        if _try_lock(fd):
            return cls(fd, path)
        os.close(fd)
        return None

    @classmethod
    def acquire(cls, config_dir: Path, *, wait: float = START_WAIT_S) -> DeviceLock:
        """The lock, waiting up to ``wait`` s; AlreadyRunning if another process keeps it."""
        deadline = time.monotonic() + wait
        while True:
            lock = cls.try_acquire(config_dir)
            if lock is not None:
                return lock
            if time.monotonic() >= deadline:
                raise AlreadyRunning(config_dir.name)
            time.sleep(_POLL_S)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def remove(self) -> None:
        """Delete the lock file while holding it, then let go (a wipe: the folder
        returns to how it was before the first start)."""
        with contextlib.suppress(OSError):
            self.path.unlink()
        self.release()

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the descriptor drops the lock

    def __enter__(self) -> DeviceLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
