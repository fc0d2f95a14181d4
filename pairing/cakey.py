"""The fleet CA key at rest: scrypt from the passphrase, then AES-256-GCM.

cryptography's ``BestAvailableEncryption`` for a PKCS#8 PEM is PBKDF2 with 2,048
iterations, which a stolen backup of the fleet folder gives up to a guessing rig in
hours. scrypt with N = 2^17, r = 8, p = 1 (128 MiB, about 0.3 s on a small server)
makes every guess cost memory as well as time. The cost is written into the file, so
it can be raised later: a key sealed with less than :data:`COST` (or in the old
PBKDF2 form) is re-sealed the next time the fleet is unlocked to change it
(pairing.fleet).

File (PEM armour, label ``KLASGENOOT ENCRYPTED PRIVATE KEY``)::

    "KGK1" | log2(N) | r | p | salt (16) | nonce (12) | AES-256-GCM(PKCS#8 DER)

with everything before the ciphertext as the GCM associated data, so the cost and
salt cannot be changed without the passphrase check failing.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from pairing.errors import FleetCorrupt, PassphraseWrong

LABEL = b"KLASGENOOT ENCRYPTED PRIVATE KEY"
LEGACY_LABEL = b"ENCRYPTED PRIVATE KEY"  # PKCS#8, PBKDF2-2048: fleets made before scrypt
MAGIC = b"KGK1"
SALT, NONCE = 16, 12
_HEADER = len(MAGIC) + 3 + SALT + NONCE
MAX_LOG_N = 22  # 4 GiB at r = 8: a damaged or hostile header must not exhaust memory


@dataclass(frozen=True, slots=True)
class KdfCost:
    log_n: int
    r: int
    p: int

    def at_least(self, other: KdfCost) -> bool:
        return self.log_n >= other.log_n and self.r >= other.r and self.p >= other.p


PRODUCTION = KdfCost(log_n=17, r=8, p=1)
# What new keys are sealed with. Only tests lower it (tests/conftest.py), to keep the
# suite fast; the production value is checked in tests/unit/test_cakey.py.
COST = PRODUCTION


@dataclass(frozen=True, slots=True)
class Unsealed:
    key: ec.EllipticCurvePrivateKey
    current: bool  # False: old format or a lower cost than COST, so re-seal it


def _kdf(passphrase: str, salt: bytes, cost: KdfCost) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=2**cost.log_n, r=cost.r, p=cost.p)
    return kdf.derive(passphrase.encode())


def seal(key: ec.EllipticCurvePrivateKey, passphrase: str, cost: KdfCost | None = None) -> bytes:
    cost = cost or COST
    salt, nonce = os.urandom(SALT), os.urandom(NONCE)
    header = MAGIC + bytes((cost.log_n, cost.r, cost.p)) + salt + nonce
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    body = header + AESGCM(_kdf(passphrase, salt, cost)).encrypt(nonce, der, header)
    return _armour(body)


def is_sealed(pem: bytes) -> bool:
    return pem.lstrip().startswith(b"-----BEGIN " + LABEL + b"-----")


def unseal(pem: bytes, passphrase: str) -> Unsealed:
    """The key; PassphraseWrong for a wrong passphrase, FleetCorrupt for a damaged file."""
    if not is_sealed(pem):
        return Unsealed(_legacy(pem, passphrase), current=False)
    body = _unarmour(pem)
    if len(body) <= _HEADER or not body.startswith(MAGIC):
        raise FleetCorrupt("ca-key.pem")
    log_n, r, p = body[4], body[5], body[6]
    if not (10 <= log_n <= MAX_LOG_N and 1 <= r <= 32 and 1 <= p <= 16):
        raise FleetCorrupt("ca-key.pem")
    cost = KdfCost(log_n, r, p)
    salt = body[7 : 7 + SALT]
    nonce = body[7 + SALT : _HEADER]
    try:
        der = AESGCM(_kdf(passphrase, salt, cost)).decrypt(nonce, body[_HEADER:], body[:_HEADER])
    except InvalidTag as exc:
        raise PassphraseWrong() from exc
    try:
        key = serialization.load_der_private_key(der, None)
    except ValueError as exc:
        raise FleetCorrupt("ca-key.pem") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise FleetCorrupt("ca-key.pem")
    return Unsealed(key, current=cost.at_least(COST))


def _legacy(pem: bytes, passphrase: str) -> ec.EllipticCurvePrivateKey:
    if b"-----BEGIN " + LEGACY_LABEL + b"-----" not in pem:
        raise FleetCorrupt("ca-key.pem")
    try:
        key = serialization.load_pem_private_key(pem, passphrase.encode())
    except (ValueError, TypeError) as exc:
        raise PassphraseWrong() from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise FleetCorrupt("ca-key.pem")
    return key


def _armour(body: bytes) -> bytes:
    b64 = base64.b64encode(body)
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return (
        b"\n".join([b"-----BEGIN " + LABEL + b"-----", *lines, b"-----END " + LABEL + b"-----"])
        + b"\n"
    )


def _unarmour(pem: bytes) -> bytes:
    begin, end = b"-----BEGIN " + LABEL + b"-----", b"-----END " + LABEL + b"-----"
    start = pem.find(begin)
    stop = pem.find(end, start)
    if start < 0 or stop < 0:
        raise FleetCorrupt("ca-key.pem")
    try:
        return base64.b64decode(b"".join(pem[start + len(begin) : stop].split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FleetCorrupt("ca-key.pem") from exc
