"""Sealed offer/answer: round trip, nothing readable on the wire, every refusal."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import re
from typing import Any

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from media import sealing
from media.errors import SessionDescriptionInvalid
from media.sealing import OpenedSdp, new_nonce, open_sealed, seal
from pairing.ca import new_key
from pairing.credentials import DeviceCredentials
from pairing.errors import PeerUntrusted
from pairing.revocation import RevocationList
from pairing.roles import Role
from tests.support.pki import TestFleet, self_signed_device

IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


async def _real_offer() -> str:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        pc.addTransceiver("video")
        pc.addTransceiver("audio")
        await pc.setLocalDescription(await pc.createOffer())
        return str(pc.localDescription.sdp)
    finally:
        await pc.close()


@pytest.fixture(scope="module")
def sdp() -> str:
    text = asyncio.run(_real_offer())
    assert "a=candidate" in text  # a real offer, with host addresses to hide
    return text


@pytest.fixture
def pair(fleet: TestFleet) -> tuple[DeviceCredentials, DeviceCredentials]:
    return fleet.pair()


def _offer(
    sdp: str, sender: DeviceCredentials, recipient: DeviceCredentials, nonces: tuple[bytes, bytes]
) -> dict[str, object]:
    return seal(
        sdp,
        "offer",
        own=sender,
        peer_certificate=recipient.certificate,
        own_nonce=nonces[0],
        peer_nonce=nonces[1],
    )


def _open(
    blob: object,
    own: DeviceCredentials,
    nonces: tuple[bytes, bytes | None],
    *,
    kind: sealing.Kind = "offer",
    crl: RevocationList | None = None,
) -> OpenedSdp:
    """Open as the recipient: ``nonces`` = (the recipient's own, the sender's)."""
    return open_sealed(
        blob, own=own, expected_kind=kind, own_nonce=nonces[0], peer_nonce=nonces[1], crl=crl
    )


def _flip(text: str) -> str:
    """Change one base64url character in the middle, keeping the encoding valid."""
    data = bytearray(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    data[len(data) // 2] ^= 0x01
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode()


def test_offer_and_answer_round_trip(sdp: str, pair: Any) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = json.loads(json.dumps(_offer(sdp, student, classroom, (s_nonce, c_nonce))))
    opened = _open(blob, classroom, (c_nonce, s_nonce))
    assert opened.sdp == sdp
    assert opened.peer.device_id == student.device_id and opened.peer.role is Role.STUDENT
    assert opened.peer_nonce == s_nonce
    answer = seal(
        sdp,
        "answer",
        own=classroom,
        peer_certificate=opened.peer_certificate,
        own_nonce=c_nonce,
        peer_nonce=opened.peer_nonce,
    )
    back = _open(answer, student, (s_nonce, c_nonce), kind="answer")
    assert back.sdp == sdp and back.peer.device_id == classroom.device_id


def test_offer_before_the_peer_nonce_is_known(sdp: str, pair: Any) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = seal(
        sdp,
        "offer",
        own=student,
        peer_certificate=classroom.certificate,
        own_nonce=s_nonce,
        peer_nonce=None,
    )
    assert _open(blob, classroom, (None, None)).peer_nonce == s_nonce
    with pytest.raises(PeerUntrusted):  # the recipient announced a nonce: must be bound
        _open(blob, classroom, (c_nonce, None))


def test_an_answer_must_be_bound_to_the_offer(sdp: str, pair: Any) -> None:
    student, classroom = pair
    with pytest.raises(ValueError, match="nonce"):
        seal(
            sdp,
            "answer",
            own=classroom,
            peer_certificate=student.certificate,
            own_nonce=new_nonce(),
            peer_nonce=None,
        )


def test_the_relay_sees_no_sdp_and_no_address(sdp: str, pair: Any) -> None:
    student, classroom = pair
    wire = json.dumps(_offer(sdp, student, classroom, (new_nonce(), new_nonce())))
    addresses = {line.split()[4] for line in sdp.splitlines() if line.startswith("a=candidate")}
    assert addresses
    assert "v=0" not in wire and "a=candidate" not in wire and "IN IP" not in wire
    assert not IPV4.search(wire)
    assert not any(address in wire for address in addresses)
    assert len(wire) < sealing.MAX_BLOB


def test_own_sdp_is_checked_before_sealing(pair: Any) -> None:
    student, classroom = pair
    for bad in ("not an sdp", "v=0\r\n" + "a" * sealing.MAX_SDP):
        with pytest.raises(SessionDescriptionInvalid):
            _offer(bad, student, classroom, (new_nonce(), new_nonce()))


@pytest.mark.parametrize("field", ["ciphertext", "iv", "signature", "ephemeral_key", "nonce"])
def test_tampering_is_refused(sdp: str, pair: Any, field: str) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    blob[field] = _flip(str(blob[field]))
    expected_sender_nonce = None if field == "nonce" else s_nonce  # else the nonce check fires
    with pytest.raises(PeerUntrusted):
        _open(blob, classroom, (c_nonce, expected_sender_nonce))


def test_role_field_must_match_the_certificate(sdp: str, pair: Any) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    blob["role"] = "classroom"
    with pytest.raises(PeerUntrusted, match="role"):
        _open(blob, classroom, (c_nonce, s_nonce))


def test_a_stolen_certificate_without_the_key_is_refused(sdp: str, pair: Any) -> None:
    """The server has the student's certificate (from TLS) but not its key."""
    student, classroom = pair
    impostor = DeviceCredentials(
        new_key(), student.certificate, student.ca_certificate, student.info
    )
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = _offer(sdp, impostor, classroom, (s_nonce, c_nonce))
    with pytest.raises(PeerUntrusted, match="signature"):
        _open(blob, classroom, (c_nonce, s_nonce))


