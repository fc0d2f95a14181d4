"""Sealed, signed offer/answer: the signaling server relays blobs it cannot read.

The sender encrypts the SDP to the peer's device key (ephemeral ECDH P-256 →
HKDF-SHA256 → AES-256-GCM) and signs the whole message with its own device key,
attaching its certificate. The server never sees SDP (so never an IP address),
cannot pose as the peer (no device key) and cannot tamper (signature + GCM tag).
Both call attempts' nonces are bound in, so an old offer/answer replayed into a
new attempt is refused. The wire format is in ``docs/protocol.md``.

Every refusal on receipt is :class:`pairing.errors.PeerUntrusted`, malformed
input included; nothing is decrypted before the sender's identity is checked.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from typing import Literal, get_args

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from media.errors import SessionDescriptionInvalid
from pairing.certificates import (
    DeviceCertInfo,
    certificate_pem,
    check_peer,
    load_certificate,
    verify_device_certificate,
)
from pairing.credentials import DeviceCredentials
from pairing.deviceid import DeviceId
from pairing.errors import CertificateInvalid, PeerUntrusted
from pairing.revocation import RevocationList
from pairing.roles import Role

Kind = Literal["offer", "answer"]

VERSION = 1
NONCE_SIZE = 16
MAX_BLOB = 64 * 1024  # characters of all fields together
MAX_SDP = 32 * 1024  # bytes of UTF-8, before encryption
_IV_SIZE = 12
_TAG_SIZE = 16
_POINT_SIZE = 65  # uncompressed P-256 point
_MAX_SIGNATURE = 72  # DER ECDSA P-256
_LABEL = b"klasgenoot sealed sdp v1"
_KEYS = frozenset(
    {"version", "kind", "role", "nonce", "peer_nonce", "ephemeral_key", "iv", "ciphertext"}
) | {"signature", "certificate"}
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class OpenedSdp:
    """A checked, decrypted offer or answer and who sent it."""

    sdp: str
    peer: DeviceCertInfo
    peer_certificate: x509.Certificate  # to seal the answer back to the offerer
    peer_nonce: bytes


@dataclass(frozen=True, slots=True)
class _Message:
    """One sealed message; ``nonce`` is the sender's, ``peer_nonce`` the recipient's."""

    kind: str
    role: Role
    nonce: bytes
    peer_nonce: bytes | None
    epk: bytes
    certificate: x509.Certificate
    iv: bytes = b""
    ciphertext: bytes = b""
    signature: bytes = b""

    def to_blob(self) -> dict[str, object]:
        return {
            "version": VERSION,
            "kind": self.kind,
            "role": self.role.value,
            "nonce": _b64(self.nonce),
            "peer_nonce": None if self.peer_nonce is None else _b64(self.peer_nonce),
            "ephemeral_key": _b64(self.epk),
            "iv": _b64(self.iv),
            "ciphertext": _b64(self.ciphertext),
            "signature": _b64(self.signature),
            "certificate": certificate_pem(self.certificate).decode("ascii"),
        }


def new_nonce() -> bytes:
    """A fresh nonce for one call attempt."""
    return os.urandom(NONCE_SIZE)


def verify_peer(
    certificate: x509.Certificate,
    *,
    own: DeviceCredentials,
    crl: RevocationList | None = None,
    now: dt.datetime | None = None,
) -> DeviceCertInfo:
    """Chain, validity, CRL, pairing, opposite role, pin, mutual naming; else PeerUntrusted."""
    try:
        info = verify_device_certificate(certificate, own.ca_certificate, crl=crl, now=now)
    except CertificateInvalid as exc:
        raise PeerUntrusted(f"peer certificate: {exc.detail}") from exc
    check_peer(info, own=own.info, pinned_peer=own.pinned_peer)
    return info


def seal(
    sdp: str,
    kind: Kind,
    *,
    own: DeviceCredentials,
    peer_certificate: x509.Certificate,
    own_nonce: bytes,
    peer_nonce: bytes | None,
    crl: RevocationList | None = None,
    now: dt.datetime | None = None,
) -> dict[str, object]:
    """Encrypt ``sdp`` to the peer and sign it; a JSON-ready dict for the relay.

    The peer certificate is checked first (PeerUntrusted): it reaches us through the
    relay, and encrypting to a key the server chose would hand it our addresses.
    ``peer_nonce`` is None only for an offer sent before the peer announced one.
    """
    verify_peer(peer_certificate, own=own, crl=crl, now=now)
    return _seal_to(sdp, kind, own, peer_certificate, (own_nonce, peer_nonce))


def _seal_to(
    sdp: str,
    kind: Kind,
    own: DeviceCredentials,
    peer_certificate: x509.Certificate,
    nonces: tuple[bytes, bytes | None],
) -> dict[str, object]:
    """Seal without checking the peer: only :func:`seal` and refusal tests call this."""
    own_nonce, peer_nonce = nonces
    data = _own_sdp_bytes(sdp)
    if kind not in get_args(Kind) or len(own_nonce) != NONCE_SIZE:
        raise ValueError("kind or nonce")
    if (kind == "answer" or peer_nonce is not None) and len(peer_nonce or b"") != NONCE_SIZE:
        raise ValueError("peer nonce (an answer always knows the offerer's)")
    peer_key = _public_key(peer_certificate)
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    epk = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    msg = _Message(kind, own.info.role, own_nonce, peer_nonce, epk, own.certificate)
    header = _header(msg, peer_certificate)
    key = _derive(ephemeral.exchange(ec.ECDH(), peer_key), msg, header)
    iv = os.urandom(_IV_SIZE)
    ciphertext = AESGCM(key).encrypt(iv, data, header)
    signature = own.key.sign(_signed(header, iv, ciphertext), ec.ECDSA(hashes.SHA256()))
    return replace(msg, iv=iv, ciphertext=ciphertext, signature=signature).to_blob()


def _own_sdp_bytes(sdp: str) -> bytes:
    data = sdp.encode()
    if not sdp.startswith("v=0") or len(data) > MAX_SDP:
        raise SessionDescriptionInvalid("own SDP malformed or too large")
    return data


def open_sealed(
    blob: object,
    *,
    own: DeviceCredentials,
    expected_kind: Kind,
    own_nonce: bytes | None,
    peer_nonce: bytes | None,
    crl: RevocationList | None,
    now: dt.datetime | None = None,
) -> OpenedSdp:
    """Check a sealed blob completely, then decrypt it; PeerUntrusted on any failure.

    ``own_nonce`` is the nonce this device announced for this attempt (None only if
    it announced none, then the blob must carry none); ``peer_nonce`` is the one the
    peer announced, or None if not yet known (then the blob's is returned).
    """
    try:
        msg = _parse(blob)
        if msg.kind != expected_kind:
            raise PeerUntrusted("unexpected kind")
        if msg.peer_nonce != own_nonce or peer_nonce not in (None, msg.nonce):
            raise PeerUntrusted("nonce mismatch (replayed or stale)")
        info = verify_peer(msg.certificate, own=own, crl=crl, now=now)
        if info.role is not msg.role:
            raise PeerUntrusted("role field differs from certificate")
        header = _header(msg, own.certificate)
        try:
            _public_key(msg.certificate).verify(
                msg.signature, _signed(header, msg.iv, msg.ciphertext), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature as exc:
            raise PeerUntrusted("signature") from exc
        sdp = _decrypt(msg, own, header)
    except PeerUntrusted:
        raise
    except Exception as exc:  # malformed input of any shape is one refusal, never a crash
        raise PeerUntrusted(f"sealed message: {type(exc).__name__}") from exc
    return OpenedSdp(sdp, info, msg.certificate, msg.nonce)


def _decrypt(msg: _Message, own: DeviceCredentials, header: bytes) -> str:
    ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), msg.epk)
    key = _derive(own.key.exchange(ec.ECDH(), ephemeral), msg, header)
    try:
        data = AESGCM(key).decrypt(msg.iv, msg.ciphertext, header)
    except InvalidTag as exc:
        raise PeerUntrusted("decryption") from exc
    if len(data) > MAX_SDP or not data.startswith(b"v=0"):
        raise PeerUntrusted("not an SDP")
    return data.decode("utf-8")


def _parse(blob: object) -> _Message:
    """Strict structure and size checks before any cryptography runs."""
    if not isinstance(blob, dict) or set(blob) != _KEYS:
        raise PeerUntrusted("sealed message: fields")
    if type(blob["version"]) is not int or blob["version"] != VERSION:
        raise PeerUntrusted("sealed message: version")
    text = {k: v for k, v in blob.items() if k != "version"}
    if not all(isinstance(v, str) or (k == "peer_nonce" and v is None) for k, v in text.items()):
        raise PeerUntrusted("sealed message: field types")
    if sum(len(v) for v in text.values() if v is not None) > MAX_BLOB:
        raise PeerUntrusted("sealed message: too large")
    if blob["kind"] not in get_args(Kind) or blob["role"] not in {r.value for r in Role}:
        raise PeerUntrusted("sealed message: kind or role")
    try:
        certificate = load_certificate(blob["certificate"])
    except CertificateInvalid as exc:
        raise PeerUntrusted("sealed message: certificate") from exc
    peer_nonce = blob["peer_nonce"]
    return _Message(
        kind=blob["kind"],
        role=Role(blob["role"]),
        nonce=_unb64(blob["nonce"], NONCE_SIZE, NONCE_SIZE),
        peer_nonce=None if peer_nonce is None else _unb64(peer_nonce, NONCE_SIZE, NONCE_SIZE),
        epk=_unb64(blob["ephemeral_key"], _POINT_SIZE, _POINT_SIZE),
        certificate=certificate,
        iv=_unb64(blob["iv"], _IV_SIZE, _IV_SIZE),
        ciphertext=_unb64(blob["ciphertext"], _TAG_SIZE + 4, MAX_SDP + _TAG_SIZE),
        signature=_unb64(blob["signature"], 8, _MAX_SIGNATURE),
    )


def _header(msg: _Message, recipient: x509.Certificate) -> bytes:
    """What the key, the AEAD and the signature are all bound to (sender → recipient)."""
    return _encode(
        _LABEL,
        str(VERSION).encode(),
        msg.kind.encode(),
        msg.role.value.encode(),
        DeviceId.from_public_key(_public_key(msg.certificate)).digest,
        DeviceId.from_public_key(_public_key(recipient)).digest,
        msg.nonce,
        b"-" if msg.peer_nonce is None else b"+" + msg.peer_nonce,
        msg.epk,
    )


def _signed(header: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    return _encode(header, iv, ciphertext)


def _derive(secret: bytes, msg: _Message, header: bytes) -> bytes:
    salt = msg.nonce + (msg.peer_nonce or b"")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=header).derive(secret)


def _public_key(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise PeerUntrusted("not a P-256 key")
    return key


def _encode(*fields: bytes) -> bytes:
    """Length-prefixed concatenation: no two field lists encode alike."""
    return b"".join(len(f).to_bytes(4, "big") + f for f in fields)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str, min_size: int, max_size: int) -> bytes:
    """Strict base64url without padding: one spelling per value, size in range."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise PeerUntrusted("sealed message: base64")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise PeerUntrusted("sealed message: base64") from exc
    if _b64(data) != text or not min_size <= len(data) <= max_size:
        raise PeerUntrusted("sealed message: field size")
    return data
