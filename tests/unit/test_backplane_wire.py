"""Bus messages: what another instance may say, and everything else refused."""

from __future__ import annotations

import json

import pytest

from signaling.backplane.wire import (
    MAX_BUS_MESSAGE,
    Alive,
    BusMessageInvalid,
    Bye,
    CrlNews,
    Down,
    RelayTo,
    Up,
    decode,
    encode,
)

GOOD = [
    Up("i-a", "ABCDEFG", "HIJKLMN", "student", 1_700_000_000),
    Down("i-a", "ABCDEFG", "HIJKLMN"),
    Alive("instance-2"),
    Bye("i-0f3a"),
    RelayTo("ABCDEFG", "HIJKLMN", {"sealed": "x"}),
    RelayTo("ABCDEFG", "HIJKLMN", "opaque"),
    CrlNews(3, "-----BEGIN X509 CRL-----"),
]


@pytest.mark.parametrize("message", GOOD)
def test_round_trip(message: object) -> None:
    assert decode(encode(message)) == message  # type: ignore[arg-type]


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


BAD = {
    "not json": b"{",
    "a list": b"[]",
    "too deep": b"[" * 100 + b"]" * 100,
    "unknown kind": body(k="shout", instance="i-a"),
    "instance with a slash": body(k="alive", instance="i/a"),
    "instance too long": body(k="alive", instance="i" * 41),
    "short id lower case": body(k="down", instance="i-a", device="abcdefg", peer="HIJKLMN"),
    "short id with a newline": body(k="down", instance="i-a", device="ABCDEFG\n", peer="HIJKLMN"),
    "role unknown": body(
        k="up", instance="i-a", device="ABCDEFG", peer="HIJKLMN", role="teacher", since=1
    ),
    "since a bool": body(
        k="up", instance="i-a", device="ABCDEFG", peer="HIJKLMN", role="student", since=True
    ),
    "relay payload a number": body(k="relay", device="ABCDEFG", sender="HIJKLMN", payload=1),
    "relay too large": body(k="relay", device="ABCDEFG", sender="HIJKLMN", payload="x" * 80_000),
    "crl number negative": body(k="crl", number=-1, pem="x"),
    "over the size limit": b" " * (MAX_BUS_MESSAGE + 1),
}


@pytest.mark.parametrize("data", BAD.values(), ids=BAD.keys())
def test_refused(data: bytes) -> None:
    with pytest.raises(BusMessageInvalid):
        decode(data)


def test_a_full_frame_of_escaped_text_still_fits() -> None:
    # A 64 KiB client frame of \u-escaped text decodes to far fewer characters; the
    # bus carries them as UTF-8, never longer than the frame, so it is not dropped.
    frame_text = json.dumps({"payload": "\u00e9" * 10_000})  # ~60 KiB on the wire
    payload = json.loads(frame_text)["payload"]
    data = encode(RelayTo("ABCDEFG", "HIJKLMN", payload))
    assert len(data) < len(frame_text)
    assert decode(data) == RelayTo("ABCDEFG", "HIJKLMN", payload)
