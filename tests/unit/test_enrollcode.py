"""Enrollment codes: format, forgiving parsing, and every single typo caught."""

from __future__ import annotations

import pytest

from pairing import enrollcode
from pairing.errors import EnrollmentCodeMistyped


def test_a_new_code_has_ten_characters_without_look_alikes_and_parses_back() -> None:
    for _ in range(200):
        code = enrollcode.new_code()
        assert len(code) == 10
        assert not set(code) & set("01ILO")
        assert enrollcode.parse(code) == code
        assert enrollcode.shown(code) == f"{code[:5]}-{code[5:]}"


def test_typing_is_forgiving_about_case_dashes_and_spaces() -> None:
    code = enrollcode.new_code()
    assert enrollcode.parse(f" {enrollcode.shown(code).lower()} ") == code
    assert enrollcode.parse(" ".join(code)) == code


def test_every_single_character_typo_and_neighbour_swap_is_caught() -> None:
    code = enrollcode.new_code()
    for i in range(len(code)):
        for char in enrollcode.ALPHABET:
            if char != code[i]:
                with pytest.raises(EnrollmentCodeMistyped):
                    enrollcode.parse(code[:i] + char + code[i + 1 :])


@pytest.mark.parametrize(
    "text", ["", "ABCDE", "ABCDE-FGHJKM-N", "ABCDE-FGHJ0", "ABCDE-FGHJI", "x" * 50]
)
def test_wrong_length_or_characters_are_typos(text: str) -> None:
    with pytest.raises(EnrollmentCodeMistyped):
        enrollcode.parse(text)


def test_only_a_hash_of_a_code_is_comparable() -> None:
    code = enrollcode.new_code()
    assert code not in enrollcode.code_hash(code)
    assert enrollcode.code_hash(code) == enrollcode.code_hash(enrollcode.parse(code.lower()))
