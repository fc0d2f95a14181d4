"""common.jsondoc: the one size-capped, strict JSON object reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import KlasgenootError
from common.jsondoc import JsonDocInvalid, loads, read


def test_an_object_within_the_limit_is_read() -> None:
    assert loads(b'{"a": [1, 2.5, "x", null, true]}', limit=100) == {"a": [1, 2.5, "x", None, True]}
    assert loads('{"é": 1}', limit=100) == {"é": 1}


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'{"a": 1}' + b" " * 100, "too large"),
        (b"{", "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        (b'{"a": NaN}', "not JSON"),
        (b'{"a": -Infinity}', "not JSON"),
        (b'{"a": 1e999}', "not JSON"),  # would be inf
        (b'{"a": ' + b"9" * 5000 + b"}", "not JSON"),  # Python's own digit limit
        (b"[1, 2]", "not an object"),
        (b'"text"', "not an object"),
        (b"[" * 100 + b"]" * 100, "not an object"),
    ],
)
def test_bad_input_gets_a_clear_error(data: bytes, why: str) -> None:
    with pytest.raises(JsonDocInvalid) as error:
        loads(data, limit=100 if why == "too large" else 10_000)
    assert error.value.detail == why
    assert isinstance(error.value, KlasgenootError)
    assert "beschadigd" in str(error.value)  # the Dutch sentence, never a traceback


def test_deep_nesting_is_refused_not_a_crash() -> None:
    deep = b'{"a": ' * 200_000 + b"1" + b"}" * 200_000
    with pytest.raises(JsonDocInvalid) as error:
        loads(deep, limit=len(deep))
    assert error.value.detail == "nested too deeply"


def test_a_file_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    small = tmp_path / "small.json"
    small.write_text('{"version": 1}', encoding="utf-8")
    assert read(small, limit=100) == {"version": 1}
    big = tmp_path / "big.json"
    big.write_bytes(b'{"a": "' + b"x" * 10_000 + b'"}')
    with pytest.raises(JsonDocInvalid, match="too large"):
        read(big, limit=1000)
    with pytest.raises(FileNotFoundError):  # the reader decides what a missing file means
        read(tmp_path / "missing.json", limit=100)
