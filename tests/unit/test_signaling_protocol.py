"""The signaling wire format: round trips, strict reading, and fuzzing."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signaling.errors import ProtocolError
from signaling.protocol import (
    MAX_DEPTH,
    CrlPush,
    ErrorCode,
    ErrorFrame,
    Hello,
    Ping,
    Pong,
    Presence,
    Relay,
    TurnFrame,
    crl_number_from,
    encode,
    parse_client,
    parse_server,
)

LIMIT = 64 * 1024


@pytest.mark.parametrize(
    "message",
    [
        Hello("ABCDEFG", "student", True),
        Presence(False),
        Relay({"sealed": "xyz", "n": [1, 2]}),
        Relay("opaque"),
        CrlPush(3, "-----BEGIN X509 CRL-----"),
        ErrorFrame("peer_offline", "the paired device is not online"),
        Pong(),
        TurnFrame("1700003600:ebl5riwkb7nvhpyj", "JG/9LuEMYLB/tJcEI1oppp4aT7g=", 1700003600),
    ],
)
def test_server_messages_round_trip(message: Any) -> None:
    assert parse_server(encode(message), LIMIT) == message


@pytest.mark.parametrize("message", [Relay({"a": 1}), Relay("b"), Ping()])
def test_client_messages_round_trip(message: Any) -> None:
    assert parse_client(encode(message), LIMIT) == message


def test_the_envelope_is_versioned() -> None:
    assert json.loads(encode(Ping())) == {"v": 1, "type": "ping"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", ErrorCode.MALFORMED),
        ("{", ErrorCode.MALFORMED),
        ("null", ErrorCode.MALFORMED),
        ('"relay"', ErrorCode.MALFORMED),
        ('{"type": "ping"}', ErrorCode.MALFORMED),
        ('{"v": true, "type": "ping"}', ErrorCode.MALFORMED),
        ('{"v": 1.0, "type": "ping"}', ErrorCode.MALFORMED),
        ('{"v": 2, "type": "ping"}', ErrorCode.UNSUPPORTED_VERSION),
        ('{"v": 1}', ErrorCode.UNKNOWN_TYPE),
        ('{"v": 1, "type": ["ping"]}', ErrorCode.UNKNOWN_TYPE),
        ('{"v": 1, "type": "hello"}', ErrorCode.UNKNOWN_TYPE),  # a server frame from a client
        ('{"v": 1, "type": "relay"}', ErrorCode.MALFORMED),
        ('{"v": 1, "type": "relay", "payload": [1]}', ErrorCode.MALFORMED),
        ('{"v": 1, "type": "relay", "payload": null}', ErrorCode.MALFORMED),
        ('{"v": 1, "type": "relay", "payload": NaN}', ErrorCode.MALFORMED),
        ('{"v": 1, "type": "ping", "x": Infinity}', ErrorCode.MALFORMED),
        ('{"v": 1, "type": "relay", "payload": {"a": ' * 40 + "1" + "}" * 41, ErrorCode.MALFORMED),
        ("[" * 100_000 + "]" * 100_000, ErrorCode.TOO_LARGE),
        ("[" * 30_000 + "]" * 30_000, ErrorCode.MALFORMED),
        ('{"v": 1, "type": "ping", "n": ' + "9" * 5000 + "}", ErrorCode.MALFORMED),
    ],
)
def test_client_frames_are_read_strictly(text: str, code: ErrorCode) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client(text, LIMIT)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            '{"v": 1, "type": "hello", "device": "X", "role": "student", "peer_online": 1}',
            "malformed",
        ),
        ('{"v": 1, "type": "presence", "peer_online": "yes"}', "malformed"),
        ('{"v": 1, "type": "crl", "number": true, "pem": ""}', "malformed"),
        ('{"v": 1, "type": "crl", "number": -1, "pem": ""}', "malformed"),
        ('{"v": 1, "type": "crl", "number": 1}', "malformed"),
        ('{"v": 1, "type": "error", "code": 5, "message": ""}', "malformed"),
        ('{"v": 1, "type": "ping"}', "unknown_type"),  # a client frame from the server
        ('{"v": 1, "type": "turn", "username": "10:ab", "password": "cA=="}', "malformed"),
        (
            '{"v": 1, "type": "turn", "username": "10:ab", "password": "cA==", "expires": "10"}',
            "malformed",
        ),
        (
            '{"v": 1, "type": "turn", "username": "10:ab", "password": "cA==", "expires": true}',
            "malformed",
        ),
        (
            '{"v": 1, "type": "turn", "username": "11:ab", "password": "cA==", "expires": 10}',
            "malformed",
        ),  # the username's expiry is not the frame's
        (
            '{"v": 1, "type": "turn", "username": "ab", "password": "cA==", "expires": 10}',
            "malformed",
        ),
        (
            '{"v": 1, "type": "turn", "username": "10:a b", "password": "cA==", "expires": 10}',
            "malformed",
        ),
        (
            '{"v": 1, "type": "turn", "username": "10:ab", "password": "", "expires": 10}',
            "malformed",
        ),
        (
            '{"v": 1, "type": "turn", "username": "10:ab", "password": "c\\nA", "expires": 10}',
            "malformed",
        ),
        (
            '{"v": 1, "type": "turn", "username": "0:ab", "password": "cA==", "expires": 0}',
            "malformed",
        ),
        (
            '{"v": 1, "type": "turn", "username": "10:' + "a" * 300 + '", "password": "cA==", '
            '"expires": 10}',
            "malformed",
        ),
        (
            '{"v": 1, "type": "turn", "username": "10:ab", "password": "' + "A" * 300 + '", '
            '"expires": 10}',
            "malformed",
        ),
    ],
)
def test_server_frames_are_read_strictly(text: str, code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_server(text, LIMIT)
    assert caught.value.code == code


def test_a_turn_frame_never_shows_its_password_in_repr() -> None:
    frame = TurnFrame("10:ab", "c2VjcmV0", 10)
    assert "c2VjcmV0" not in repr(frame) and "ab" not in repr(frame)


def test_extra_fields_are_ignored_for_forward_compatibility() -> None:
    assert parse_client('{"v": 1, "type": "ping", "later": {"x": 1}}', LIMIT) == Ping()


def test_bytes_that_are_not_utf8_are_malformed() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client(b'{"v": 1, "type": "relay", "payload": "\xff"}', LIMIT)
    assert caught.value.code == ErrorCode.MALFORMED


def test_the_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client(encode(Relay("x" * 100)), 50)
    assert caught.value.code == ErrorCode.TOO_LARGE


def test_payload_nesting_up_to_the_limit_is_fine() -> None:
    payload: Any = "leaf"
    for _ in range(MAX_DEPTH - 2):  # envelope and payload object take two levels
        payload = {"k": payload}
    assert parse_client(encode(Relay(payload)), LIMIT) == Relay(payload)


def test_a_protocol_error_speaks_dutch_and_names_the_code() -> None:
    error = ProtocolError(ErrorCode.MALFORMED, "not JSON")
    assert "niet klopt" in str(error)
    assert error.code == "malformed"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)
frames = st.fixed_dictionaries(
    {
        "v": st.one_of(st.just(1), json_values),
        "type": st.sampled_from(
            ["relay", "ping", "hello", "presence", "crl", "error", "pong", "turn", "?"]
        )
        | json_values,
    },
    optional={
        "payload": json_values,
        "number": json_values,
        "pem": json_values,
        "code": json_values,
        "message": json_values,
        "peer_online": json_values,
        "device": json_values,
        "role": json_values,
        "username": json_values,
        "password": json_values,
        "expires": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_arbitrary_bytes_only_ever_raise_protocol_error(data: bytes) -> None:
    for parse in (parse_client, parse_server):
        with contextlib.suppress(ProtocolError):
            parse(data, LIMIT)


@settings(max_examples=200, deadline=None)
@given(frames)
def test_fuzz_json_frames_parse_or_raise_protocol_error(frame: dict[str, Any]) -> None:
    text = json.dumps(frame)
    for parse in (parse_client, parse_server):
        try:
            message = parse(text, LIMIT)
        except ProtocolError:
            continue
        assert parse(encode(message), LIMIT) == message  # what we accept, we can say again


@pytest.mark.parametrize(
    ("header", "number"),
    [("7", 7), ("0", 0), ("000123", 123), ("9" * 18, int("9" * 18)), (None, None), ("", None),
     ("-1", None), ("1.5", None), (" 7", None), ("7\n", None), ("9" * 19, None), ("٣", None)],
)  # fmt: skip
def test_a_crl_number_header_is_a_plain_number_or_nothing(
    header: str | None, number: int | None
) -> None:
    assert crl_number_from(header) == number
