"""``configure_turn``: the files it writes, what it refuses, and what bundles then carry."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from pairing.bundle import load_bundle
from pairing.ca import new_key
from pairing.certificates import load_certificate
from pairing.enrollment import create_request
from pairing.errors import (
    FleetNotInitialised,
    PassphraseWrong,
    TurnNotConfigured,
    TurnSettingsInvalid,
)
from pairing.fleet import init_fleet, load_settings, pair
from pairing.roles import Role
from pairing.turnconf import configure_turn, load_options
from pairing.turnrender import allowed_ranges

PASS = "correct horse battery"


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "fleet"
    init_fleet(folder, PASS, server_name="signal.school.nl")
    return folder


def conf_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not line.startswith("#")]


def test_writes_private_files_and_a_complete_conf(data: Path) -> None:
    setup = configure_turn(data, PASS, "turn.school.nl")
    folder = data / "turn"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    names = {p.name for p in folder.iterdir()}
    assert names == {
        "turn-secret", "pseudonym-key", "turn.pem", "turn-key.pem", "turnserver.conf", "turn.json",
    }  # fmt: skip
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    secret = setup.secret.read_text().strip()
    assert len(bytes.fromhex(secret)) == 32
    lines = conf_lines(setup.conf)
    for expected in (
        "use-auth-secret", f"static-auth-secret={secret}", "realm=turn.school.nl",
        "listening-port=3478", "tls-listening-port=443", f"cert={setup.certificate.resolve()}",
        f"pkey={setup.key.resolve()}", "fingerprint", "no-cli", "no-multicast-peers",
        "no-tlsv1", "no-tlsv1_1", "user-quota=12", "total-quota=1200",
        "denied-peer-ip=127.0.0.0-127.255.255.255", "denied-peer-ip=::1",
        "denied-peer-ip=10.0.0.0-10.255.255.255", "denied-peer-ip=100.64.0.0-100.127.255.255",
        "denied-peer-ip=169.254.0.0-169.254.255.255", "denied-peer-ip=172.16.0.0-172.31.255.255",
        "denied-peer-ip=192.168.0.0-192.168.255.255", "denied-peer-ip=0.0.0.0-0.255.255.255",
        "denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "denied-peer-ip=fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "syslog",
    ):  # fmt: skip
        assert expected in lines, expected
    assert "denied-peer-ip=::" not in lines  # coturn 4.6 would then refuse every IPv4 peer
    assert any(line.startswith("bps-capacity=") for line in lines)
    assert not any(
        line.startswith(("verbose", "allowed-peer-ip", "listening-ip")) for line in lines
    )


def test_fleet_json_gets_the_four_urls_and_new_bundles_carry_them(
    data: Path, tmp_path: Path
) -> None:
    setup = configure_turn(data, PASS, "turn.school.nl", udp_port=3479, tls_port=5349)
    urls = [
        "stun:turn.school.nl:3479",
        "turn:turn.school.nl:3479?transport=udp",
        "turn:turn.school.nl:3479?transport=tcp",
        "turns:turn.school.nl:5349?transport=tcp",
    ]
    assert list(setup.ice_urls) == urls
    assert json.loads((data / "fleet.json").read_text())["ice_servers"] == [{"urls": urls}]
    assert load_settings(data).server_name == "signal.school.nl"  # the rest is kept
    student, classroom = (create_request(new_key(), role) for role in Role)
    until = dt.date.today() + dt.timedelta(days=30)
    result = pair(data, PASS, student, classroom, until=until, out_dir=tmp_path / "out")
    bundle = load_bundle(result.student_bundle.read_bytes())
    assert [dict(s) for s in bundle.ice_servers] == [{"urls": tuple(urls)}]
    assert setup.secret.read_text().strip() not in result.student_bundle.read_text()


def test_the_conf_can_name_the_certificate_where_coturn_will_find_it(data: Path) -> None:
    setup = configure_turn(data, PASS, "turn.school.nl", cert_dir=Path("/etc/coturn"))
    lines = conf_lines(setup.conf)
    assert "cert=/etc/coturn/turn.pem" in lines and "pkey=/etc/coturn/turn-key.pem" in lines
    assert setup.certificate == data / "turn" / "turn.pem"  # written in the fleet folder
    with pytest.raises(TurnSettingsInvalid):
        configure_turn(data, PASS, "turn.school.nl", cert_dir=Path("relative"))


def test_ipv6_host_urls_are_bracketed(data: Path) -> None:
    setup = configure_turn(data, PASS, "2001:db8::5")
    assert setup.ice_urls[0] == "stun:[2001:db8::5]:3478"


@pytest.mark.parametrize(
    ("host", "san"),
    [
        ("turn.school.nl", x509.DNSName("turn.school.nl")),
        ("198.18.0.1", x509.IPAddress(ipaddress.ip_address("198.18.0.1"))),
    ],
)
def test_the_tls_certificate_names_the_host_and_is_a_server_cert(
    data: Path, host: str, san: x509.GeneralName
) -> None:
    setup = configure_turn(data, PASS, host)
    cert = load_certificate(setup.certificate.read_bytes())
    ca = load_certificate((data / "ca.pem").read_bytes())
    cert.verify_directly_issued_by(ca)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert list(names) == [san]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_a_second_run_keeps_the_secrets_and_renews_the_certificate(data: Path) -> None:
    first = configure_turn(data, PASS, "turn.school.nl")
    before = tree(data / "turn")
    second = configure_turn(data, PASS, "turn2.school.nl", realm="school.nl")
    after = tree(data / "turn")
    assert first.secret_created and not second.secret_created
    assert after["turn-secret"] == before["turn-secret"]
    assert after["pseudonym-key"] == before["pseudonym-key"]
    assert (
        after["turn.pem"] != before["turn.pem"] and after["turn-key.pem"] != before["turn-key.pem"]
    )
    assert load_options(data).host == "turn2.school.nl"
    assert "realm=school.nl" in conf_lines(second.conf)


def _ranges(lines: list[str], key: str) -> list[tuple[int, int]]:
    out = []
    for line in lines:
        if line.startswith(key + "="):
            first, _, last = line.split("=", 1)[1].partition("-")
            out.append((int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last or first))))
    return out


def _covers(ranges: list[tuple[int, int]], address: str) -> bool:
    return any(lo <= int(ipaddress.ip_address(address)) <= hi for lo, hi in ranges)


def test_lab_settings_allow_the_lab_and_relay_to_relay_but_never_the_core(data: Path) -> None:
    setup = configure_turn(
        data, PASS, "198.18.0.20", listen_ips=["198.18.0.20"], relay_ip="198.18.0.20",
        allowed_peer_ranges=["198.18.0.0/15"], denied_peer_ranges=["198.18.0.0/24"],
    )  # fmt: skip
    lines = conf_lines(setup.conf)
    assert {"listening-ip=198.18.0.20", "relay-ip=198.18.0.20"} <= set(lines)
    allowed, denied = _ranges(lines, "allowed-peer-ip"), _ranges(lines, "denied-peer-ip")
    # coturn: an allowed address beats a denied one, so the core is cut out of allowed,
    # except the relay address itself: two devices that reach the relay only over
    # TCP/TLS are connected relay to relay.
    assert _covers(denied, "198.18.0.10") and not _covers(allowed, "198.18.0.10")
    assert _covers(allowed, "198.18.0.20")
    assert _covers(allowed, "198.18.1.2") and _covers(allowed, "198.19.255.254")
    total = sum(hi - lo + 1 for lo, hi in set(allowed))
    assert total == 2**17 - 256 + 1  # the /15 but the core /24, plus the relay address
    assert load_options(data).denied_peer_ranges == ("198.18.0.0/24",)


def test_an_address_coturn_only_listens_on_is_never_a_peer(data: Path) -> None:
    setup = configure_turn(
        data, PASS, "198.18.0.20", listen_ips=["198.18.0.20", "198.18.0.21"],
        relay_ip="198.18.0.20", allowed_peer_ranges=["198.18.0.0/15"],
    )  # fmt: skip
    lines = conf_lines(setup.conf)
    assert "denied-peer-ip=198.18.0.21" in lines
    assert not _covers(_ranges(lines, "allowed-peer-ip"), "198.18.0.21")


def test_a_bad_denied_range_changes_nothing(data: Path) -> None:
    before = tree(data)
    with pytest.raises(TurnSettingsInvalid):
        configure_turn(data, PASS, "turn.school.nl", denied_peer_ranges=["198.18.0.1/15"])
    assert tree(data) == before


def test_allowed_ranges_ignore_addresses_of_another_family() -> None:
    nets = [ipaddress.ip_network("198.18.0.0/15")]
    assert allowed_ranges(nets, ["2001:db8::1"]) == nets


@pytest.mark.parametrize(
    "kwargs",
    [
        {"host": "not a host"},
        {"host": ""},
        {"host": "turn.school.nl", "udp_port": 0},
        {"host": "turn.school.nl", "tls_port": 70000},
        {"host": "turn.school.nl", "tls_port": 3478},
        {"host": "turn.school.nl", "realm": "bad realm"},
        {"host": "turn.school.nl", "listen_ips": ["not-an-ip"]},
        {"host": "turn.school.nl", "listen_ips": ["0.0.0.0"]},
        {"host": "turn.school.nl", "relay_ip": "300.1.1.1"},
        {"host": "turn.school.nl", "allowed_peer_ranges": ["198.18.0.0/33"]},
        {"host": "turn.school.nl", "allowed_peer_ranges": ["198.18.0.1/15"]},  # host bits set
        {"host": "turn.school.nl", "allowed_peer_ranges": ["0.0.0.0/0"]},
        {"host": "turn.school.nl", "allowed_peer_ranges": ["127.0.0.0/8"]},
        {"host": "turn.school.nl", "allowed_peer_ranges": ["169.254.169.254/32"]},
        {"host": "turn.school.nl", "user_quota": 0},
        {"host": "turn.school.nl", "bps_capacity": 10},
        {"host": "turn.school.nl", "relay_ports": (3000, 4000)},  # holds 3478
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(data: Path, kwargs: dict[str, object]) -> None:
    configure_turn(data, PASS, "turn.school.nl")
    before = tree(data)
    with pytest.raises(TurnSettingsInvalid) as caught:
        configure_turn(data, PASS, **kwargs)  # type: ignore[arg-type]
    assert tree(data) == before
    assert str(caught.value).startswith("De instellingen voor de TURN-server kloppen niet")


def test_a_wrong_passphrase_writes_nothing(data: Path) -> None:
    before = tree(data)
    with pytest.raises(PassphraseWrong):
        configure_turn(data, "wrong passphrase", "turn.school.nl")
    assert tree(data) == before and not (data / "turn").exists()


def test_no_fleet_no_turn(tmp_path: Path) -> None:
    with pytest.raises(FleetNotInitialised):
        configure_turn(tmp_path, PASS, "turn.school.nl")
    with pytest.raises(TurnNotConfigured):
        load_options(tmp_path)
    assert list(tmp_path.iterdir()) == []
