"""Enrollment requests: what a device sends and what the fleet accepts."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from pairing.ca import new_key
from pairing.certificates import URN_PEER, URN_ROLE
from pairing.deviceid import DeviceId
from pairing.enrollment import MAX_REQUEST_PEM, create_request, load_pair_requests, load_request
from pairing.errors import EnrollmentRequestInvalid, EnrollmentRequestWrongRole, SameDevice
from pairing.roles import Role


def _csr(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, cn: str, uris: list[str]) -> bytes:
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    )
    if uris:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(u) for u in uris]),
            critical=False,
        )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize("role", list(Role))
def test_round_trip(role: Role) -> None:
    key = new_key()
    pem = create_request(key, role)
    assert pem.startswith(b"-----BEGIN CERTIFICATE REQUEST-----")
    request = load_request(pem)
    assert request.role is role
    assert request.device_id == DeviceId.from_public_key(key.public_key())
    assert request.public_key == key.public_key()
    assert load_request(pem.decode()) == request


def _text_id(key: ec.EllipticCurvePrivateKey) -> str:
    return DeviceId.from_public_key(key.public_key()).text


def _tampered() -> bytes:
    pem = create_request(new_key(), Role.STUDENT)
    der = bytearray(x509.load_pem_x509_csr(pem).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0x01  # inside the signature
    return x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM)


KEY = new_key()
CASES = {
    "empty": (b"", "not a PEM"),
    "garbage": (b"hello", "not a PEM"),
    "certificate instead of request": (b"-----BEGIN CERTIFICATE-----\nAAAA\n", "not a PEM"),
    "too large": (b"A" * (MAX_REQUEST_PEM + 1), "too large"),
    "bad signature": (_tampered(), "signature"),
    "no role": (_csr(KEY, _text_id(KEY), []), "no role"),
    "two roles": (
        _csr(KEY, _text_id(KEY), [URN_ROLE + "student", URN_ROLE + "classroom"]),
        "exactly one",
    ),
    "unknown role": (_csr(KEY, _text_id(KEY), [URN_ROLE + "teacher"]), "unknown role"),
    "only a peer field": (_csr(KEY, _text_id(KEY), [URN_PEER + _text_id(KEY)]), "exactly one"),
    "subject is not the DeviceId": (_csr(KEY, "laptop-7", [URN_ROLE + "student"]), "subject"),
    "P-384 key": (
        _csr((k := ec.generate_private_key(ec.SECP384R1())), _text_id(k), [URN_ROLE + "student"]),
        "P-256",
    ),
}


@pytest.mark.parametrize("label", list(CASES))
def test_refused(label: str) -> None:
    pem, reason = CASES[label]
    with pytest.raises(EnrollmentRequestInvalid, match=reason):
        load_request(pem)


def test_rsa_key_refused() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(EnrollmentRequestInvalid, match="P-256"):
        load_request(_csr(key, "x", [URN_ROLE + "student"]))


def test_pair_of_requests_checked_for_roles_and_distinct_devices() -> None:
    s, c = new_key(), new_key()
    student, classroom = create_request(s, Role.STUDENT), create_request(c, Role.CLASSROOM)
    pair = load_pair_requests(student, classroom)
    assert [r.role for r in pair] == [Role.STUDENT, Role.CLASSROOM]
    with pytest.raises(EnrollmentRequestWrongRole):
        load_pair_requests(classroom, student)
    with pytest.raises(EnrollmentRequestWrongRole):
        load_pair_requests(student, create_request(c, Role.STUDENT))
    with pytest.raises(SameDevice):
        load_pair_requests(student, create_request(s, Role.CLASSROOM))
