"""Notice a bundle installed while the app runs (a re-pair, ``klasgenoot enroll
install``), so the device takes its new certificate without a restart.

Polls the certificate file's signature (size, time, inode) every few seconds: a
re-pair happens a few times in a device's life, so a cheap stat beats a file
watcher's platform differences. Whether the new files form a usable device is for
the owner to decide (they are written one by one: a half-installed bundle is tried
again at the next tick).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from pairing.device import CERTIFICATE

POLL_MS = 2000


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


class BundleWatch(QObject):
    changed = Signal()  # the certificate on disk is not the one seen before

    def __init__(self, config: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = config / CERTIFICATE
        self._seen = _signature(self._path)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._check)
        self._timer.start(POLL_MS)

    def _check(self) -> None:
        now = _signature(self._path)
        if now is not None and now != self._seen:
            self.changed.emit()

    def accept(self) -> None:
        """The owner took the current files: look for the next change from here."""
        self._seen = _signature(self._path)

    def stop(self) -> None:
        self._timer.stop()
