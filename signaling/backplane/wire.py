"""What instances say to each other through the backplane, checked like any input.

Redis is shared: whoever holds its password can publish anything. Every bus message
is parsed here with a size limit and strict field types; anything else raises
:class:`BusMessageInvalid` and is dropped by the caller, never acted on. Identities
are short DeviceIds only (the pseudonymous first group); nothing else of a device
crosses, apart from the sealed relay payload the server never reads.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any

from common import jsondoc
from common.jsondoc import JsonDocInvalid
from signaling.errors import ProtocolError, SignalingError
from signaling.protocol import CallReport, Payload, call_report, depth_ok

KIB = 1024
# A relay carries at most one 64 KiB frame's payload; a CRL up to 512 KiB of PEM.
MAX_BUS_MESSAGE = 640 * KIB
MAX_RELAY = 72 * KIB  # a 64 KiB client frame's payload plus our envelope
_SHORT = re.compile(r"[A-Z2-7]{4,16}")  # a short DeviceId: base32 letters
_INSTANCE = re.compile(r"[a-z0-9-]{1,40}")
_ROLES = frozenset({"student", "classroom"})


class BusMessageInvalid(SignalingError):
    """Een bericht van een andere serverinstantie klopte niet en is genegeerd."""


@dataclass(frozen=True, slots=True)
class Up:
    """A device came online on ``instance``; it is paired with ``peer``."""

    instance: str
    device: str
    peer: str
    role: str
    since: int  # unix seconds


@dataclass(frozen=True, slots=True)
class Down:
    instance: str
    device: str
    peer: str


@dataclass(frozen=True, slots=True)
class Alive:
    """Sent every second; an instance silent for longer than the bound is gone."""

    instance: str


@dataclass(frozen=True, slots=True)
class Bye:
    """An instance is stopping: its devices move elsewhere."""

    instance: str


@dataclass(frozen=True, slots=True)
class RelayTo:
    """A sealed payload from ``sender`` for ``device`` (on the receiving instance)."""

    device: str
    sender: str
    payload: Payload


@dataclass(frozen=True, slots=True)
class CrlNews:
    """A CRL one instance loaded: the others verify its signature before use."""

    number: int
    pem: str


@dataclass(frozen=True, slots=True)
class CallNews:
    """A device on ``instance`` reported the end of a call (signaling.lastcall); also
    what Redis keeps in that instance's presence hash."""

    instance: str
    device: str
    peer: str
    serial: int  # its certificate's: every instance forgets it when that is revoked
    report: CallReport


@dataclass(frozen=True, slots=True)
class CallGone:
    """The instance forgot a device's last call (revoked): drop it from its hash."""

    instance: str
    device: str
    peer: str


BusMessage = Up | Down | Alive | Bye | RelayTo | CrlNews | CallNews | CallGone
_KINDS = {Up: "up", Down: "down", Alive: "alive", Bye: "bye", RelayTo: "relay", CrlNews: "crl",
          CallNews: "call", CallGone: "call-gone"}  # fmt: skip


def encode(message: BusMessage) -> bytes:
    body: dict[str, Any] = {"k": _KINDS[type(message)]}
    for name in message.__slots__:
        value = getattr(message, name)
        body[name] = dataclasses.asdict(value) if isinstance(value, CallReport) else value
    # ensure_ascii off: a relay re-encoded here is never longer than the frame it
    # came in (escaped characters would grow up to six times and pass MAX_RELAY)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _field(
    obj: dict[str, Any], name: str, kind: type, pattern: re.Pattern[str] | None = None
) -> Any:
    value = obj.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BusMessageInvalid(f"field {name}")
    if pattern is not None and not pattern.fullmatch(str(value)):
        raise BusMessageInvalid(f"field {name}")
    return value


def _payload(obj: dict[str, Any]) -> Payload:
    value = obj.get("payload")
    if not isinstance(value, dict | str):
        raise BusMessageInvalid("field payload")
    return value


def decode(data: bytes | str) -> BusMessage:
    """One bus message; BusMessageInvalid if it is not one of ours."""
    try:
        obj = jsondoc.loads(data, limit=MAX_BUS_MESSAGE)
    except JsonDocInvalid as exc:
        raise BusMessageInvalid(exc.detail) from exc
    if not depth_ok(obj):
        raise BusMessageInvalid("not a flat JSON object")
    kind = obj.get("k")
    if kind == "relay":
        if len(data) > MAX_RELAY:
            raise BusMessageInvalid("relay too large")
        return RelayTo(_field(obj, "device", str, _SHORT), _field(obj, "sender", str, _SHORT),
                       _payload(obj))  # fmt: skip
    instance = _field(obj, "instance", str, _INSTANCE) if kind != "crl" else ""
    if kind == "up":
        role = _field(obj, "role", str)
        if role not in _ROLES:
            raise BusMessageInvalid("field role")
        since = _field(obj, "since", int)
        return Up(instance, _field(obj, "device", str, _SHORT), _field(obj, "peer", str, _SHORT),
                  role, since)  # fmt: skip
    if kind == "down":
        return Down(instance, _field(obj, "device", str, _SHORT), _field(obj, "peer", str, _SHORT))
    if kind in ("call", "call-gone"):
        return _call_news(obj, instance) if kind == "call" else _call_gone(obj, instance)
    if kind in ("alive", "bye"):
        return Alive(instance) if kind == "alive" else Bye(instance)
    if kind == "crl":
        number = _field(obj, "number", int)
        if number < 0:
            raise BusMessageInvalid("field number")
        return CrlNews(number, _field(obj, "pem", str))
    raise BusMessageInvalid("unknown kind")


def _call_news(obj: dict[str, Any], instance: str) -> CallNews:
    report = _field(obj, "report", dict)
    serial = _field(obj, "serial", int)
    if serial < 0:
        raise BusMessageInvalid("field serial")
    try:
        checked = call_report(report)  # as strictly as the device's own frame
    except ProtocolError as exc:
        raise BusMessageInvalid("field report") from exc
    return CallNews(instance, _field(obj, "device", str, _SHORT), _field(obj, "peer", str, _SHORT),
                    serial, checked)  # fmt: skip


def _call_gone(obj: dict[str, Any], instance: str) -> CallGone:
    return CallGone(instance, _field(obj, "device", str, _SHORT), _field(obj, "peer", str, _SHORT))
