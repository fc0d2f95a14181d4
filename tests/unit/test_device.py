"""The device's config folder: install a bundle, load it back, keep the newest CRL."""

from __future__ import annotations

import datetime as dt
import json
import logging
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pairing import device
from pairing.ca import load_key
from pairing.certificates import fingerprint, load_certificate, utcnow
from pairing.enrollment import create_request
from pairing.errors import (
    BundleExpired,
    BundleInvalid,
    BundleWrongDevice,
    BundleWrongRole,
    DeviceConfigInvalid,
    NotEnrolled,
    RevocationListInvalid,
    RoleConflict,
)
from pairing.fleet import PairingResult, init_fleet, pair
from pairing.identity import DEVICE_KEY, device_id, load_or_create_device_key
from pairing.revocation import RevocationList, build_crl
from pairing.roles import Role

PASS = "correct horse battery"


@dataclass
class MemoryStore:
    entries: dict[str, bytes] = field(default_factory=dict)

    def get(self, name: str) -> bytes | None:
        return self.entries.get(name)

    def set(self, name: str, value: bytes) -> None:
        self.entries[name] = value

    def delete(self, name: str) -> None:
        self.entries.pop(name, None)


@dataclass
class Device:
    config: Path
    store: MemoryStore
    role: Role

    def request(self, role: Role | None = None) -> bytes:
        return create_request(load_or_create_device_key(self.store), role or self.role)


def new_device(tmp_path: Path, name: str, role: Role) -> Device:
    dev = Device(tmp_path / name, MemoryStore(), role)
    device.record_role(dev.config, role)
    load_or_create_device_key(dev.store)
    return dev


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def fleet_dir(tmp_path: Path) -> Path:
    init_fleet(tmp_path / "fleet", PASS)
    return tmp_path / "fleet"


def do_pair(
    fleet_dir: Path, student: bytes, classroom: bytes, now: dt.datetime | None = None
) -> PairingResult:
    now = now or utcnow()
    until = (now + dt.timedelta(days=30)).date()
    return pair(
        fleet_dir, PASS, student, classroom, until=until, out_dir=fleet_dir.parent / "out", now=now
    )


@pytest.fixture
def pupil(tmp_path: Path) -> Device:
    return new_device(tmp_path, "student", Role.STUDENT)


@pytest.fixture
def unit(tmp_path: Path) -> Device:
    return new_device(tmp_path, "classroom", Role.CLASSROOM)


def test_install_then_load(fleet_dir: Path, pupil: Device, unit: Device) -> None:
    result = do_pair(fleet_dir, pupil.request(), unit.request())
    installed = device.install_bundle(pupil.config, pupil.store, result.student_bundle.read_bytes())
    ca = load_certificate((fleet_dir / "ca.pem").read_bytes())
    assert installed.ca_fingerprint == fingerprint(ca)
    assert (installed.role, installed.pairing_id) == (Role.STUDENT, result.pairing_id)
    assert installed.peer_device_id == result.classroom_id
    for name in ("certificate.pem", "ca.pem", "device.json"):
        assert stat.S_IMODE((pupil.config / name).stat().st_mode) == 0o600
    doc = json.loads((pupil.config / "device.json").read_text())
    assert doc["peer_device_id"] == result.classroom_id.text
    assert doc["signaling_url"] == "wss://localhost:8443/ws"
    config = device.load_device(pupil.config, pupil.store)
    assert config.credentials.device_id == result.student_id
    assert config.credentials.pinned_peer == result.classroom_id
    assert config.role is Role.STUDENT and config.ice_servers == ()
    assert config.credentials.certificate.serial_number == config.info.serial
    assert "PRIVATE" not in repr(config.credentials)


def test_bundle_for_another_device_is_refused(fleet_dir: Path, pupil: Device, unit: Device) -> None:
    result = do_pair(fleet_dir, pupil.request(), unit.request())
    before = snapshot(pupil.config)
    with pytest.raises(BundleWrongDevice):
        device.install_bundle(pupil.config, pupil.store, result.classroom_bundle.read_bytes())
    assert snapshot(pupil.config) == before


