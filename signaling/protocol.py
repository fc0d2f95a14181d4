"""The signaling wire format: versioned JSON objects over one WebSocket.

Every frame is a JSON object ``{"v": 1, "type": ..., <fields>}`` in a text frame.
Parsing is strict about what we read (types, sizes, nesting) and ignores extra
fields, so a later minor addition does not break an older peer. Anything else
raises :class:`ProtocolError` with an :class:`ErrorCode` - never another exception.
The relay payload is opaque: the server checks only its JSON shape and size.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib.metadata
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from signaling.errors import ProtocolError

VERSION = 1
# Optional, on the WebSocket upgrade: the app version, for the helpdesk's overview. A
# server that does not know it ignores it; a client that does not send it is "unknown".
APP_VERSION_HEADER = "Klasgenoot-App-Version"
_APP_VERSION = re.compile(r"[0-9A-Za-z.+-]{1,32}")


def app_version() -> str:
    """This program's version (the server's /health and the client's header say it)."""
    try:
        return importlib.metadata.version("klasgenoot")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"  # running from a source tree that was never installed


def app_version_from(header: str | None) -> str | None:
    """The header's value if it looks like a version, else None (never echoed raw)."""
    return header if header is not None and _APP_VERSION.fullmatch(header) else None


# Optional, on the WebSocket upgrade: the number of the newest CRL the device holds.
# The server pushes its CRL on connecting only when it has a newer one: a large fleet's
# CRL is tens or hundreds of kB (about 53 bytes of PEM per revoked certificate), and
# every reconnect of a storm or a move would otherwise carry it again.
CRL_NUMBER_HEADER = "Klasgenoot-Crl-Number"
_CRL_NUMBER = re.compile(r"[0-9]{1,18}")


def crl_number_from(header: str | None) -> int | None:
    """The header's CRL number, or None if absent or not a plain number (the device
    then gets the CRL, as one that sent nothing)."""
    return int(header) if header is not None and _CRL_NUMBER.fullmatch(header) else None


MAX_DEPTH = 32  # JSON nesting; deeper input would only exhaust the parser's stack
MAX_TEXT = 512 * 1024  # any one string field (a CRL's PEM is the largest)
MAX_TURN_FIELD = 256  # a TURN username or password (ours are under 40 characters)
_TURN_USERNAME = re.compile(r"^([0-9]{1,12}):[A-Za-z0-9_.-]{1,200}$")
_TURN_PASSWORD = re.compile(r"^[A-Za-z0-9+/=]{1,256}$")

Payload = dict[str, Any] | str


class ErrorCode(enum.StrEnum):
    MALFORMED = "malformed"
    UNKNOWN_TYPE = "unknown_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    PEER_OFFLINE = "peer_offline"


class CloseCode(enum.IntEnum):
    """WebSocket close codes the server uses (4000-4999 are ours)."""

    NORMAL = 1000
    GOING_AWAY = 1001
    TRY_AGAIN = 1013  # this instance cannot serve now (backplane down): try another
    TOO_BIG = 1009
    REPLACED = 4001
    REVOKED = 4003
    EXPIRED = 4004
    UNSUPPORTED_VERSION = 4005
    RATE_LIMITED = 4008
    TOO_SLOW = 4009


@dataclass(frozen=True, slots=True)
class Hello:
    """Server → client, first frame: who the server thinks you are."""

    TYPE: ClassVar[str] = "hello"
    device: str  # short DeviceId
    role: str
    peer_online: bool


@dataclass(frozen=True, slots=True)
class Presence:
    TYPE: ClassVar[str] = "presence"
    peer_online: bool


@dataclass(frozen=True, slots=True)
class Relay:
    """Both ways: an opaque payload for the paired device."""

    TYPE: ClassVar[str] = "relay"
    payload: Payload


@dataclass(frozen=True, slots=True)
class CrlPush:
    TYPE: ClassVar[str] = "crl"
    number: int
    pem: str


@dataclass(frozen=True, slots=True)
class TurnFrame:
    """Server → client: a TURN credential minted for this device (docs/protocol.md)."""

    TYPE: ClassVar[str] = "turn"
    username: str  # "<expires>:<daily pseudonym>"
    password: str
    expires: int  # unix seconds

    def __repr__(self) -> str:  # never the password in a log or traceback
        return f"TurnFrame(expires={self.expires})"


