"""DeviceId: who a device is, readable by people.

SHA-256 of the device's public key (SPKI DER), base32 with one Luhn-mod-32 check
character per 13 characters, shown in groups of seven (as Syncthing does), and
parsed forgivingly: case, dashes, spaces and look-alikes (0→O, 1→I, 8→B).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pairing.errors import DeviceIdInvalid

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CHUNK = 13
_GROUP = 7
SHORT_LENGTH = _GROUP  # DeviceId.short: the first group, as logs show it
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_VALUE = {char: value for value, char in enumerate(_ALPHABET)}


def _luhn32(chunk: str) -> str:
    factor, total = 1, 0
    for char in chunk:
        addend = factor * _VALUE[char]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return _ALPHABET[(32 - total % 32) % 32]


def normalise(text: str) -> str:
    """What a person typed, as the canonical characters: capitals, no dashes or spaces,
    look-alikes replaced. Not checked beyond that."""
    if not isinstance(text, str) or len(text) > 200:
        raise DeviceIdInvalid("not text")
    clean = "".join(c for c in text.upper() if c not in "- \t\n")
    return clean.translate(_LOOKALIKES)


def parse_short(text: str) -> str:
    """A short DeviceId as logs show it (``P56IOI7``), typed forgivingly."""
    clean = normalise(text)
    if len(clean) != _GROUP or any(c not in _ALPHABET for c in clean):
        raise DeviceIdInvalid("not a short DeviceId")
    return clean


@dataclass(frozen=True, slots=True)
class DeviceId:
    """32 bytes of SHA-256; compare, hash and print it, never parse it by hand."""

    digest: bytes
    # The text, made on first use: the server reads ``short`` a dozen times per
    # connection (keys, logs), and making it cost ~50 us each time (issue 14).
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.digest) != 32:
            raise DeviceIdInvalid("digest length")

    @classmethod
    def from_public_key(cls, key: ec.EllipticCurvePublicKey) -> DeviceId:
        spki = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(hashlib.sha256(spki).digest())

    @classmethod
    def parse(cls, text: str) -> DeviceId:
        """Parse what a person typed or read aloud; raise DeviceIdInvalid otherwise."""
        clean = normalise(text)
        if len(clean) != 56 or any(c not in _ALPHABET for c in clean):
            raise DeviceIdInvalid("length or characters")
        data = ""
        for i in range(0, 56, _CHUNK + 1):
            chunk, check = clean[i : i + _CHUNK], clean[i + _CHUNK]
            if _luhn32(chunk) != check:
                raise DeviceIdInvalid("check character")
            data += chunk
        return cls(base64.b32decode(data + "===="))

    @property
    def text(self) -> str:
        """The full form, ``P56IOI7-MZJNU2Y-...``, eight groups of seven."""
        if self._text is not None:
            return self._text
        raw = base64.b32encode(self.digest).decode().rstrip("=")
        checked = "".join(
            raw[i : i + _CHUNK] + _luhn32(raw[i : i + _CHUNK]) for i in range(0, 52, _CHUNK)
        )
        text = "-".join(checked[i : i + _GROUP] for i in range(0, 56, _GROUP))
        object.__setattr__(self, "_text", text)  # frozen: a cache, not a change
        return text

    @property
    def short(self) -> str:
        """The first group: enough to tell devices apart in a log, not to identify one."""
        return self.text[:_GROUP]

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"DeviceId({self.short})"