def _sealed_by(sender: DeviceCredentials, recipient: DeviceCredentials, sdp: str) -> Any:
    """What a misbehaving sender produces: sealed without checking the recipient."""
    nonces = (new_nonce(), new_nonce())
    return sealing._seal_to(sdp, "offer", sender, recipient.certificate, nonces), nonces


def test_a_swapped_certificate_is_refused(sdp: str, fleet: TestFleet, pair: Any) -> None:
    """Signed with the real student key, but another device's certificate attached."""
    student, classroom = pair
    other_student, _ = fleet.pair()
    swapped = DeviceCredentials(
        student.key, other_student.certificate, student.ca_certificate, other_student.info
    )
    blob, (s_nonce, c_nonce) = _sealed_by(swapped, classroom, sdp)
    with pytest.raises(PeerUntrusted):
        _open(blob, classroom, (c_nonce, s_nonce))
    blob["certificate"] = _offer(sdp, student, classroom, (s_nonce, c_nonce))["certificate"]
    with pytest.raises(PeerUntrusted):  # the right certificate cannot rescue it either
        _open(blob, classroom, (c_nonce, s_nonce))


def test_a_peer_of_another_pairing_is_refused(sdp: str, fleet: TestFleet, pair: Any) -> None:
    _, classroom = pair
    stranger, _ = fleet.pair()
    blob, (s_nonce, c_nonce) = _sealed_by(stranger, classroom, sdp)
    with pytest.raises(PeerUntrusted, match="another pairing"):
        _open(blob, classroom, (c_nonce, s_nonce))


def test_a_revoked_peer_is_refused(sdp: str, fleet: TestFleet, pair: Any) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    assert _open(blob, classroom, (c_nonce, s_nonce), crl=fleet.revoke()).sdp == sdp
    crl = fleet.revoke(student.info.serial)
    with pytest.raises(PeerUntrusted, match="revoked"):
        _open(blob, classroom, (c_nonce, s_nonce), crl=crl)
    with pytest.raises(PeerUntrusted, match="revoked"):  # and nothing is sealed to one
        seal(
            sdp,
            "answer",
            own=classroom,
            peer_certificate=student.certificate,
            own_nonce=c_nonce,
            peer_nonce=s_nonce,
            crl=crl,
        )


def test_a_self_signed_peer_is_refused(sdp: str, pair: Any) -> None:
    student, classroom = pair
    fake = self_signed_device(student)
    blob, (s_nonce, c_nonce) = _sealed_by(fake, classroom, sdp)
    with pytest.raises(PeerUntrusted, match="signature"):
        _open(blob, classroom, (c_nonce, s_nonce))


def test_an_expired_peer_is_refused(sdp: str, fleet: TestFleet) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    student, classroom = fleet.pair(now=past, days=1)
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = seal(
        sdp,
        "offer",
        own=student,
        peer_certificate=classroom.certificate,
        own_nonce=s_nonce,
        peer_nonce=c_nonce,
        now=past + dt.timedelta(hours=1),
    )
    with pytest.raises(PeerUntrusted, match="validity"):
        _open(blob, classroom, (c_nonce, s_nonce))


def test_the_same_role_is_refused(sdp: str, fleet: TestFleet, pair: Any) -> None:
    _, classroom = pair
    _, other_classroom = fleet.pair(pairing_id=classroom.info.pairing_id)
    blob, (s_nonce, c_nonce) = _sealed_by(other_classroom, classroom, sdp)
    with pytest.raises(PeerUntrusted, match="same role"):
        _open(blob, classroom, (c_nonce, s_nonce))


