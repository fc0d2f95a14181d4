"""The server's side of TURN: read the fleet's TURN secret and mint per device.

The secret and the pseudonym key are files ``fleet turn`` wrote (``turn/`` in the
fleet folder). They are re-read whenever their mtime, size or inode change, as the
CRL is, so rotating the secret (a new ``turn-secret`` plus a coturn restart) needs
no server restart. Anything wrong with them fails closed: no credential is minted
and the devices keep to direct paths, rather than minting with a half-read secret.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from pairing.deviceid import DeviceId
from signaling.turn import TurnCredential, mint, pseudonym

logger = logging.getLogger(__name__)

MAX_SECRET_FILE = 1024
MIN_SECRET = 16  # characters; ``fleet turn`` writes 64 (32 random bytes as hex)

_Stamp = tuple[int, int, int]


def _stamp(path: Path) -> _Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _read_text(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SECRET_FILE + 1)
        text = data.decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if len(data) > MAX_SECRET_FILE or len(text) < MIN_SECRET or not text.isalnum():
        return None
    return text


class TurnIssuer:
    """Mints TURN credentials while ``secret_path`` holds a usable secret."""

    def __init__(self, secret_path: Path, key_path: Path, lifetime: float) -> None:
        self._secret_path = secret_path
        self._key_path = key_path
        self.lifetime = lifetime
        self._stamps: tuple[_Stamp | None, _Stamp | None] | None = None
        self._secret: bytes | None = None
        self._key: bytes | None = None

    @property
    def enabled(self) -> bool:
        self._refresh()
        return self._secret is not None and self._key is not None

    def _refresh(self) -> None:
        stamps = (_stamp(self._secret_path), _stamp(self._key_path))
        if stamps == self._stamps:
            return
        self._stamps = stamps
        self._secret = self._key = None
        if stamps[0] is None:
            logger.info("no TURN secret: devices get no TURN credentials")
            return
        secret, key = _read_text(self._secret_path), _read_text(self._key_path)
        try:
            key_bytes = bytes.fromhex(key) if key is not None else None
        except ValueError:
            key_bytes = None
        if secret is None or key_bytes is None:
            logger.warning("TURN secret or pseudonym key unusable: no TURN credentials")
            return
        self._secret, self._key = secret.encode("ascii"), key_bytes
        logger.info("TURN secret loaded")

    def credential(self, device_id: DeviceId, now: float) -> TurnCredential | None:
        """A fresh credential for this device, or None when TURN is not set up."""
        if not self.enabled:
            return None
        assert self._secret is not None and self._key is not None
        day = dt.datetime.fromtimestamp(now, dt.UTC).date()
        name = pseudonym(self._key, device_id, day)
        return mint(self._secret, name, now=now, lifetime=self.lifetime)
