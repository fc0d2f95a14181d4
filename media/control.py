"""The control and heartbeat channel protocols: versioned JSON, validated, size-limited.

``control`` (reliable, ordered) carries what the people on either side do: mute
states, presence level, hand, pan/zoom, pause, ... Every message type has a schema
here; anything else is refused at the boundary. ``heartbeat`` (unordered, no
retransmits) carries only a version and a counter. A message of another protocol
version raises :class:`VersionMismatch`, which the session turns into the
"update needed" state. Nothing on either channel is ever stored.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from media.errors import MediaError

CONTROL_VERSION = 1
MAX_CONTROL_BYTES = 4096
MAX_HEARTBEAT_BYTES = 128
BYE_REASONS = (
    "hangup",
    "declined",
    "superseded",
    "untrusted",
    "update",
    "schedule",
    "restarting",  # the device stops for a restart: wait for it, do not end
)


class ControlInvalid(MediaError):
    """Een bericht van het andere apparaat was ongeldig en is genegeerd."""


class VersionMismatch(MediaError):
    """Het andere apparaat gebruikt een andere versie. Een update is nodig."""


# A field spec is a type, or a tuple of allowed string values, or (type, lo, hi).
FieldSpec = type | tuple[Any, ...]
SCHEMA: dict[str, dict[str, FieldSpec]] = {
    "hello": {"app": str},
    "bye": {"reason": BYE_REASONS},
    "media": {"mic": bool, "camera": bool},
}


def register(kind: str, fields: dict[str, FieldSpec]) -> None:
    """Add a message type (features call this at import; names are unique)."""
    if kind in SCHEMA and SCHEMA[kind] != fields:
        raise ValueError(f"control message {kind!r} already registered differently")
    SCHEMA[kind] = fields


@dataclass(frozen=True, slots=True)
class ControlMessage:
    kind: str
    body: Mapping[str, Any] = field(default_factory=lambda: types.MappingProxyType({}))

    def __post_init__(self) -> None:
        _check_body(self.kind, dict(self.body))
        object.__setattr__(self, "body", types.MappingProxyType(dict(self.body)))

    def encode(self) -> str:
        data = json.dumps({"v": CONTROL_VERSION, "type": self.kind, **self.body})
        if len(data.encode()) > MAX_CONTROL_BYTES:
            raise ControlInvalid("too large")
        return data


def _check_value(name: str, spec: FieldSpec, value: Any) -> None:
    if isinstance(spec, type):
        # bool is an int in Python; a protocol must not confuse them.
        ok = isinstance(value, spec) and not (spec in (int, float) and isinstance(value, bool))
        if spec is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif len(spec) == 3 and isinstance(spec[0], type):
        kind, lo, hi = spec
        ok = _number(value, kind) and lo <= value <= hi
    else:
        ok = isinstance(value, str) and value in spec
    if not ok:
        raise ControlInvalid(f"field {name}")
    if isinstance(value, str) and len(value) > 64:
        raise ControlInvalid(f"field {name} too long")


def _number(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if kind is int else isinstance(value, (int, float))


def _check_body(kind: str, body: dict[str, Any]) -> None:
    schema = SCHEMA.get(kind)
    if schema is None:
        raise ControlInvalid("unknown type")
    if set(body) != set(schema):
        raise ControlInvalid("fields")
    for name, spec in schema.items():
        _check_value(name, spec, body[name])


def _load_object(data: str | bytes, limit: int) -> dict[str, Any]:
    raw = data.encode() if isinstance(data, str) else data
    try:
        obj = jsondoc.loads(raw, limit=limit)
    except JsonDocInvalid as exc:
        raise ControlInvalid(exc.detail) from exc
    version = obj.get("v")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ControlInvalid("no version")
    if version != CONTROL_VERSION:
        raise VersionMismatch(f"peer speaks v{version}")
    return obj


def decode_control(data: str | bytes) -> ControlMessage:
    """Parse one control message; ControlInvalid or VersionMismatch otherwise."""
    obj = _load_object(data, MAX_CONTROL_BYTES)
    kind = obj.pop("type", None)
    obj.pop("v")
    if not isinstance(kind, str):
        raise ControlInvalid("no type")
    return ControlMessage(kind, obj)


def encode_heartbeat(counter: int) -> str:
    return json.dumps({"v": CONTROL_VERSION, "hb": counter})


def decode_heartbeat(data: str | bytes) -> int:
    obj = _load_object(data, MAX_HEARTBEAT_BYTES)
    counter = obj.get("hb")
    if set(obj) != {"v", "hb"} or not isinstance(counter, int) or isinstance(counter, bool):
        raise ControlInvalid("heartbeat")
    return counter
