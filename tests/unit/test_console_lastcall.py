"""The console's last call: read strictly from /status, the later of a pair's two
summaries, and in Dutch words."""

from __future__ import annotations

from typing import Any

import pytest

from console.lastcall import describe, duration_words, exported, latest, parse_calls
from pairing.roles import Role
from signaling.protocol import CallReport

S, C = "ABCDEFG", "HIJKLMN"
BASE = {"start": 1_790_000_000, "duration_s": 754, "end_reason": "hangup_local",
        "quality": "fair", "rtt_ms": 310, "loss_pct": 0.4, "candidate_type": "relay",
        "relay_protocol": "tls"}  # fmt: skip


def doc(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"devices": [], "calls": list(entries)}


def test_the_later_of_the_two_summaries_is_the_pairs() -> None:
    calls = parse_calls(doc({"device": S, "peer": C, **BASE},
                            {"device": C, "peer": S, **BASE, "start": BASE["start"] + 5,
                             "end_reason": "hangup_remote"}))  # fmt: skip
    found = latest(calls, {Role.STUDENT: S, Role.CLASSROOM: C})
    assert found is not None and found[0] is Role.CLASSROOM
    assert latest(calls, {Role.STUDENT: S}) is None  # one device enrolled: no pair yet
    assert latest(calls, {Role.STUDENT: "QQQQQQQ", Role.CLASSROOM: C}) is None  # not its peer


def test_words() -> None:
    report = CallReport(**BASE)  # type: ignore[arg-type]
    words = describe((Role.STUDENT, report))
    assert words == {"start": "2026-09-21 14:13 UTC", "duration": "13 min",
                     "reason": "opgehangen door de leerling",
                     "quality": "matig (vertraging 310 ms, verlies 0,4 %)",
                     "path": "via relay (TLS)"}  # fmt: skip
    remote = CallReport(**{**BASE, "end_reason": "hangup_remote"})  # type: ignore[arg-type]
    assert describe((Role.STUDENT, remote))["reason"] == "opgehangen door de klas"  # type: ignore[index]
    stopped = CallReport(**{**BASE, "end_reason": "stopped", "candidate_type": "srflx",
                            "relay_protocol": "none", "quality": "unknown",
                            "rtt_ms": None})  # type: ignore[arg-type]  # fmt: skip
    words = describe((Role.CLASSROOM, stopped))
    assert words is not None
    assert words["reason"] == "het klasapparaat stopte (herstart of uitgezet)"
    assert (words["quality"], words["path"]) == ("onbekend", "direct (via internet)")
    assert describe(None) is None
    assert exported((Role.CLASSROOM, stopped))["reported_by"] == "classroom"  # type: ignore[index]


@pytest.mark.parametrize(("seconds", "text"), [(5, "minder dan 1 min"), (60, "1 min"),
                                               (719, "12 min"), (3900, "1 u 05 min")])  # fmt: skip
def test_durations(seconds: int, text: str) -> None:
    assert duration_words(seconds) == text


@pytest.mark.parametrize(
    "entry",
    [
        {"device": "abc", "peer": C, **BASE},
        {"device": S, "peer": 7, **BASE},
        {"device": S, "peer": C, **BASE, "end_reason": "<script>"},
        {"device": S, "peer": C, **BASE, "candidate_type": "10.1.2.3"},
        "not an object",
    ],
)
def test_a_status_with_a_bad_call_is_refused(entry: Any) -> None:
    with pytest.raises(ValueError, match="call"):
        parse_calls(doc(entry))
