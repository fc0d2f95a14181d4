"""Bundles: the exact file format and everything a bad bundle is refused for."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from pairing.bundle import (
    MAX_BUNDLE,
    Bundle,
    check_ice_servers,
    check_signaling_url,
    dump,
    load_bundle,
)
from pairing.certificates import certificate_pem, new_pairing_id
from pairing.credentials import DeviceCredentials
from pairing.enrollment import create_request
from pairing.errors import BundleInvalid, BundleIsRequest
from pairing.roles import Role
from tests.support.pki import TestFleet

ICE = [
    {"urls": ["stun:stun.school.example:3478"]},
    {"urls": ["turn:turn.school.example:3478?transport=udp"]},
]


def make_bundle(device: DeviceCredentials, ca_pem: bytes | None = None) -> Bundle:
    info = device.info
    return Bundle(
        certificate_pem=certificate_pem(device.certificate),
        ca_certificate_pem=ca_pem or certificate_pem(device.ca_certificate),
        role=info.role,
        peer_device_id=info.peer_id,
        pairing_id=info.pairing_id,
        signaling_urls=("wss://signal.example.nl:8443/ws",),
        ice_servers=check_ice_servers(ICE),
    )


@pytest.fixture
def doc(fleet: TestFleet) -> dict[str, Any]:
    student, _ = fleet.pair()
    parsed: dict[str, Any] = json.loads(dump(make_bundle(student)))
    return parsed


def _load(doc: dict[str, Any]) -> Bundle:
    return load_bundle(json.dumps(doc).encode())


def test_round_trip_holds_no_private_key(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    bundle = make_bundle(student)
    data = dump(bundle)
    assert b"PRIVATE KEY" not in data
    again = load_bundle(data)
    assert again == bundle
    assert again.certificate == student.certificate
    assert again.peer_device_id == classroom.device_id
    assert again.ice_servers[1]["urls"] == ("turn:turn.school.example:3478?transport=udp",)
    assert json.loads(data)["ice_servers"] == ICE


def test_ice_servers_are_read_only(fleet: TestFleet) -> None:
    bundle = load_bundle(dump(make_bundle(fleet.pair()[0])))
    with pytest.raises(TypeError):
        bundle.ice_servers[0]["urls"] = ("stun:evil.example",)  # type: ignore[index]


MUTATIONS: dict[str, tuple[str, object]] = {
    "wrong format": ("format", "something-else"),
    "newer version": ("version", 2),
    "version as text": ("version", "1"),
    "version as bool": ("version", True),
    "unknown role": ("role", "teacher"),
    "role disagrees with certificate": ("role", "classroom"),
    "malformed pairing id": ("pairing_id", "pair-XYZ"),
    "pairing id disagrees": ("pairing_id", new_pairing_id()),
    "pairing id not text": ("pairing_id", 7),
    "peer not a DeviceId": ("peer_device_id", "ABC"),
    "ws instead of wss": ("signaling_url", "ws://signal.example.nl/ws"),
    "https URL": ("signaling_url", "https://signal.example.nl/ws"),
    "URL with user": ("signaling_url", "wss://user:pw@signal.example.nl/ws"),
    "URL without host": ("signaling_url", "wss:///ws"),
    "URL bad port": ("signaling_url", "wss://signal.example.nl:99999/ws"),
    "URL with fragment": ("signaling_url", "wss://signal.example.nl/ws#x"),
    "URL with space": ("signaling_url", "wss://signal example.nl/ws"),
    "URL not text": ("signaling_url", 5),
    "URL list empty": ("signaling_url", []),
    "URL list twice the same": ("signaling_url", ["wss://a.example/ws"] * 2),
    "URL list too long": ("signaling_url", [f"wss://a{i}.example/ws" for i in range(9)]),
    "URL list with a bad one": ("signaling_url", ["wss://a.example/ws", "ws://b.example/ws"]),
    "URL list not text": ("signaling_url", ["wss://a.example/ws", 5]),
    "ICE not a list": ("ice_servers", {"urls": ["stun:a.example"]}),
    "ICE http URL": ("ice_servers", [{"urls": ["http://a.example"]}]),
    "ICE stun with transport": ("ice_servers", [{"urls": ["stun:a.example?transport=udp"]}]),
    "ICE empty urls": ("ice_servers", [{"urls": []}]),
    "ICE urls not text": ("ice_servers", [{"urls": [5]}]),
    "ICE unknown key": ("ice_servers", [{"urls": ["stun:a.example"], "password": "x"}]),
    "ICE username alone": ("ice_servers", [{"urls": ["turn:a.example"], "username": "u"}]),
    "ICE credential alone": ("ice_servers", [{"urls": ["turn:a.example"], "credential": "c"}]),
    "ICE username and credential": (
        "ice_servers",
        [{"urls": ["turn:a.example"], "username": "u", "credential": "c"}],
    ),
    "ICE too many": ("ice_servers", [{"urls": ["stun:a.example"]}] * 9),
    "ICE port zero": ("ice_servers", [{"urls": ["stun:a.example:0"]}]),
    "certificate not PEM": ("certificate", "hello"),
    "certificate not text": ("certificate", 5),
    "CA not PEM": ("ca_certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n"),
}


@pytest.mark.parametrize("label", list(MUTATIONS))
def test_refused_field(label: str, doc: dict[str, Any]) -> None:
    key, value = MUTATIONS[label]
    doc[key] = value
    with pytest.raises(BundleInvalid):
        _load(doc)


def test_refused_missing_and_extra_fields(doc: dict[str, Any]) -> None:
    with pytest.raises(BundleInvalid):
        _load({**doc, "private_key": "nope"})
    doc.pop("ice_servers")
    with pytest.raises(BundleInvalid):
        _load(doc)


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe", b"[]", b"null", b"{", b" " * (MAX_BUNDLE + 1), b"[" * 100_000],
    ids=["empty", "not utf-8", "list", "null", "truncated", "too large", "deep nesting"],
)
def test_refused_bytes(data: bytes) -> None:
    with pytest.raises(BundleInvalid):
        load_bundle(data)


def test_refused_certificate_from_another_ca(fleet: TestFleet, tmp_path: Path) -> None:
    stranger, _ = TestFleet(tmp_path / "other").pair()
    bundle = make_bundle(stranger, ca_pem=certificate_pem(fleet.ca.certificate))
    with pytest.raises(BundleInvalid):
        load_bundle(dump(bundle))


def test_refused_device_certificate_as_ca(fleet: TestFleet) -> None:
    student, classroom = fleet.pair()
    bundle = make_bundle(student, ca_pem=certificate_pem(classroom.certificate))
    with pytest.raises(BundleInvalid):
        load_bundle(dump(bundle))


@pytest.mark.parametrize(
    "url",
    ["wss://localhost:8443/ws", "wss://10.0.0.5/ws", "wss://[::1]:8443/ws", "wss://a-b.example"],
)
def test_signaling_urls_accepted(url: str) -> None:
    assert check_signaling_url(url) == url


def test_several_signaling_urls_round_trip_and_one_stays_a_string(fleet: TestFleet) -> None:
    student, _ = fleet.pair()
    one = make_bundle(student)
    assert json.loads(dump(one))["signaling_url"] == "wss://signal.example.nl:8443/ws"
    urls = ("wss://signal-a.example.nl:8443/ws", "wss://signal-b.example.nl:8443/ws")
    several = dataclasses.replace(one, signaling_urls=urls)
    assert json.loads(dump(several))["signaling_url"] == list(urls)
    loaded = load_bundle(dump(several))
    assert loaded.signaling_urls == urls and loaded.signaling_url == urls[0]


def test_ice_urls_accepted_and_normalised() -> None:
    servers = check_ice_servers(
        [
            {"urls": "stun:[2001:db8::1]:3478"},
            {"urls": ["turns:turn.example:443?transport=tcp"]},
            {"urls": ["turn:10.1.2.3"]},  # credentials minted later by the server
        ]
    )
    assert servers[0]["urls"] == ("stun:[2001:db8::1]:3478",)
    assert [set(s) for s in servers] == [{"urls"}] * 3


@pytest.mark.parametrize(
    "entry",
    [
        {"urls": ["turn:a.example"], "username": "u", "credential": "c"},
        {"urls": ["turn:a.example"], "credential": "c"},
        {"urls": ["turns:a.example:443?transport=tcp"], "username": "1:x"},
    ],
)
def test_a_bundle_never_carries_a_turn_credential(entry: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="never carries"):
        check_ice_servers([entry])


@settings(max_examples=200)
@given(st.binary(max_size=2048))
def test_fuzz_bytes_only_ever_raise_bundle_invalid(data: bytes) -> None:
    with pytest.raises(BundleInvalid):
        load_bundle(data)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(sorted(MUTATIONS[k][0] for k in MUTATIONS)), value=JSON)
def test_fuzz_fields_only_ever_raise_bundle_invalid(
    fleet_doc: dict[str, Any], key: str, value: object
) -> None:
    mutated = {**fleet_doc, key: value}
    try:
        loaded = _load(mutated)
    except BundleInvalid:
        return
    # Whatever loads (e.g. an empty ICE list) must be exactly what gets written back.
    assert json.loads(dump(loaded))[key] == value


@pytest.fixture(scope="module")
def fleet_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    student, _ = TestFleet(tmp_path_factory.mktemp("fleet")).pair()
    parsed: dict[str, Any] = json.loads(dump(make_bundle(student)))
    return parsed


def test_an_enrollment_request_is_named_as_such() -> None:
    """Issue 15, item 17: the .csr picked instead of the bundle is not "damaged"."""
    request = create_request(ec.generate_private_key(ec.SECP256R1()), Role.STUDENT)
    with pytest.raises(BundleIsRequest) as refused:
        load_bundle(b"\n" + request)
    assert isinstance(refused.value, BundleInvalid)  # callers that catch that still do
    assert ".csr" in (BundleIsRequest.__doc__ or "")