@dataclass(frozen=True, slots=True)
class ErrorFrame:
    TYPE: ClassVar[str] = "error"
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class CallReport:
    """Client → server, once at the end of a call: its technical summary for the
    helpdesk's "last call" (docs/protocol.md). Numbers and codes only: no address,
    no free text; :func:`parse_client` checks each field against the sets below."""

    TYPE: ClassVar[str] = "call"
    start: int  # unix seconds (UTC) when the call first went live
    duration_s: int
    end_reason: str  # media.state.EndReason's value
    quality: str  # good / fair / poor / unknown
    rtt_ms: int | None  # median round trip, None if never measured
    loss_pct: float  # packets lost of those received, 0-100, one decimal
    candidate_type: str  # host / srflx / prflx / relay / none
    relay_protocol: str  # udp / tcp / tls / none


@dataclass(frozen=True, slots=True)
class Ping:
    TYPE: ClassVar[str] = "ping"


@dataclass(frozen=True, slots=True)
class Pong:
    TYPE: ClassVar[str] = "pong"


ClientMessage = Relay | CallReport | Ping
ServerMessage = Hello | Presence | Relay | CrlPush | TurnFrame | ErrorFrame | Pong
Message = ClientMessage | ServerMessage


def encode(message: Message) -> str:
    body: dict[str, Any] = {"v": VERSION, "type": message.TYPE}
    for field in dataclasses.fields(message):
        body[field.name] = getattr(message, field.name)
    return json.dumps(body, separators=(",", ":"))


