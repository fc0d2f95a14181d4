"""Call set-up messages, carried inside the signaling server's opaque relay payloads.

    student → classroom   hello    {call, nonce, cert}
    classroom → student   welcome  {call, nonce, cert}
    student → classroom   offer    {call, sealed}     (media.sealing: encrypted + signed)
    classroom → student   answer   {call, sealed}
    either                bye      {call, reason[, next]}

``next`` (bye "schedule" only, optional): when the classroom opens again, ISO 8601
with offset; the pupil's screen shows it.

``call`` names one attempt (one peer connection); both nonces are fresh per attempt
and are bound into the sealed offer and answer, so a replayed offer fails. The
server sees certificates (it already has them from TLS) and ciphertext, never SDP.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from media.control import BYE_REASONS, ControlInvalid, VersionMismatch

HANDSHAKE_VERSION = 1
NONCE_BYTES = 16
MAX_CERT_CHARS = 8192
_CALL_RE = re.compile(r"^[0-9a-f]{16}$")
KINDS = ("hello", "welcome", "offer", "answer", "bye")


def new_call_id() -> str:
    return secrets.token_hex(8)


def new_nonce() -> bytes:
    return secrets.token_bytes(NONCE_BYTES)


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64d(text: str, *, limit: int = 1 << 16) -> bytes:
    if not isinstance(text, str) or len(text) > limit:
        raise ControlInvalid("base64 field")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ControlInvalid("base64 field") from exc


@dataclass(frozen=True, slots=True)
class Handshake:
    kind: str
    call: str
    nonce: bytes = b""
    cert: str = ""
    sealed: Any = None
    reason: str = ""
    next: str = ""  # bye "schedule": the next start

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hs": HANDSHAKE_VERSION, "t": self.kind, "call": self.call}
        if self.kind in ("hello", "welcome"):
            out.update(nonce=b64e(self.nonce), cert=self.cert)
        elif self.kind in ("offer", "answer"):
            out["sealed"] = self.sealed
        else:
            out["reason"] = self.reason
            if self.next:
                out["next"] = self.next
        return out


def parse_handshake(payload: Any) -> Handshake:
    """Validate a relayed payload; ControlInvalid for anything unexpected.

    A different ``hs`` version raises media.control.VersionMismatch.
    """
    if not isinstance(payload, dict):
        raise ControlInvalid("payload")
    version = payload.get("hs")
    if version != HANDSHAKE_VERSION:
        if isinstance(version, int) and not isinstance(version, bool):
            raise VersionMismatch(f"handshake v{version}")
        raise ControlInvalid("handshake version")
    kind, call = payload.get("t"), payload.get("call")
    if kind not in KINDS or not isinstance(call, str) or not _CALL_RE.match(call):
        raise ControlInvalid("kind or call")
    expected = {"hs", "t", "call"} | _FIELDS[kind]
    if kind == "bye" and payload.get("reason") == "schedule" and "next" in payload:
        expected |= {"next"}
    if set(payload) != expected:
        raise ControlInvalid("fields")
    if kind in ("hello", "welcome"):
        nonce, cert = b64d(payload["nonce"], limit=64), payload["cert"]
        if len(nonce) != NONCE_BYTES or not isinstance(cert, str) or len(cert) > MAX_CERT_CHARS:
            raise ControlInvalid("nonce or cert")
        return Handshake(kind, call, nonce=nonce, cert=cert)
    if kind in ("offer", "answer"):
        return Handshake(kind, call, sealed=payload["sealed"])
    if payload["reason"] not in BYE_REASONS:
        raise ControlInvalid("reason")
    next_start = payload.get("next", "")
    if next_start and not _is_instant(next_start):
        raise ControlInvalid("next")
    return Handshake(kind, call, reason=payload["reason"], next=next_start)


def _is_instant(text: object) -> bool:
    """An ISO 8601 date-time with offset, at most 40 characters."""
    if not isinstance(text, str) or not 16 <= len(text) <= 40:
        return False
    try:
        return datetime.fromisoformat(text).utcoffset() is not None
    except ValueError:
        return False


_FIELDS = {
    "hello": {"nonce", "cert"},
    "welcome": {"nonce", "cert"},
    "offer": {"sealed"},
    "answer": {"sealed"},
    "bye": {"reason"},
}
