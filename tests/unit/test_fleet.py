"""The operator's fleet folder: init, pair, re-pair, revoke, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pairing import revocation
from pairing.bundle import load_bundle
from pairing.ca import new_key
from pairing.certificates import check_peer, load_certificate, verify_device_certificate
from pairing.deviceid import DeviceId
from pairing.enrollment import create_request
from pairing.errors import (
    AlreadyRevoked,
    CrlTooLarge,
    DeviceIdInvalid,
    EndDateInvalid,
    EnrollmentRequestInvalid,
    EnrollmentRequestWrongRole,
    FleetAlreadyInitialised,
    FleetCorrupt,
    FleetFolderNotEmpty,
    FleetNotInitialised,
    FleetSettingsInvalid,
    PassphraseTooShort,
    PassphraseWrong,
    RevokeTargetAmbiguous,
    RevokeTargetUnknown,
    SameDevice,
)
from pairing.fleet import (
    FLEET_FILES,
    KEEP_AFTER_EXPIRY,
    PairingResult,
    init_fleet,
    load_settings,
    pair,
    read_records,
    revoke,
)
from pairing.issued import IssuedRecord, add_months, end_of_day, matcher
from pairing.roles import Role

PASS = "correct horse battery"
NOW = dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def request(role: Role, key: ec.EllipticCurvePrivateKey | None = None) -> bytes:
    return create_request(key or new_key(), role)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "fleet"
    init_fleet(folder, PASS, now=NOW - dt.timedelta(days=1))
    return folder


def _pair(
    data: Path, out: Path, student: bytes, classroom: bytes, until: dt.date = dt.date(2026, 7, 1)
) -> PairingResult:
    return pair(data, PASS, student, classroom, until=until, out_dir=out, now=NOW)


def test_init_lays_out_the_folder(data: Path) -> None:
    assert sorted(p.name for p in data.iterdir()) == sorted(FLEET_FILES)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in FLEET_FILES:
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    assert (data / "ca-key.pem").read_bytes().startswith(b"-----BEGIN KLASGENOOT ENCRYPTED")
    ca = load_certificate((data / "ca.pem").read_bytes())
    crl = revocation.load_crl((data / "crl.pem").read_bytes(), ca)
    assert (crl.number, crl.serials) == (1, frozenset())
    settings = load_settings(data)
    assert settings.signaling_url == "wss://localhost:8443/ws"
    assert settings.ice_servers == ()
    assert read_records(data) == ()
    assert json.loads((data / "fleet.json").read_text())["version"] == 1


def test_init_with_settings(tmp_path: Path) -> None:
    ice = [{"urls": ["turn:turn.school.nl:3478"]}]
    settings = init_fleet(tmp_path / "f", PASS, server_name="signal.school.nl", ice_servers=ice)
    assert settings.signaling_url == "wss://signal.school.nl:8443/ws"
    assert load_settings(tmp_path / "f") == settings
    server = load_certificate((tmp_path / "f" / "server.pem").read_bytes())
    assert "signal.school.nl" in server.subject.rfc4514_string()


def test_init_refuses_an_existing_fleet(data: Path) -> None:
    before = snapshot(data)
    with pytest.raises(FleetAlreadyInitialised):
        init_fleet(data, PASS)
    assert snapshot(data) == before


def test_init_refuses_a_folder_that_holds_something_else(tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / ".hidden").write_text("mine")
    with pytest.raises(FleetFolderNotEmpty):
        init_fleet(tmp_path / "f", PASS)
    assert snapshot(tmp_path / "f") == {".hidden": b"mine"}
    (tmp_path / "file").write_text("a file, not a folder")
    with pytest.raises(FleetFolderNotEmpty):
        init_fleet(tmp_path / "file", PASS)
    (tmp_path / "empty").mkdir()
    init_fleet(tmp_path / "empty", PASS)  # an empty folder is what it asks for


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"signaling_url": "ws://insecure.example/ws"}, FleetSettingsInvalid),
        ({"signaling_url": "https://a.example/ws"}, FleetSettingsInvalid),
        ({"server_name": "not a host"}, FleetSettingsInvalid),
        ({"ice_servers": [{"urls": ["http://a.example"]}]}, FleetSettingsInvalid),
        ({"ice_servers": {"urls": ["stun:a.example"]}}, FleetSettingsInvalid),
        (
            {"ice_servers": [{"urls": ["turn:a.example"], "username": "u", "credential": "c"}]},
            FleetSettingsInvalid,
        ),
    ],
)
def test_init_refuses_bad_settings_and_writes_nothing(
    tmp_path: Path, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        init_fleet(tmp_path / "f", PASS, **kwargs)  # type: ignore[arg-type]
    assert not (tmp_path / "f").exists()


def test_init_refuses_a_short_passphrase(tmp_path: Path) -> None:
    with pytest.raises(PassphraseTooShort):
        init_fleet(tmp_path / "f", "short")
    assert not (tmp_path / "f").exists()


def test_pair_issues_two_certificates_that_name_each_other(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    s_key, c_key = new_key(), new_key()
    result = _pair(data, out, request(Role.STUDENT, s_key), request(Role.CLASSROOM, c_key))
    assert result.student_id == DeviceId.from_public_key(s_key.public_key())
    assert result.student_bundle == out / f"student-{result.student_id.short}.klasgenoot"
    assert result.classroom_bundle == out / f"classroom-{result.classroom_id.short}.klasgenoot"
    ca = load_certificate((data / "ca.pem").read_bytes())
    s_bundle = load_bundle(result.student_bundle.read_bytes())
    c_bundle = load_bundle(result.classroom_bundle.read_bytes())
    s_info = verify_device_certificate(s_bundle.certificate, ca, now=NOW)
    c_info = verify_device_certificate(c_bundle.certificate, ca, now=NOW)
    check_peer(c_info, own=s_info, pinned_peer=s_bundle.peer_device_id)
    assert s_info.pairing_id == result.pairing_id == s_bundle.pairing_id
    assert s_info.not_after == end_of_day(dt.date(2026, 7, 1)) == result.not_after
    assert s_info.not_after == dt.datetime(2026, 7, 1, 23, 59, 59, tzinfo=dt.UTC)
    assert s_bundle.signaling_url == "wss://localhost:8443/ws"
    records = read_records(data)
    assert {(r.device_id, r.role, r.revoked) for r in records} == {
        (result.student_id, Role.STUDENT, False),
        (result.classroom_id, Role.CLASSROOM, False),
    }
    assert {r.serial for r in records} == {s_info.serial, c_info.serial}
    assert result.crl is None and result.revoked == ()


@pytest.mark.parametrize(
    "until",
    [dt.date(2026, 1, 30), dt.date(2027, 3, 1), dt.date(2030, 1, 1)],
    ids=["yesterday", "13 months and a day", "years ahead"],
)
def test_pair_refuses_end_dates_out_of_range(data: Path, tmp_path: Path, until: dt.date) -> None:
    before = snapshot(data)
    with pytest.raises(EndDateInvalid):
        _pair(data, tmp_path / "o", request(Role.STUDENT), request(Role.CLASSROOM), until=until)
    assert snapshot(data) == before
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("until", [dt.date(2026, 1, 31), dt.date(2027, 2, 28)])
def test_pair_accepts_today_and_thirteen_months(data: Path, tmp_path: Path, until: dt.date) -> None:
    result = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM), until=until)
    assert result.not_after.date() == until


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 13, dt.date(2027, 2, 28)),
        (dt.date(2027, 1, 31), 13, dt.date(2028, 2, 29)),
        (dt.date(2026, 5, 15), 13, dt.date(2027, 6, 15)),
        (dt.date(2026, 12, 1), 1, dt.date(2027, 1, 1)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_pair_refusals_change_nothing(data: Path, tmp_path: Path) -> None:
    before = snapshot(data)
    key = new_key()
    cases = [
        (request(Role.CLASSROOM), request(Role.CLASSROOM), EnrollmentRequestWrongRole),
        (request(Role.CLASSROOM), request(Role.STUDENT), EnrollmentRequestWrongRole),
        (request(Role.STUDENT, key), request(Role.CLASSROOM, key), SameDevice),
        (b"not a request", request(Role.CLASSROOM), EnrollmentRequestInvalid),
    ]
    for student, classroom, error in cases:
        with pytest.raises(error):
            _pair(data, tmp_path / "o", student, classroom)
    assert snapshot(data) == before
    assert not (tmp_path / "o").exists()


def test_wrong_passphrase_changes_nothing(data: Path, tmp_path: Path) -> None:
    before = snapshot(data)
    with pytest.raises(PassphraseWrong):
        pair(
            data, "wrong passphrase", request(Role.STUDENT), request(Role.CLASSROOM),
            until=dt.date(2026, 7, 1), out_dir=tmp_path / "o", now=NOW,
        )  # fmt: skip
    first = _pair(data, tmp_path / "o", request(Role.STUDENT), request(Role.CLASSROOM))
    after_pair = snapshot(data)
    with pytest.raises(PassphraseWrong):
        revoke(data, "wrong passphrase", first.pairing_id)
    assert snapshot(data) == after_pair != before


def test_missing_or_damaged_fleet_is_a_clear_error(data: Path, tmp_path: Path) -> None:
    with pytest.raises(FleetNotInitialised):
        revoke(tmp_path / "nowhere", PASS, "pair-aaaaaaaaaaaaaaaa")
    settings = (data / "fleet.json").read_text()
    for damaged in ("{", "[]", '{"version": 1}', settings.replace('"localhost"', "5", 1),
                    settings.replace('"wss://localhost:8443/ws"', "null")):  # fmt: skip
        (data / "fleet.json").write_text(damaged)
        with pytest.raises(FleetCorrupt):
            load_settings(data)
    (data / "fleet.json").write_text(settings)
    assert load_settings(data).server_name == "localhost"
    (data / "issued.json").write_text('{"version": 1, "certificates": [{"serial": 1}]}')
    with pytest.raises(FleetCorrupt):
        _pair(data, tmp_path / "o", request(Role.STUDENT), request(Role.CLASSROOM))


def test_repairing_a_replaced_laptop_revokes_the_old_pair(data: Path, tmp_path: Path) -> None:
    classroom_key = new_key()
    old = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM, classroom_key))
    old_serials = {r.serial for r in read_records(data)}
    new = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM, classroom_key))
    assert new.pairing_id != old.pairing_id
    assert {r.serial for r in new.revoked} == old_serials
    assert new.crl is not None and new.crl.number == 2 and new.crl.serials == old_serials
    ca = load_certificate((data / "ca.pem").read_bytes())
    assert revocation.load_crl((data / "crl.pem").read_bytes(), ca).number == 2
    by_pairing = {(r.pairing_id, r.revoked) for r in read_records(data)}
    assert by_pairing == {(old.pairing_id, True), (new.pairing_id, False)}


def test_revoke_by_device_id_is_forgiving_and_only_that_device(data: Path, tmp_path: Path) -> None:
    result = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    typed = result.student_id.text.replace("-", "").lower()
    crl = revoke(data, PASS, typed, now=NOW)
    records = {r.device_id: r for r in read_records(data)}
    assert crl.number == 2
    assert crl.serials == {records[result.student_id].serial}
    assert records[result.student_id].revoked and not records[result.classroom_id].revoked


def test_revoke_by_pairing_id_and_crls_are_cumulative(data: Path, tmp_path: Path) -> None:
    first = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    second = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    one = revoke(data, PASS, first.pairing_id.upper(), now=NOW)
    two = revoke(data, PASS, second.pairing_id, now=NOW)
    serials: dict[str, set[int]] = {first.pairing_id: set(), second.pairing_id: set()}
    for r in read_records(data):
        serials[r.pairing_id].add(r.serial)
    assert one.number == 2 and one.serials == serials[first.pairing_id]
    assert two.number == 3 and two.serials == serials[first.pairing_id] | serials[second.pairing_id]
    assert all(r.revoked for r in read_records(data))


def test_a_crl_drops_the_serials_of_certificates_that_expired_long_ago(
    data: Path, tmp_path: Path
) -> None:
    ended = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM),
                  until=dt.date(2026, 2, 10))  # fmt: skip
    revoke(data, PASS, ended.pairing_id, now=NOW)
    later = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    serials: dict[str, set[int]] = {ended.pairing_id: set(), later.pairing_id: set()}
    for r in read_records(data):
        serials[r.pairing_id].add(r.serial)
    expired = end_of_day(dt.date(2026, 2, 10))
    # within KEEP_AFTER_EXPIRY of its expiry, the ended pairing stays listed ...
    crl = revoke(data, PASS, later.student_id.text, now=expired + KEEP_AFTER_EXPIRY)
    assert crl.serials >= serials[ended.pairing_id]
    # ... after it, only what could still be accepted somewhere is
    crl = revoke(data, PASS, later.pairing_id, now=expired + KEEP_AFTER_EXPIRY + dt.timedelta(1))
    assert crl.serials == serials[later.pairing_id]
    assert all(r.revoked for r in read_records(data))  # the records keep the history


def test_a_crl_too_large_for_the_servers_is_refused_and_nothing_is_written(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    before = snapshot(data)
    monkeypatch.setattr(revocation, "MAX_CRL_PEM", 400)  # an empty CRL is about 330 bytes
    with pytest.raises(CrlTooLarge):
        revoke(data, PASS, result.pairing_id, now=NOW)
    assert snapshot(data) == before


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("pair-aaaaaaaaaaaaaaaa", RevokeTargetUnknown),
        ("pair-nope", RevokeTargetUnknown),
        (DeviceId.from_public_key(new_key().public_key()).text, RevokeTargetUnknown),
        ("ABCDEFG", RevokeTargetUnknown),  # a short form no device of the fleet has
        ("ABCDEFGH", DeviceIdInvalid),  # neither a short form nor a full DeviceId
        ("P56IOI7-MZJNU2Y", DeviceIdInvalid),
    ],
)
def test_revoke_unknown_target_changes_nothing(
    data: Path, tmp_path: Path, target: str, error: type[Exception]
) -> None:
    _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    before = snapshot(data)
    with pytest.raises(error):
        revoke(data, PASS, target, now=NOW)
    assert snapshot(data) == before


def test_revoke_by_the_short_form_of_one_device(data: Path, tmp_path: Path) -> None:
    result = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    crl = revoke(data, PASS, result.classroom_id.short.lower(), now=NOW)
    records = {r.device_id: r for r in read_records(data)}
    assert crl.serials == {records[result.classroom_id].serial}


def test_a_short_form_two_devices_share_is_refused(data: Path, tmp_path: Path) -> None:
    result = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    record = next(r for r in read_records(data) if r.device_id == result.student_id)
    digest = result.student_id.digest
    twin = DeviceId(digest[:5] + bytes(b ^ 0xFF for b in digest[5:]))  # same first 35 bits
    records: list[IssuedRecord] = [record, replace(record, serial=7, device_id=twin)]
    with pytest.raises(RevokeTargetAmbiguous):
        matcher(twin.short, records)
    assert matcher(twin.text, records)(records[1]) and not matcher(twin.text, records)(record)


def test_revoking_what_is_already_revoked_changes_nothing(data: Path, tmp_path: Path) -> None:
    result = _pair(data, tmp_path, request(Role.STUDENT), request(Role.CLASSROOM))
    revoke(data, PASS, result.pairing_id, now=NOW)
    before = snapshot(data)
    for target in (result.pairing_id, result.student_id.text, result.classroom_id.short):
        with pytest.raises(AlreadyRevoked):
            revoke(data, PASS, target, now=NOW)
    assert snapshot(data) == before


def test_init_with_one_url_per_instance_names_each_host_in_the_server_certificate(
    tmp_path: Path,
) -> None:
    urls = ["wss://signal-a.school.nl:8443/ws", "wss://signal-b.school.nl/ws"]
    settings = init_fleet(tmp_path / "f", PASS, server_name="signal.school.nl", signaling_url=urls)
    assert settings.signaling_urls == tuple(urls)
    assert json.loads((tmp_path / "f" / "fleet.json").read_text())["signaling_url"] == urls
    assert load_settings(tmp_path / "f") == settings
    server = load_certificate((tmp_path / "f" / "server.pem").read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = names.get_values_for_type(x509.DNSName)
    assert {"signal.school.nl", "signal-a.school.nl", "signal-b.school.nl"} <= set(dns)


@pytest.mark.parametrize(
    "urls",
    [
        [],
        ["wss://a.example/ws", "wss://a.example/ws"],
        [f"wss://a{i}.example/ws" for i in range(9)],
        ["wss://a.example/ws", "ws://b.example/ws"],
    ],
)
def test_init_refuses_bad_url_lists_and_writes_nothing(tmp_path: Path, urls: list[str]) -> None:
    with pytest.raises(FleetSettingsInvalid):
        init_fleet(tmp_path / "f", PASS, signaling_url=urls)
    assert not (tmp_path / "f").exists()