def test_bundle_for_the_other_role_is_refused(
    fleet_dir: Path, tmp_path: Path, unit: Device
) -> None:
    confused = new_device(tmp_path, "confused", Role.CLASSROOM)
    result = do_pair(fleet_dir, confused.request(Role.STUDENT), unit.request())
    bundle = result.student_bundle.read_bytes()
    with pytest.raises(BundleWrongRole):
        device.install_bundle(confused.config, confused.store, bundle)
    with pytest.raises(BundleWrongRole):
        device.install_bundle(tmp_path / "blank", confused.store, bundle, Role.CLASSROOM)
    assert not (confused.config / "certificate.pem").exists()


def test_expired_and_not_yet_valid_bundles_are_refused(
    fleet_dir: Path, pupil: Device, unit: Device
) -> None:
    then = utcnow() - dt.timedelta(days=60)
    result = do_pair(fleet_dir, pupil.request(), unit.request(), now=then)
    bundle = result.student_bundle.read_bytes()
    with pytest.raises(BundleExpired):
        device.install_bundle(pupil.config, pupil.store, bundle)
    with pytest.raises(BundleExpired):
        device.install_bundle(pupil.config, pupil.store, bundle, now=then - dt.timedelta(days=1))
    assert not (pupil.config / "certificate.pem").exists()
    installed = device.install_bundle(
        pupil.config, pupil.store, bundle, now=then + dt.timedelta(days=1)
    )
    assert installed.not_after < utcnow()


def test_bundle_not_chaining_to_its_ca_is_refused(
    fleet_dir: Path, tmp_path: Path, pupil: Device, unit: Device
) -> None:
    result = do_pair(fleet_dir, pupil.request(), unit.request())
    init_fleet(tmp_path / "other", PASS)
    doc = json.loads(result.student_bundle.read_bytes())
    doc["ca_certificate"] = (tmp_path / "other" / "ca.pem").read_text()
    with pytest.raises(BundleInvalid):
        device.install_bundle(pupil.config, pupil.store, json.dumps(doc).encode())


def test_no_key_or_no_bundle_means_not_enrolled(
    fleet_dir: Path, tmp_path: Path, pupil: Device, unit: Device
) -> None:
    with pytest.raises(NotEnrolled):
        device.load_device(pupil.config, pupil.store)
    result = do_pair(fleet_dir, pupil.request(), unit.request())
    with pytest.raises(NotEnrolled):
        device.install_bundle(tmp_path / "fresh", MemoryStore(), result.student_bundle.read_bytes())
    device.install_bundle(pupil.config, pupil.store, result.student_bundle.read_bytes())
    with pytest.raises(NotEnrolled):
        device.load_device(pupil.config, MemoryStore())
    stranger = MemoryStore()
    load_or_create_device_key(stranger)
    with pytest.raises(DeviceConfigInvalid):
        device.load_device(pupil.config, stranger)


def test_damaged_device_json_is_a_clear_error(fleet_dir: Path, pupil: Device, unit: Device) -> None:
    result = do_pair(fleet_dir, pupil.request(), unit.request())
    device.install_bundle(pupil.config, pupil.store, result.student_bundle.read_bytes())
    path = pupil.config / "device.json"
    doc = json.loads(path.read_text())
    path.write_text(json.dumps({**doc, "signaling_url": "ws://evil.example"}))
    with pytest.raises(DeviceConfigInvalid):
        device.load_device(pupil.config, pupil.store)
    path.write_text("{")
    with pytest.raises(DeviceConfigInvalid):
        device.load_device(pupil.config, pupil.store)


