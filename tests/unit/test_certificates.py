"""Device certificates: what verify_device_certificate and check_peer refuse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pairing.ca import create_ca
from pairing.certificates import (
    certificate_pem,
    check_current,
    check_peer,
    fingerprint,
    load_certificate,
    new_pairing_id,
    utcnow,
    verify_device_certificate,
)
from pairing.errors import CertificateInvalid, PeerUntrusted
from pairing.roles import Role
from tests.support.pki import TestFleet, certificate_without_fields, self_signed_device


def test_valid_pair_verifies_and_names_each_other(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    s_info = verify_device_certificate(student.certificate, fleet.ca.certificate)
    c_info = verify_device_certificate(classroom.certificate, fleet.ca.certificate)
    assert (s_info.role, c_info.role) == (Role.STUDENT, Role.CLASSROOM)
    assert s_info.peer_id == c_info.device_id and c_info.peer_id == s_info.device_id
    assert s_info.pairing_id == c_info.pairing_id
    check_peer(c_info, own=s_info, pinned_peer=c_info.device_id)
    check_peer(s_info, own=c_info, pinned_peer=s_info.device_id)


def test_pem_round_trip_and_fingerprint(fleet: TestFleet) -> None:
    student, _ = fleet.pair()
    again = load_certificate(certificate_pem(student.certificate))
    assert again == student.certificate
    assert len(fingerprint(again).split(":")) == 32


def test_refuses_garbage_and_oversize_pem() -> None:
    with pytest.raises(CertificateInvalid):
        load_certificate(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    with pytest.raises(CertificateInvalid, match="too large"):
        load_certificate(b"A" * 9000)


def test_refuses_another_ca(fleet: TestFleet, tmp_path: Path) -> None:
    other = TestFleet(tmp_path / "other")
    student, _ = other.pair()
    with pytest.raises(CertificateInvalid):
        verify_device_certificate(student.certificate, fleet.ca.certificate)


def test_a_signature_checked_by_tls_is_not_checked_again(fleet: TestFleet) -> None:
    """The signaling server's handshake verified the signature against the fleet CA:
    only the issuer's name is compared then (issue 14: a quarter of a millisecond per
    connection). Without the flag the signature is checked as ever."""
    twin = TestFleet(fleet.folder.parent / "twin")  # same CA name, another key
    assert twin.ca.certificate.subject == fleet.ca.certificate.subject
    student, _ = twin.pair()
    with pytest.raises(CertificateInvalid, match="signature"):
        verify_device_certificate(student.certificate, fleet.ca.certificate)
    info = verify_device_certificate(
        student.certificate, fleet.ca.certificate, signature_checked=True
    )
    assert info.role is Role.STUDENT
    renamed = TestFleet(fleet.folder.parent / "renamed", ca=create_ca("Another CA"))
    with pytest.raises(CertificateInvalid, match="another issuer"):
        verify_device_certificate(
            renamed.pair()[0].certificate, fleet.ca.certificate, signature_checked=True
        )


def test_refuses_self_signed(fleet: TestFleet) -> None:
    student, _ = fleet.pair()
    fake = self_signed_device(student)
    with pytest.raises(CertificateInvalid):
        verify_device_certificate(fake.certificate, fleet.ca.certificate)


def test_refuses_expired(fleet: TestFleet) -> None:
    student, _ = fleet.pair(now=utcnow() - dt.timedelta(days=40), days=30)
    with pytest.raises(CertificateInvalid, match="validity"):
        verify_device_certificate(student.certificate, fleet.ca.certificate)


def test_refuses_not_yet_valid(fleet: TestFleet) -> None:
    student, _ = fleet.pair(now=utcnow() + dt.timedelta(days=2))
    with pytest.raises(CertificateInvalid, match="validity"):
        verify_device_certificate(student.certificate, fleet.ca.certificate)


def test_validity_is_judged_at_the_given_time(fleet: TestFleet) -> None:
    then = utcnow() - dt.timedelta(days=40)
    student, _ = fleet.pair(now=then, days=30)
    info = verify_device_certificate(
        student.certificate, fleet.ca.certificate, now=then + dt.timedelta(days=1)
    )
    assert info.device_id == student.device_id


def test_refuses_server_certificate(fleet: TestFleet) -> None:
    with pytest.raises(CertificateInvalid, match="client"):
        verify_device_certificate(fleet.server.certificate, fleet.ca.certificate)


def test_refuses_ca_certificate(fleet: TestFleet) -> None:
    with pytest.raises(CertificateInvalid):
        verify_device_certificate(fleet.ca.certificate, fleet.ca.certificate)


def test_refuses_missing_pairing_fields(fleet: TestFleet) -> None:
    cert, _ = certificate_without_fields(fleet.ca)
    with pytest.raises(CertificateInvalid):
        verify_device_certificate(cert, fleet.ca.certificate)


def test_refuses_revoked(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    crl = fleet.revoke(student.info.serial)
    with pytest.raises(CertificateInvalid, match="revoked"):
        verify_device_certificate(student.certificate, fleet.ca.certificate, crl=crl)
    info = verify_device_certificate(classroom.certificate, fleet.ca.certificate, crl=crl)
    assert info.serial == classroom.info.serial


def test_check_peer_refuses_other_pairing(fleet: TestFleet) -> None:
    s1, _ = fleet.pair()
    _, c2 = fleet.pair()
    with pytest.raises(PeerUntrusted, match="another pairing"):
        check_peer(c2.info, own=s1.info)


def test_check_peer_refuses_same_role(fleet: TestFleet) -> None:
    pairing_id = new_pairing_id()
    s1, _ = fleet.pair(pairing_id=pairing_id)
    s2, _ = fleet.pair(pairing_id=pairing_id)
    with pytest.raises(PeerUntrusted, match="same role"):
        check_peer(s2.info, own=s1.info)


def test_check_peer_refuses_certificates_not_naming_each_other(fleet: TestFleet) -> None:
    pairing_id = new_pairing_id()
    s1, _ = fleet.pair(pairing_id=pairing_id)
    _, c2 = fleet.pair(pairing_id=pairing_id)  # same pairing id, other devices
    with pytest.raises(PeerUntrusted, match="name each other"):
        check_peer(c2.info, own=s1.info)


def test_check_peer_refuses_wrong_pin(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    other, _ = fleet.pair()
    with pytest.raises(PeerUntrusted, match="pinned"):
        check_peer(classroom.info, own=student.info, pinned_peer=other.device_id)


def test_check_current_is_what_changes_after_the_whole_check(fleet: TestFleet) -> None:
    student, _ = fleet.pair()
    info = student.info
    check_current(info, now=info.not_before)  # both ends of the period are inside
    check_current(info, now=info.not_after)
    for outside in (info.not_before - dt.timedelta(seconds=1), info.not_after + dt.timedelta(1)):
        with pytest.raises(CertificateInvalid, match="outside its validity period"):
            check_current(info, now=outside)
    check_current(info, crl=fleet.revoke())  # a CRL without it
    with pytest.raises(CertificateInvalid, match="revoked"):
        check_current(info, crl=fleet.revoke(info.serial))
