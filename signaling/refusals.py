"""Refused connections, logged so that a flood cannot fill the log.

Anyone on the internet can knock on the server's port, as often as they like. One
log line per refused connection would let them write the operator's disk full and
bury the lines that matter. :class:`RefusalLog` writes the first refusal at once
and then at most one summary line per interval, with a count per reason, for as
long as refusals keep coming. No line ever names an address.

:func:`tls_reason` turns a failed TLS handshake into a few words an operator can act
on ("no certificate", "expired", ...), from OpenSSL's reason and verify codes.
"""

from __future__ import annotations

import logging
import re
import ssl
from collections import Counter

from common.summary import IntervalSummary

logger = logging.getLogger(__name__)

# OpenSSL X509_V_ERR_* codes (x509_vfy.h) of the certificates a stranger may show.
_VERIFY_CODES = {
    2: "unknown issuer",  # UNABLE_TO_GET_ISSUER_CERT
    7: "bad signature",  # CERT_SIGNATURE_FAILURE
    9: "not yet valid",  # CERT_NOT_YET_VALID
    10: "expired",  # CERT_HAS_EXPIRED
    18: "self-signed",  # DEPTH_ZERO_SELF_SIGNED_CERT
    19: "self-signed",  # SELF_SIGNED_CERT_IN_CHAIN
    20: "unknown issuer",  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: "unknown issuer",  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    26: "not a client certificate",  # INVALID_PURPOSE: e.g. the server's own certificate
}
_SSL_REASONS = {
    "PEER_DID_NOT_RETURN_A_CERTIFICATE": "no certificate",
    "HTTP_REQUEST": "not TLS",
    "WRONG_VERSION_NUMBER": "not TLS",
    "UNSUPPORTED_PROTOCOL": "old TLS version",
    "TLSV1_ALERT_PROTOCOL_VERSION": "old TLS version",
    "NO_SHARED_CIPHER": "no shared cipher",
}
_REASON_CODE = re.compile(r"[A-Z0-9_]{1,64}")
MAX_PARTS = 10  # reasons (and devices) named in one summary line


def tls_reason(exc: BaseException) -> str:
    """A short, address-free reason for a failed handshake."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _VERIFY_CODES.get(exc.verify_code, "certificate not accepted")
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return "closed during handshake"
    if isinstance(exc, ssl.SSLError):
        return _ssl_reason(getattr(exc, "reason", None))
    if isinstance(exc, ConnectionAbortedError):  # asyncio's ssl_handshake_timeout
        return "handshake timeout"
    if isinstance(exc, ConnectionError | EOFError):
        return "closed during handshake"
    return type(exc).__name__


def _ssl_reason(reason: object) -> str:
    if not isinstance(reason, str) or not _REASON_CODE.fullmatch(reason):
        return "TLS error"
    return _SSL_REASONS.get(reason) or "TLS " + reason.lower().replace("_", " ")


class RefusalLog:
    """The first refusal at once, then one summary line per ``interval`` at most."""

    def __init__(self, level: int, interval: float) -> None:
        self._level = level
        self._interval = interval
        self._window: IntervalSummary[tuple[str | None, str]] = IntervalSummary(
            interval, self._say, self._tell
        )

    def note(self, reason: str, device: str | None = None) -> None:
        """A refused connection; ``device`` is a short DeviceId when it showed a
        fleet certificate (never an address)."""
        self._window.note((device, reason))

    def flush(self) -> None:
        """Write the summary of the interval; the window stays open while refusals come."""
        self._window.flush()

    def close(self) -> None:
        """At shutdown: write what is still counted."""
        self._window.close()

    def _say(self, key: tuple[str | None, str]) -> None:
        device, reason = key
        if device is None:
            logger.log(self._level, "refused a connection: %s", reason)
        else:
            logger.log(self._level, "refused device %s: %s", device, reason)

    def _tell(self, counts: Counter[tuple[str | None, str]]) -> None:
        total = sum(counts.values())
        parts = [
            f"{count} {reason}" if device is None else f"{count} device {device}: {reason}"
            for (device, reason), count in counts.most_common(MAX_PARTS)
        ]
        if len(counts) > MAX_PARTS:
            parts.append("others")
        logger.log(
            self._level,
            "refused %d more connections in the last %g s: %s",
            total,
            self._interval,
            "; ".join(parts),
        )
