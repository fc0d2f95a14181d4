"""A pairing's last call, as the helpdesk reads it: from the signaling server's
``/status`` (signaling.lastcall) into Dutch words for the overview, the pairing page
and the export.

Each device reports its own summary when a call ends; a pairing shows the more
recent of its two devices' summaries. The console keeps none of it: it is read
from the server on every poll, like presence.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from pairing.roles import Role
from signaling.errors import ProtocolError
from signaling.protocol import CallReport, call_report

MAX_CALLS = 200_000  # two per pair of a large fleet, with room
_SHORT = re.compile(r"[A-Z2-7]{4,16}")

Calls = dict[tuple[str, str], CallReport]  # (device short id, its peer's) -> its last call
Found = tuple[Role, CallReport] | None  # a pairing's latest call, and which device sent it

_BY = {Role.STUDENT: "de leerling", Role.CLASSROOM: "de klas"}
_DEVICE = {Role.STUDENT: "de leerlinglaptop", Role.CLASSROOM: "het klasapparaat"}
# Said of the device that reported the call: "{device} ..." (stopped, revoked).
_OF_REPORTER = {
    "stopped": "{device} stopte (herstart of uitgezet)",
    "revoked": "{device} is ingetrokken",
}
_REASONS = {
    "peer_untrusted": "het andere apparaat werd niet vertrouwd",
    "peer_revoked": "het andere apparaat is ingetrokken",
    "update_needed": "een update is nodig",
    "declined": "geweigerd",
    "outside_schedule": "buiten de schooltijden",
}
_QUALITY = {"good": "goed", "fair": "matig", "poor": "slecht", "unknown": "onbekend"}
_PATHS = {"host": "direct (zelfde netwerk)", "srflx": "direct (via internet)",
          "prflx": "direct (via internet)", "none": "onbekend"}  # fmt: skip


def parse_calls(doc: dict[str, Any]) -> Calls:
    """The ``calls`` of a status document, each checked as strictly as the server
    checked the device's frame; ValueError if any is not one (the poll fails)."""
    entries = doc.get("calls", [])
    if not isinstance(entries, list) or len(entries) > MAX_CALLS:
        raise ValueError("calls")
    out: Calls = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError("call entry")
        device, peer = entry.get("device"), entry.get("peer")
        if not (isinstance(device, str) and _SHORT.fullmatch(device)):
            raise ValueError("call device")
        if not (isinstance(peer, str) and _SHORT.fullmatch(peer)):
            raise ValueError("call peer")
        try:
            out[(device, peer)] = call_report(entry)
        except ProtocolError as exc:
            raise ValueError("call report") from exc
    return out


def latest(calls: Calls, shorts: dict[Role, str]) -> Found:
    """The more recent of the two devices' last calls (by when it ended)."""
    student, classroom = shorts.get(Role.STUDENT), shorts.get(Role.CLASSROOM)
    if student is None or classroom is None:
        return None
    found = [(role, calls[key]) for role, key in
             ((Role.STUDENT, (student, classroom)), (Role.CLASSROOM, (classroom, student)))
             if key in calls]  # fmt: skip
    return max(found, key=lambda f: f[1].start + f[1].duration_s, default=None)


def duration_words(seconds: int) -> str:
    minutes = round(seconds / 60)
    if seconds < 60:
        return "minder dan 1 min"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} u {minutes % 60:02d} min"


def reason_words(reason: str, reporter: Role) -> str:
    if reason == "hangup_local":
        return f"opgehangen door {_BY[reporter]}"
    if reason == "hangup_remote":
        return f"opgehangen door {_BY[reporter.opposite]}"
    if reason in _OF_REPORTER:
        return _OF_REPORTER[reason].format(device=_DEVICE[reporter])
    return _REASONS.get(reason, reason)


def path_words(report: CallReport) -> str:
    if report.candidate_type != "relay":
        return _PATHS.get(report.candidate_type, "onbekend")
    if report.relay_protocol == "none":
        return "via relay (van het andere apparaat)"
    return f"via relay ({report.relay_protocol.upper()})"


def quality_words(report: CallReport) -> str:
    numbers = []
    if report.rtt_ms is not None:
        numbers.append(f"vertraging {report.rtt_ms} ms")
    if report.quality != "unknown":
        numbers.append(f"verlies {report.loss_pct:.1f} %".replace(".", ","))
    words = _QUALITY.get(report.quality, report.quality)
    return f"{words} ({', '.join(numbers)})" if numbers else words


def describe(found: Found) -> dict[str, str] | None:
    """The words the pages show; None when neither device reported a call."""
    if found is None:
        return None
    role, report = found
    start = dt.datetime.fromtimestamp(report.start, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {"start": start, "duration": duration_words(report.duration_s),
            "reason": reason_words(report.end_reason, role), "quality": quality_words(report),
            "path": path_words(report)}  # fmt: skip


def exported(found: Found) -> dict[str, Any] | None:
    """For the pairing's JSON export: the numbers and codes, and who reported them."""
    if found is None:
        return None
    role, report = found
    return {"reported_by": role.value, **dataclasses.asdict(report)}
