"""DeviceId: grouping, forgiving parsing, check characters (table-driven)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pairing.ca import new_key
from pairing.deviceid import DeviceId, parse_short
from pairing.errors import DeviceIdInvalid


def _id_with(*chars: str) -> DeviceId:
    """A DeviceId whose text contains every one of ``chars`` (for look-alike tests)."""
    for i in range(10_000):
        candidate = DeviceId(hashlib.sha256(str(i).encode()).digest())
        if all(c in candidate.text for c in chars):
            return candidate
    raise AssertionError("no such id")


ID = _id_with("O", "I", "B")
TEXT = ID.text
# Positions of the four check characters in the grouped text (every 14th character).
CHECK_POSITIONS = [i + (i // 7) for i in (13, 27, 41, 55)]


def test_text_is_eight_groups_of_seven() -> None:
    groups = TEXT.split("-")
    assert [len(g) for g in groups] == [7] * 8
    assert str(ID) == TEXT


def test_short_form_is_first_group() -> None:
    assert ID.short == TEXT[:7]
    assert repr(ID) == f"DeviceId({ID.short})"
    assert TEXT not in repr(ID)


@pytest.mark.parametrize(
    ("label", "typed"),
    [
        ("exact", TEXT),
        ("lower case", TEXT.lower()),
        ("no dashes", TEXT.replace("-", "")),
        ("spaces instead of dashes", TEXT.replace("-", " ")),
        ("surrounding whitespace", f"  {TEXT}\n"),
        ("tabs and mixed case", TEXT.replace("-", "\t").swapcase()),
        ("0 for O", TEXT.replace("O", "0")),
        ("1 for I", TEXT.replace("I", "1")),
        ("8 for B", TEXT.replace("B", "8")),
        ("all look-alikes, lower, no dashes", TEXT.replace("O", "0").replace("I", "1")
         .replace("B", "8").replace("-", "").lower()),
    ],
)  # fmt: skip
def test_parse_is_forgiving(label: str, typed: str) -> None:
    assert DeviceId.parse(typed) == ID, label


def _flip(text: str, position: int) -> str:
    replacement = "A" if text[position] != "A" else "B"
    return text[:position] + replacement + text[position + 1 :]


@pytest.mark.parametrize("position", CHECK_POSITIONS)
def test_wrong_check_character_rejected(position: int) -> None:
    assert TEXT[position] != "-"
    with pytest.raises(DeviceIdInvalid):
        DeviceId.parse(_flip(TEXT, position))


def test_wrong_data_character_rejected() -> None:
    with pytest.raises(DeviceIdInvalid):
        DeviceId.parse(_flip(TEXT, 3))


@pytest.mark.parametrize(
    ("label", "typed"),
    [
        ("one short", TEXT[:-1]),
        ("one long", TEXT + "A"),
        ("only the short form", ID.short),
        ("empty", ""),
        ("not base32", TEXT.replace(TEXT[0], "9", 1)),
        ("punctuation", TEXT.replace("-", ".")),
        ("absurdly long", TEXT * 10),
    ],
)
def test_malformed_rejected(label: str, typed: str) -> None:
    with pytest.raises(DeviceIdInvalid):
        DeviceId.parse(typed)


def test_not_text_rejected() -> None:
    with pytest.raises(DeviceIdInvalid):
        DeviceId.parse(b"AAAA")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "short"),
    [
        ("P56IOI7", "P56IOI7"),
        ("p56ioi7", "P56IOI7"),
        (" p56-io17 ", "P56IOI7"),  # a dash, spaces, and 1 for I
        ("B0B8AAA", "BOBBAAA"),  # 0 for O, 8 for B
    ],
)
def test_short_form_is_parsed_forgivingly(typed: str, short: str) -> None:
    assert parse_short(typed) == short


@pytest.mark.parametrize("typed", ["", "P56IOI", "P56IOI7M", "P56IOI9", "P56.OI7", TEXT])
def test_short_form_malformed_rejected(typed: str) -> None:
    with pytest.raises(DeviceIdInvalid):
        parse_short(typed)


def test_digest_must_be_32_bytes() -> None:
    with pytest.raises(DeviceIdInvalid):
        DeviceId(b"\x00" * 31)


def test_from_public_key_is_stable_and_distinct() -> None:
    a, b = new_key(), new_key()
    assert DeviceId.from_public_key(a.public_key()) == DeviceId.from_public_key(a.public_key())
    assert DeviceId.from_public_key(a.public_key()) != DeviceId.from_public_key(b.public_key())


@given(st.binary(min_size=32, max_size=32))
def test_round_trip(digest: bytes) -> None:
    device = DeviceId(digest)
    assert DeviceId.parse(device.text) == device
    assert DeviceId.parse(device.text.lower().replace("-", " ")) == device


def test_the_text_is_made_once_per_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server reads ``short`` many times per connection (issue 14): the text is
    made on first use and kept, and the cache changes neither equality nor hashing."""
    import pairing.deviceid as module

    calls: list[str] = []
    real = module._luhn32
    monkeypatch.setattr(module, "_luhn32", lambda chunk: calls.append(chunk) or real(chunk))
    fresh = DeviceId(ID.digest)
    assert [fresh.short for _ in range(10)] == [TEXT[:7]] * 10
    assert fresh.text == TEXT
    assert len(calls) == 4  # four check characters, once
    assert fresh == DeviceId(ID.digest) and hash(fresh) == hash(DeviceId(ID.digest))
    assert repr(fresh) == f"DeviceId({TEXT[:7]})"