def test_a_valid_peer_that_is_not_pinned_is_refused(sdp: str, fleet: TestFleet) -> None:
    """Same pairing, right role, but not the DeviceId this classroom pinned."""
    student, classroom = fleet.pair()
    rogue, _ = fleet.pair(pairing_id=classroom.info.pairing_id)
    blob, (s_nonce, c_nonce) = _sealed_by(rogue, classroom, sdp)
    with pytest.raises(PeerUntrusted, match="name each other"):
        _open(blob, classroom, (c_nonce, s_nonce))
    assert student.device_id != rogue.device_id


def test_the_wrong_kind_is_refused(sdp: str, pair: Any) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    with pytest.raises(PeerUntrusted, match="kind"):
        _open(blob, classroom, (c_nonce, s_nonce), kind="answer")
    blob["kind"] = "answer"  # relabelled: the signature covers the kind
    with pytest.raises(PeerUntrusted, match="signature"):
        _open(blob, classroom, (c_nonce, s_nonce), kind="answer")


def test_a_replay_into_a_new_attempt_is_refused(sdp: str, pair: Any) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    old = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    with pytest.raises(PeerUntrusted, match="nonce"):  # the classroom's new own nonce
        _open(old, classroom, (new_nonce(), s_nonce))
    with pytest.raises(PeerUntrusted, match="nonce"):  # the student announced a new one
        _open(old, classroom, (c_nonce, new_nonce()))
    forged = dict(old, peer_nonce=sealing._b64(c_nonce[::-1]))  # rebinding breaks the signature
    with pytest.raises(PeerUntrusted, match="signature"):
        _open(forged, classroom, (c_nonce[::-1], s_nonce))


def test_a_blob_for_another_recipient_is_refused(sdp: str, fleet: TestFleet, pair: Any) -> None:
    student, classroom = pair
    _, other_classroom = fleet.pair()
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    with pytest.raises(PeerUntrusted):
        _open(blob, other_classroom, (c_nonce, s_nonce))


def test_structure_and_size_are_checked(sdp: str, pair: Any) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    good = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    bad: list[object] = [
        None,
        "text",
        [good],
        {},
        dict(good, extra="x"),
        {k: v for k, v in good.items() if k != "iv"},
        dict(good, version=2),
        dict(good, version=True),
        dict(good, version="1"),
        dict(good, ciphertext=str(good["ciphertext"]) + "A" * (sealing.MAX_BLOB)),
        dict(good, iv=str(good["iv"]) + "="),
        dict(good, iv="!" * 16),
        dict(good, nonce=sealing._b64(b"short")),
        dict(good, peer_nonce=123),
        dict(good, certificate="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        dict(good, role="teacher"),
        dict(good, kind="bye"),
    ]
    for blob in bad:
        with pytest.raises(PeerUntrusted):
            _open(blob, classroom, (c_nonce, s_nonce))
    assert _open(good, classroom, (c_nonce, s_nonce)).sdp == sdp


def test_non_sdp_plaintext_is_refused(pair: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a genuine, signed message must carry an SDP."""
    student, classroom = pair
    nonces = (new_nonce(), new_nonce())
    monkeypatch.setattr(sealing, "_own_sdp_bytes", str.encode)  # a sender that skips its check
    blob = sealing._seal_to("hello", "offer", student, classroom.certificate, nonces)
    with pytest.raises(PeerUntrusted, match="not an SDP"):
        _open(blob, classroom, (nonces[1], nonces[0]))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=_json)
def test_fuzzed_json_only_ever_raises_peer_untrusted(pair: Any, junk: object) -> None:
    _, classroom = pair
    with pytest.raises(PeerUntrusted):
        _open(junk, classroom, (new_nonce(), None))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(sorted(sealing._KEYS)), value=_json)
def test_fuzzed_fields_only_ever_raise_peer_untrusted(
    sdp: str, pair: Any, field: str, value: object
) -> None:
    student, classroom = pair
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    assume(not (type(value) is type(blob[field]) and value == blob[field]))
    blob[field] = value
    with pytest.raises(PeerUntrusted):
        _open(blob, classroom, (c_nonce, s_nonce))


def test_nothing_is_decrypted_before_the_identity_checks_pass(
    sdp: str, fleet: TestFleet, pair: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    student, classroom = pair
    decrypted: list[object] = []
    real_decrypt = sealing._decrypt
    monkeypatch.setattr(sealing, "_decrypt", lambda *a: decrypted.append(a) or real_decrypt(*a))
    s_nonce, c_nonce = new_nonce(), new_nonce()
    blob = _offer(sdp, student, classroom, (s_nonce, c_nonce))
    crl = fleet.revoke(student.info.serial)
    tampered = dict(blob, signature=_flip(str(blob["signature"])))
    for attempt, revocations in ((blob, crl), (tampered, None)):
        with pytest.raises(PeerUntrusted):
            _open(attempt, classroom, (c_nonce, s_nonce), crl=revocations)
    assert decrypted == []
    assert _open(blob, classroom, (c_nonce, s_nonce)).sdp == sdp
    assert len(decrypted) == 1
