"""Follow the fleet's CRL file: `fleet revoke` rewrites it, the server picks it up.

The file is polled (mtime, size, inode) rather than watched with inotify: the same
code then runs on every platform, and a poll every half second is nothing. Only a
CRL signed by the fleet CA and with a higher number replaces the current one, so a
stale or forged file cannot un-revoke a device.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography import x509

from pairing.errors import RevocationListInvalid
from pairing.revocation import RevocationList, load_crl, newer
from signaling.errors import ServerConfigError

logger = logging.getLogger(__name__)


class CrlWatcher:
    def __init__(self, path: Path, ca_cert: x509.Certificate) -> None:
        self._path = path
        self._ca_cert = ca_cert
        self._stamp: tuple[int, int, int] | None = None
        self.current: RevocationList | None = None

    def load(self) -> RevocationList:
        """The first load: a server without a valid CRL does not start."""
        crl = self.poll()
        if crl is None:
            raise ServerConfigError("crl.pem missing or invalid")
        return crl

    def poll(self) -> RevocationList | None:
        """A newer CRL if the file changed to one, else None."""
        try:
            st = os.stat(self._path)
        except OSError:
            return None  # mid-rewrite or removed: keep the CRL we have
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp:
            return None
        self._stamp = stamp
        try:
            crl = load_crl(self._path.read_bytes(), self._ca_cert)
        except (OSError, RevocationListInvalid) as exc:
            logger.warning("crl.pem ignored: %s", getattr(exc, "detail", "") or "unreadable")
            return None
        if not newer(self.current, crl):
            if self.current is not None and crl.number < self.current.number:
                logger.warning("crl.pem ignored: number %d is older", crl.number)
            return None
        self.current = crl
        logger.info("CRL %d loaded (%d revoked)", crl.number, len(crl.serials))
        return crl
