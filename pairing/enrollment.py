"""Enrollment requests: a PKCS#10 CSR naming the device's role.

The device makes the request with its own key; the operator's fleet tool reads it.
Subject CN = DeviceId text, one SAN URI ``urn:klasgenoot:role:<role>``. The CA
builds the certificate from scratch, so nothing else in the request is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pairing.certificates import URN_ROLE
from pairing.deviceid import DeviceId
from pairing.errors import EnrollmentRequestInvalid, EnrollmentRequestWrongRole, SameDevice
from pairing.roles import Role

MAX_REQUEST_PEM = 4096


@dataclass(frozen=True, slots=True)
class EnrollmentRequest:
    """What a checked request says: whose key, which device, which role."""

    public_key: ec.EllipticCurvePublicKey
    device_id: DeviceId
    role: Role


def create_request(key: ec.EllipticCurvePrivateKey, role: Role) -> bytes:
    """A CSR (PEM) for this device's key and role."""
    device_id = DeviceId.from_public_key(key.public_key())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, device_id.text)]))
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(URN_ROLE + role.value)]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM)


def _parse(pem: bytes | str) -> x509.CertificateSigningRequest:
    data = pem.encode() if isinstance(pem, str) else pem
    if len(data) > MAX_REQUEST_PEM:
        raise EnrollmentRequestInvalid("too large")
    try:
        csr = x509.load_pem_x509_csr(data)
    except ValueError as exc:
        raise EnrollmentRequestInvalid("not a PEM request") from exc
    if not csr.is_signature_valid:
        raise EnrollmentRequestInvalid("signature")
    return csr


def _role(csr: x509.CertificateSigningRequest) -> Role:
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError) as exc:
        raise EnrollmentRequestInvalid("no role") from exc
    roles = [
        u[len(URN_ROLE) :]
        for u in san.get_values_for_type(x509.UniformResourceIdentifier)
        if u.startswith(URN_ROLE)
    ]
    if len(roles) != 1:
        raise EnrollmentRequestInvalid("expected exactly one role")
    try:
        return Role(roles[0])
    except ValueError as exc:
        raise EnrollmentRequestInvalid("unknown role") from exc


def load_request(pem: bytes | str) -> EnrollmentRequest:
    """Parse and check a request; EnrollmentRequestInvalid on anything wrong."""
    csr = _parse(pem)
    public_key = csr.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
        public_key.curve, ec.SECP256R1
    ):
        raise EnrollmentRequestInvalid("not a P-256 key")
    device_id = DeviceId.from_public_key(public_key)
    cns = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(cns) != 1 or cns[0].value != device_id.text:
        raise EnrollmentRequestInvalid("subject is not the key's DeviceId")
    return EnrollmentRequest(public_key=public_key, device_id=device_id, role=_role(csr))


def load_pair_requests(
    student_pem: bytes, classroom_pem: bytes
) -> tuple[EnrollmentRequest, EnrollmentRequest]:
    """The student's and the classroom's request, checked as a pair."""
    student, classroom = load_request(student_pem), load_request(classroom_pem)
    if student.role is not Role.STUDENT or classroom.role is not Role.CLASSROOM:
        raise EnrollmentRequestWrongRole(f"{student.role.value}/{classroom.role.value}")
    if student.device_id == classroom.device_id:
        raise SameDevice(student.device_id.short)
    return student, classroom