def depth_ok(value: Any) -> bool:
    """No deeper than MAX_DEPTH (the backplane's messages are checked the same way)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def _decode(data: str | bytes, max_bytes: int) -> dict[str, Any]:
    if len(data) > max_bytes:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"frame over {max_bytes} bytes")
    try:
        obj = jsondoc.loads(data, limit=max_bytes)
    except JsonDocInvalid as exc:
        raise ProtocolError(ErrorCode.MALFORMED, exc.detail) from exc
    if not depth_ok(obj):
        raise ProtocolError(ErrorCode.MALFORMED, "nested too deeply")
    version = obj.get("v")
    if type(version) is not int:
        raise ProtocolError(ErrorCode.MALFORMED, "field v")
    if version != VERSION:
        raise ProtocolError(ErrorCode.UNSUPPORTED_VERSION, f"this side speaks v{VERSION}")
    return obj


def _get(obj: dict[str, Any], name: str, kind: type) -> Any:
    value = obj.get(name)
    # bool is an int subclass in Python, but never a valid number here
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProtocolError(ErrorCode.MALFORMED, f"field {name}")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"field {name}")
    return value


def _payload(obj: dict[str, Any]) -> Payload:
    value = obj.get("payload")
    if not isinstance(value, dict | str):
        raise ProtocolError(ErrorCode.MALFORMED, "field payload")
    return value


def _crl(obj: dict[str, Any]) -> CrlPush:
    number = _get(obj, "number", int)
    if number < 0:
        raise ProtocolError(ErrorCode.MALFORMED, "field number")
    return CrlPush(number, _get(obj, "pem", str))


def _turn(obj: dict[str, Any]) -> TurnFrame:
    """Strict: the client hands these to its ICE agent, so only the exact shape passes."""
    username, password = _get(obj, "username", str), _get(obj, "password", str)
    expires = _get(obj, "expires", int)
    match = _TURN_USERNAME.match(username) if len(username) <= MAX_TURN_FIELD else None
    if match is None or int(match[1]) != expires:
        raise ProtocolError(ErrorCode.MALFORMED, "field username")
    if len(password) > MAX_TURN_FIELD or not _TURN_PASSWORD.match(password):
        raise ProtocolError(ErrorCode.MALFORMED, "field password")
    if expires <= 0:
        raise ProtocolError(ErrorCode.MALFORMED, "field expires")
    return TurnFrame(username, password, expires)


# What a call report may say (media.state.EndReason's values: a test keeps them equal).
END_REASONS = frozenset({
    "hangup_local", "hangup_remote", "peer_untrusted", "peer_revoked", "update_needed",
    "declined", "stopped", "outside_schedule", "revoked",
})  # fmt: skip
QUALITIES = frozenset({"good", "fair", "poor", "unknown"})
CANDIDATE_TYPES = frozenset({"host", "srflx", "prflx", "relay", "none"})
RELAY_PROTOCOLS = frozenset({"udp", "tcp", "tls", "none"})
MAX_CALL_S = 7 * 24 * 3600  # longer than any school week: a wrong clock, not a call
MAX_RTT_MS = 60_000
EARLIEST_START = 1_577_836_800  # 2020-01-01: before this product existed


def _one_of(obj: dict[str, Any], name: str, allowed: frozenset[str]) -> str:
    value = _get(obj, name, str)
    if value not in allowed:
        raise ProtocolError(ErrorCode.MALFORMED, f"field {name}")
    return str(value)


def _bounded(obj: dict[str, Any], name: str, low: int, high: int) -> int:
    value = _get(obj, name, int)
    if not low <= value <= high:
        raise ProtocolError(ErrorCode.MALFORMED, f"field {name}")
    return int(value)


def call_report(obj: dict[str, Any]) -> CallReport:
    """Strict: the server keeps and shows this, so only known codes and sane numbers
    (the backplane reads what another instance kept with this, too). The error's
    detail starts with "call " so the server can count refused summaries."""
    try:
        return _call_report(obj)
    except ProtocolError as exc:
        raise ProtocolError(exc.code, f"call {exc.detail or exc.code}") from None


def _call_report(obj: dict[str, Any]) -> CallReport:
    start = _bounded(obj, "start", EARLIEST_START, 2**33)
    duration = _bounded(obj, "duration_s", 0, MAX_CALL_S)
    rtt = obj.get("rtt_ms")
    if rtt is not None:
        rtt = _bounded(obj, "rtt_ms", 0, MAX_RTT_MS)
    loss = obj.get("loss_pct")
    if isinstance(loss, bool) or not isinstance(loss, int | float) or not 0 <= loss <= 100:
        raise ProtocolError(ErrorCode.MALFORMED, "field loss_pct")  # NaN fails too
    candidate = _one_of(obj, "candidate_type", CANDIDATE_TYPES)
    protocol = _one_of(obj, "relay_protocol", RELAY_PROTOCOLS)
    if protocol != "none" and candidate != "relay":  # (the peer's relay: "relay", none)
        raise ProtocolError(ErrorCode.MALFORMED, "field relay_protocol")
    return CallReport(
        start, duration, _one_of(obj, "end_reason", END_REASONS),
        _one_of(obj, "quality", QUALITIES), rtt, round(float(loss), 1), candidate, protocol,
    )  # fmt: skip


_CLIENT: dict[str, Callable[[dict[str, Any]], ClientMessage]] = {
    "relay": lambda o: Relay(_payload(o)),
    "call": call_report,
    "ping": lambda o: Ping(),
}
_SERVER: dict[str, Callable[[dict[str, Any]], ServerMessage]] = {
    "hello": lambda o: Hello(
        _get(o, "device", str), _get(o, "role", str), _get(o, "peer_online", bool)
    ),
    "presence": lambda o: Presence(_get(o, "peer_online", bool)),
    "relay": lambda o: Relay(_payload(o)),
    "crl": _crl,
    "turn": _turn,
    "error": lambda o: ErrorFrame(_get(o, "code", str), _get(o, "message", str)),
    "pong": lambda o: Pong(),
}


def parse_client(data: str | bytes, max_bytes: int) -> ClientMessage:
    """A frame a device sent to the server; ProtocolError if it is not one."""
    obj = _decode(data, max_bytes)
    kind = obj.get("type")
    build = _CLIENT.get(kind) if isinstance(kind, str) else None
    if build is None:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, "unknown type")
    return build(obj)


def parse_server(data: str | bytes, max_bytes: int) -> ServerMessage:
    """A frame the server sent to a device; ProtocolError if it is not one."""
    obj = _decode(data, max_bytes)
    kind = obj.get("type")
    build = _SERVER.get(kind) if isinstance(kind, str) else None
    if build is None:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, "unknown type")
    return build(obj)
