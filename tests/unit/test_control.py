"""Control/heartbeat and handshake parsing: strict, versioned, never a crash."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from media.control import (
    CONTROL_VERSION,
    ControlInvalid,
    ControlMessage,
    VersionMismatch,
    decode_control,
    decode_heartbeat,
    encode_heartbeat,
)
from media.handshake import Handshake, new_call_id, new_nonce, parse_handshake


def test_control_round_trip() -> None:
    msg = ControlMessage("media", {"mic": True, "camera": False})
    back = decode_control(msg.encode())
    assert back == msg and back.body["mic"] is True


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("not json", ControlInvalid),
        ("[1, 2]", ControlInvalid),
        ('{"type": "media", "mic": true, "camera": true}', ControlInvalid),  # no version
        ('{"v": true, "type": "bye", "reason": "hangup"}', ControlInvalid),  # bool is no int
        ('{"v": 2, "type": "bye", "reason": "hangup"}', VersionMismatch),
        ('{"v": 1, "type": "launch", "x": 1}', ControlInvalid),  # unknown type
        ('{"v": 1, "type": "bye", "reason": "because"}', ControlInvalid),  # not in the enum
        ('{"v": 1, "type": "media", "mic": 1, "camera": true}', ControlInvalid),  # int != bool
        ('{"v": 1, "type": "media", "mic": true}', ControlInvalid),  # missing field
        ('{"v": 1, "type": "media", "mic": true, "camera": true, "x": 0}', ControlInvalid),
        (
            '{"v": 1, "type": "bye", "reason": "hangup", "pad": "' + "x" * 5000 + '"}',
            ControlInvalid,
        ),  # oversize
    ],
)
def test_control_refusals(raw: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_control(raw)


def test_heartbeat() -> None:
    assert decode_heartbeat(encode_heartbeat(7)) == 7
    with pytest.raises(VersionMismatch):
        decode_heartbeat(json.dumps({"v": CONTROL_VERSION + 1, "hb": 1}))
    with pytest.raises(ControlInvalid):
        decode_heartbeat('{"v": 1, "hb": "1"}')


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=600))
def test_control_fuzz_never_crashes(data: Any) -> None:
    with contextlib.suppress(ControlInvalid, VersionMismatch):
        decode_control(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_handshake_fuzz_never_crashes(payload: Any) -> None:
    with contextlib.suppress(ControlInvalid, VersionMismatch):
        parse_handshake(payload)


def test_handshake_round_trip_and_refusals() -> None:
    hello = Handshake("hello", new_call_id(), nonce=new_nonce(), cert="-----BEGIN CERT")
    assert parse_handshake(hello.to_payload()) == hello
    bye = Handshake("bye", new_call_id(), reason="hangup")
    assert parse_handshake(bye.to_payload()) == bye
    bad = hello.to_payload() | {"extra": 1}
    with pytest.raises(ControlInvalid):
        parse_handshake(bad)
    with pytest.raises(ControlInvalid):
        parse_handshake(hello.to_payload() | {"call": "../../etc"})
    with pytest.raises(VersionMismatch):
        parse_handshake(hello.to_payload() | {"hs": 2})
    with pytest.raises(ControlInvalid):
        parse_handshake(hello.to_payload() | {"nonce": "AAAA"})  # wrong nonce length
