"""Enrollment by code on the console's side, with a real fleet CA and real SQLite."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from console import registry, service
from console.enrollment import MAX_WRONG, Enroller
from console.errors import (
    EnrollmentCodeRejected,
    EnrollmentLocked,
    EnrollmentRequestRefused,
    RoleAlreadyEnrolled,
)
from console.registry import CodeState
from console.store import Store
from pairing.bundle import load_bundle
from pairing.ca import new_key
from pairing.certificates import read_device_certificate
from pairing.deviceid import DeviceId
from pairing.enrollment import create_request
from pairing.errors import EnrollmentCodeMistyped
from pairing.fleet import init_fleet, read_records
from pairing.roles import Role

PASS = "correct horse battery"
ADDRESS = "192.0.2.7"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def fleet_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fleet") / "fleet"
    init_fleet(folder, PASS)
    return folder


@pytest.fixture
def fleet(tmp_path: Path, fleet_template: Path) -> Path:
    import shutil

    shutil.copytree(fleet_template, tmp_path / "fleet")
    return tmp_path / "fleet"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(fleet: Path, clock: Clock) -> Store:
    return Store(fleet, clock)


def _pairing(store: Store, consent: bool = True) -> tuple[int, dict[Role, str]]:
    until = dt.date.today() + dt.timedelta(days=200)
    pid, codes = registry.create_pairing(store, "kg-0042", until, "anna")
    if consent:
        service.record_consent(store, pid, dt.date.today(), "dossier 2026/017", "anna")
    return pid, codes


def test_the_first_device_waits_and_both_get_certificates_that_name_each_other(
    store: Store, fleet: Path
) -> None:
    pid, codes = _pairing(store)
    enroller = Enroller(store, fleet, PASS)
    s_key, c_key = new_key(), new_key()
    s_req, c_req = create_request(s_key, Role.STUDENT), create_request(c_key, Role.CLASSROOM)
    assert enroller.role_of(ADDRESS, codes[Role.CLASSROOM]) is Role.CLASSROOM
    assert enroller.enroll(ADDRESS, codes[Role.STUDENT], s_req) is None
    assert enroller.enroll(ADDRESS, codes[Role.STUDENT], s_req) is None  # asking again
    states = [s.state for s in registry.get_pairing(store, pid).slots]
    assert states == [CodeState.WAITING, CodeState.OPEN]
    c_bundle = enroller.enroll(ADDRESS, codes[Role.CLASSROOM], c_req)
    s_bundle = enroller.enroll(ADDRESS, codes[Role.STUDENT], s_req)
    assert c_bundle is not None and s_bundle is not None
    s_info = read_device_certificate(load_bundle(s_bundle).certificate)
    c_info = read_device_certificate(load_bundle(c_bundle).certificate)
    assert s_info.peer_id == DeviceId.from_public_key(c_key.public_key()) == c_info.device_id
    assert c_info.peer_id == s_info.device_id
    pairing = registry.get_pairing(store, pid)
    assert pairing.fleet_pairing == s_info.pairing_id == c_info.pairing_id
    assert [s.state for s in pairing.slots] == [CodeState.ENROLLED, CodeState.ENROLLED]
    assert {r.pairing_id for r in read_records(fleet)} == {s_info.pairing_id}
    with pytest.raises(RoleAlreadyEnrolled):
        registry.issue_code(store, pid, Role.STUDENT, "anna")


def test_a_used_code_refuses_another_device_and_changes_nothing(store: Store, fleet: Path) -> None:
    _, codes = _pairing(store)
    enroller = Enroller(store, fleet, PASS)
    own = create_request(new_key(), Role.STUDENT)
    assert enroller.enroll(ADDRESS, codes[Role.STUDENT], own) is None
    before = store.conn.execute("SELECT * FROM codes").fetchall()
    with pytest.raises(EnrollmentCodeRejected):
        enroller.enroll(ADDRESS, codes[Role.STUDENT], create_request(new_key(), Role.STUDENT))
    assert store.conn.execute("SELECT * FROM codes").fetchall() == before


def test_expired_revoked_and_wrong_role_codes_are_refused(
    store: Store, fleet: Path, clock: Clock
) -> None:
    pid, codes = _pairing(store)
    enroller = Enroller(store, fleet, PASS)
    with pytest.raises(EnrollmentRequestRefused):  # a classroom request with a student code
        enroller.enroll(ADDRESS, codes[Role.STUDENT], create_request(new_key(), Role.CLASSROOM))
    registry.revoke_codes(store, pid, "anna")
    with pytest.raises(EnrollmentCodeRejected):
        enroller.enroll(ADDRESS, codes[Role.STUDENT], create_request(new_key(), Role.STUDENT))
    fresh = registry.issue_code(store, pid, Role.STUDENT, "anna")
    clock.now += registry.CODE_HOURS * 3600 + 1
    with pytest.raises(EnrollmentCodeRejected):
        enroller.enroll(ADDRESS, fresh, create_request(new_key(), Role.STUDENT))
    assert store.conn.execute("SELECT count(*) FROM codes WHERE used IS NOT NULL").fetchone() == (
        0,
    )


def test_five_wrong_codes_lock_the_address_typos_do_not_count_and_no_code_is_logged(
    store: Store, fleet: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, codes = _pairing(store)
    enroller = Enroller(store, fleet, PASS)
    request = create_request(new_key(), Role.STUDENT)
    good = codes[Role.STUDENT]
    typo = good[:-1] + ("2" if good[-1] != "2" else "3")
    for _ in range(MAX_WRONG + 2):
        with pytest.raises(EnrollmentCodeMistyped):
            enroller.enroll(ADDRESS, typo, request)
    wrong = []
    for i in range(MAX_WRONG):  # well-formed codes that are not open: revoked ones
        pid, issued = registry.create_pairing(store, f"kg-9{i}", dt.date.today(), "anna")
        registry.revoke_codes(store, pid, "anna")
        wrong.append(issued[Role.STUDENT])
    caplog.set_level(logging.INFO)
    for code in wrong:
        with pytest.raises(EnrollmentCodeRejected):
            enroller.enroll(ADDRESS, code, request)
    with pytest.raises(EnrollmentLocked):  # even the right code, from this address
        enroller.enroll(ADDRESS, good, request)
    assert enroller.enroll("198.51.100.9", good, request) is None  # another address may
    text = caplog.text
    assert "enrollment refused" in text
    assert not any(code in text or code[:5] in text for code in [*wrong, good])
    assert ADDRESS not in text


def test_without_consent_both_devices_wait_and_nothing_is_issued_until_it_is_recorded(
    store: Store, fleet: Path
) -> None:
    pid, codes = _pairing(store, consent=False)
    enroller = Enroller(store, fleet, PASS)
    s_req = create_request(new_key(), Role.STUDENT)
    c_req = create_request(new_key(), Role.CLASSROOM)
    assert enroller.enroll(ADDRESS, codes[Role.STUDENT], s_req) is None
    assert enroller.enroll(ADDRESS, codes[Role.CLASSROOM], c_req) is None
    assert read_records(fleet) == ()  # not a certificate issued
    service.record_consent(store, pid, dt.date.today(), "dossier 2026/017", "anna")
    assert enroller.enroll(ADDRESS, codes[Role.CLASSROOM], c_req) is not None
    assert enroller.enroll(ADDRESS, codes[Role.STUDENT], s_req) is not None
    assert len(read_records(fleet)) == 2
