"""The ``call`` frame (a call's summary): round trips and strict reading; the
server's store of last calls; the bus message that carries one to other instances."""

from __future__ import annotations

import json
from typing import Any

import pytest

from media.state import EndReason
from signaling.backplane.wire import BusMessageInvalid, CallGone, CallNews, decode, encode
from signaling.errors import ProtocolError
from signaling.lastcall import LastCall, LastCalls
from signaling.protocol import END_REASONS, CallReport, ErrorCode, parse_client

LIMIT = 64 * 1024
START = 1_790_000_000
REPORT = CallReport(START, 754, "hangup_local", "good", 38, 0.4, "relay", "tls")


def frame(**changes: Any) -> str:
    body: dict[str, Any] = {"v": 1, "type": "call", "start": START, "duration_s": 754,
                            "end_reason": "hangup_local", "quality": "good", "rtt_ms": 38,
                            "loss_pct": 0.4, "candidate_type": "relay",
                            "relay_protocol": "tls"}  # fmt: skip
    body.update(changes)
    return json.dumps({k: v for k, v in body.items() if v != "<drop>"})


def test_a_summary_round_trips() -> None:
    assert parse_client(frame(), LIMIT) == REPORT
    assert parse_client(frame(rtt_ms=None, loss_pct=3), LIMIT).rtt_ms is None
    peer_relays = parse_client(frame(candidate_type="relay", relay_protocol="none"), LIMIT)
    assert peer_relays.relay_protocol == "none"  # the peer's relay, not ours


def test_the_end_reasons_are_the_engines() -> None:
    # INTERRUPTED is the log's own (a session a killed run left open): no engine ends
    # a call with it, so no device may report it.
    assert {r.value for r in EndReason} - {EndReason.INTERRUPTED} == END_REASONS


@pytest.mark.parametrize(
    "changes",
    [
        {"start": "1790000000"},
        {"start": 12},  # 1970: a clock that was never set
        {"start": True},
        {"start": "<drop>"},
        {"duration_s": -1},
        {"duration_s": 8 * 24 * 3600},
        {"duration_s": 1.5},
        {"end_reason": "crashed"},
        {"end_reason": "Hangup_Local"},
        {"quality": "excellent"},
        {"quality": 3},
        {"rtt_ms": -5},
        {"rtt_ms": 10**9},
        {"rtt_ms": 38.5},
        {"loss_pct": 101},
        {"loss_pct": -0.1},
        {"loss_pct": "0.4"},
        {"loss_pct": True},
        {"loss_pct": "<drop>"},
        {"candidate_type": "192.0.2.7"},  # an address is never a code
        {"relay_protocol": "quic"},
        {"candidate_type": "host", "relay_protocol": "udp"},  # a relay transport, no relay
        {"relay_protocol": "<drop>"},
    ],
)
def test_a_bad_summary_is_refused_with_call_in_the_detail(changes: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client(frame(**changes), LIMIT)
    assert caught.value.code == ErrorCode.MALFORMED
    assert caught.value.detail.startswith("call field ")  # the server counts these


def test_nan_loss_is_refused() -> None:
    text = frame().replace('"loss_pct": 0.4', '"loss_pct": NaN')
    with pytest.raises(ProtocolError):
        parse_client(text, LIMIT)


def entry(device: str = "ABCDEFG", *, start: int = START, serial: int = 7) -> LastCall:
    report = CallReport(start, 60, "stopped", "fair", 300, 1.0, "host", "none")
    return LastCall(device, "HIJKLMN", serial, "i-a", report)


def test_the_store_keeps_the_latest_call_per_device() -> None:
    calls = LastCalls()
    assert calls.put(entry(start=START + 100))
    assert not calls.put(entry(start=START))  # older (a stale Redis hash): not kept
    assert calls.get("ABCDEFG", "HIJKLMN") == entry(start=START + 100)
    assert calls.put(entry(start=START + 200))
    assert len(calls) == 1


def test_the_store_is_bounded_in_number_and_age() -> None:
    calls = LastCalls(max_entries=2, max_age=3600)
    for name in ("AAAAAAA", "BBBBBBB", "CCCCCCC"):
        calls.put(entry(name))
    assert [e.device for e in calls.entries(now=START)] == ["BBBBBBB", "CCCCCCC"]
    assert calls.entries(now=START + 60 + 3601) == []  # older than the bound: gone
    assert len(calls) == 0


def test_revoking_a_certificate_forgets_its_call() -> None:
    calls = LastCalls()
    calls.put(entry("AAAAAAA", serial=1))
    calls.put(entry("BBBBBBB", serial=2))
    gone = calls.forget(frozenset({2, 99}))
    assert [e.device for e in gone] == ["BBBBBBB"]
    assert [e.device for e in calls.entries(now=START)] == ["AAAAAAA"]


def test_an_instance_drops_only_the_entry_it_wrote() -> None:
    calls = LastCalls()
    calls.put(entry())  # written by i-a
    calls.drop("ABCDEFG", "HIJKLMN", "i-b")  # a stale copy elsewhere: not this one
    assert calls.get("ABCDEFG", "HIJKLMN") is not None
    calls.drop("ABCDEFG", "HIJKLMN", "i-a")
    assert calls.get("ABCDEFG", "HIJKLMN") is None


def test_the_public_view_names_no_serial() -> None:
    view = entry().public()
    assert view["device"] == "ABCDEFG" and view["duration_s"] == 60
    assert "serial" not in view and "instance" not in view


def test_call_news_round_trips_on_the_bus() -> None:
    news = CallNews("i-a", "ABCDEFG", "HIJKLMN", 7, REPORT)
    assert decode(encode(news)) == news
    assert decode(encode(CallGone("i-a", "ABCDEFG", "HIJKLMN"))) == CallGone(
        "i-a", "ABCDEFG", "HIJKLMN"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"serial": -1},
        {"serial": "7"},
        {"device": "abc"},
        {"report": "x"},
        {"report": {**json.loads(frame()), "end_reason": "whatever"}},
        {"report": {**json.loads(frame()), "candidate_type": "10.0.0.1"}},
    ],
)
def test_bad_call_news_is_dropped(change: dict[str, Any]) -> None:
    body = json.loads(encode(CallNews("i-a", "ABCDEFG", "HIJKLMN", 7, REPORT)))
    body.update(change)
    with pytest.raises(BusMessageInvalid):
        decode(json.dumps(body))
