"""TURN credentials minted for an authenticated device (the TURN REST scheme).

coturn with ``use-auth-secret`` accepts any username of the form ``expiry:anything``
whose password is ``base64(HMAC-SHA1(secret, username))`` until ``expiry`` (unix
seconds) has passed. coturn logs usernames, so the part after the colon is a
*pseudonym*: keyed with a fleet secret and changed every UTC day, so a relay's log
can tell neither which device it was nor link one day's sessions to the next.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from pairing.deviceid import DeviceId

MAX_LIFETIME = 3600.0  # seconds: a leaked credential is worth at most an hour
PSEUDONYM_BYTES = 10  # 80 bits: 16 base32 characters, unique enough for one fleet's day


@dataclass(frozen=True, slots=True)
class TurnCredential:
    """What a device hands to its ICE agent for TURN; never logged."""

    username: str
    password: str
    expires_at: float  # unix seconds

    def __repr__(self) -> str:  # a stray log line or traceback must not carry it
        return f"TurnCredential(expires_at={self.expires_at:.0f})"


def mint(secret: bytes, pseudonym: str, *, now: float, lifetime: float) -> TurnCredential:
    """A credential valid for ``lifetime`` seconds from ``now`` (at most one hour)."""
    if not 0 < lifetime <= MAX_LIFETIME:
        raise ValueError("lifetime must be within (0, 3600] seconds")
    if not pseudonym or ":" in pseudonym:
        raise ValueError("pseudonym: non-empty, without ':'")
    expiry = int(now + lifetime)
    username = f"{expiry}:{pseudonym}"
    digest = hmac.new(secret, username.encode(), hashlib.sha1).digest()
    return TurnCredential(username, base64.b64encode(digest).decode("ascii"), float(expiry))


def pseudonym(key: bytes, device_id: DeviceId, day: dt.date) -> str:
    """The device's name for TURN on ``day`` (UTC): HMAC-SHA256 under the fleet's
    pseudonym key, so it is neither the DeviceId nor computable from it without the key,
    and a new day gives an unrelated name."""
    if len(key) < 16:
        raise ValueError("pseudonym key too short")
    message = day.isoformat().encode() + b"\0" + device_id.digest
    digest = hmac.new(key, message, hashlib.sha256).digest()[:PSEUDONYM_BYTES]
    return base64.b32encode(digest).decode("ascii").lower()