def test_enrolled_device_keeps_its_role(fleet_dir: Path, pupil: Device, unit: Device) -> None:
    result = do_pair(fleet_dir, pupil.request(), unit.request())
    device.install_bundle(pupil.config, pupil.store, result.student_bundle.read_bytes())
    with pytest.raises(RoleConflict):
        device.record_role(pupil.config, Role.CLASSROOM)
    device.record_role(pupil.config, Role.STUDENT)  # same role: a new request is fine
    assert device.load_device(pupil.config, pupil.store).role is Role.STUDENT
    assert device.recorded_role(pupil.config) is Role.STUDENT


def _crl(fleet_dir: Path, number: int, serials: set[int]) -> RevocationList:
    ca_cert = load_certificate((fleet_dir / "ca.pem").read_bytes())
    ca_key = load_key((fleet_dir / "ca-key.pem").read_bytes(), PASS)
    return build_crl(ca_key=ca_key, ca_cert=ca_cert, number=number, serials=serials)


def test_device_keeps_only_the_highest_numbered_crl(
    fleet_dir: Path, pupil: Device, unit: Device
) -> None:
    result = do_pair(fleet_dir, pupil.request(), unit.request())
    device.install_bundle(pupil.config, pupil.store, result.student_bundle.read_bytes())
    assert device.load_crl(pupil.config) is None
    assert device.store_crl(pupil.config, _crl(fleet_dir, 3, {7}))
    assert not device.store_crl(pupil.config, _crl(fleet_dir, 2, {7, 8}))
    assert not device.store_crl(pupil.config, _crl(fleet_dir, 3, {7, 8, 9}))
    kept = device.load_crl(pupil.config)
    assert kept is not None and (kept.number, kept.serials) == (3, {7})
    assert device.store_crl(pupil.config, _crl(fleet_dir, 4, {7, 8}))
    kept = device.load_crl(pupil.config)
    assert kept is not None and kept.number == 4


def test_crl_of_another_ca_is_refused_and_damage_ignored(
    fleet_dir: Path, tmp_path: Path, pupil: Device, unit: Device, caplog: pytest.LogCaptureFixture
) -> None:
    result = do_pair(fleet_dir, pupil.request(), unit.request())
    device.install_bundle(pupil.config, pupil.store, result.student_bundle.read_bytes())
    init_fleet(tmp_path / "other", PASS)
    with pytest.raises(RevocationListInvalid):
        device.store_crl(pupil.config, _crl(tmp_path / "other", 9, set()))
    assert device.load_crl(pupil.config) is None
    (pupil.config / "crl.pem").write_text("garbage")
    with caplog.at_level(logging.WARNING, logger="pairing.device"):
        assert device.load_crl(pupil.config) is None
    assert "ignoring the stored CRL" in caplog.text


def test_new_fleet_bundle_drops_the_old_fleets_crl(
    fleet_dir: Path, tmp_path: Path, pupil: Device, unit: Device
) -> None:
    first = do_pair(fleet_dir, pupil.request(), unit.request())
    device.install_bundle(pupil.config, pupil.store, first.student_bundle.read_bytes())
    device.store_crl(pupil.config, _crl(fleet_dir, 5, set()))
    again = do_pair(fleet_dir, pupil.request(), unit.request())
    device.install_bundle(pupil.config, pupil.store, again.student_bundle.read_bytes())
    kept = device.load_crl(pupil.config)
    assert kept is not None and kept.number == 5  # same CA: the CRL still counts
    other = tmp_path / "other"
    init_fleet(other, PASS)
    moved = pair(
        other, PASS, pupil.request(), unit.request(),
        until=utcnow().date() + dt.timedelta(days=9), out_dir=tmp_path / "out2",
    )  # fmt: skip
    device.install_bundle(pupil.config, pupil.store, moved.student_bundle.read_bytes())
    assert device.load_crl(pupil.config) is None
    assert not (pupil.config / "crl.pem").exists()


def test_device_key_entry_is_the_identity(pupil: Device) -> None:
    key = load_or_create_device_key(pupil.store)
    assert DEVICE_KEY in pupil.store.entries
    assert device_id(key) == device_id(load_or_create_device_key(pupil.store))
