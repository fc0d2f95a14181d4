"""Enrollment codes: short, typed by a technician, checked before they are looked up.

Nine random characters from an alphabet without look-alikes (no 0/O, 1/I/L), plus a
Luhn-mod-N check character, shown as ``XXXXX-XXXXX``. A typo is caught by the check
character before the console is asked, so it never counts as a wrong guess. The
console stores only a SHA-256 hash of a code: it is shown once, when it is issued.
The console issues codes; a device checks what the technician typed before sending.
"""

from __future__ import annotations

import hashlib
import secrets

from pairing.errors import EnrollmentCodeMistyped

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 characters: no 0, 1, I, L, O
RANDOM_LENGTH = 9  # 31**9 ≈ 2**44: with five guesses per address per lockout, enough
LENGTH = RANDOM_LENGTH + 1


def _check_char(body: str) -> str:
    n = len(ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        # Plain doubling mod 31 (odd) is a permutation, so every single-character
        # typo changes the sum; Luhn's digit-sum trick would not be one here.
        total += (factor * ALPHABET.index(char)) % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _check_char(body)


def shown(code: str) -> str:
    """As people read it: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def parse(text: str) -> str:
    """What a technician typed: case, dashes and spaces ignored; EnrollmentCodeMistyped
    for a wrong length, character or check character."""
    if not isinstance(text, str) or len(text) > 40:
        raise EnrollmentCodeMistyped("length")
    clean = "".join(c for c in text.upper() if c not in "- \t\n")
    if len(clean) != LENGTH or any(c not in ALPHABET for c in clean):
        raise EnrollmentCodeMistyped("length or characters")
    if _check_char(clean[:-1]) != clean[-1]:
        raise EnrollmentCodeMistyped("check character")
    return clean


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
