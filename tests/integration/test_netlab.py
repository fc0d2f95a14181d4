"""The network lab for real: namespaces, NAT kinds, firewalls, caps, uplinks, coturn.

Needs root, iproute2, iptables and coturn (CI has them); skipped with the lab's own
Dutch reason otherwise. Every flow stays inside the lab's 198.18.0.0/15 namespaces.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import aioice.ice
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import netlab
from netlab import SERVER_IP, TURN_IP, Lab
from netlab.system import list_namespaces
from netlab.topology import new_tag
from tests.support.netlab import (
    close_server,
    count_for,
    pump,
    stun_binding_request,
    tcp_connects,
    tcp_listen,
    udp_ask,
    udp_echo,
    xor_mapped_address,
)

try:
    netlab.check_requirements()
except netlab.LabUnavailable as missing:
    pytest.skip(str(missing), allow_module_level=True)


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with Lab(mobile=("home",)) as built:
        yield built


def _root_links() -> str:
    return subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=False).stdout


def _net_inode(path: str) -> int:
    return os.stat(path).st_ino


def test_teardown_removes_everything_even_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError, match="body failed"), Lab(sites=("home",)) as lab:
        names = {lab.namespace(place) for place in ("internet", "home", "home-nat")}
        assert names <= set(list_namespaces())
        nsloop = lab.loop("home")
        assert nsloop.running()
        raise RuntimeError("body failed")
    assert not [ns for ns in list_namespaces() if lab.tag in ns]
    assert lab.tag not in _root_links()
    assert not nsloop.running()


def test_cleanup_stale_removes_a_dead_runs_namespaces_only() -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    crashed = Lab(sites=("home",), tag=new_tag(dead.pid))
    with Lab(sites=("home",)) as live:
        crashed.__enter__()  # built, never closed: as a run killed with SIGKILL leaves it
        assert crashed.namespace("home") in list_namespaces()
        removed = netlab.cleanup_stale()
        assert sorted(removed) == sorted(crashed.namespaces())
        assert live.namespace("home") in list_namespaces()
    crashed.close()
    assert not [ns for ns in list_namespaces() if crashed.tag in ns or live.tag in ns]


def test_sigterm_tears_the_lab_down(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time, netlab
        with netlab.Lab(sites=("home",)) as lab:
            print(lab.tag, flush=True)
            time.sleep(30)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    tag = child.stdout.readline().strip()
    assert tag and [ns for ns in list_namespaces() if tag in ns]
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=10) == -signal.SIGTERM
    assert not [ns for ns in list_namespaces() if tag in ns]


def test_namespace_loop_and_its_executor_live_in_the_namespace(lab: Lab) -> None:
    ns = lab.namespace("home")
    device_ip = lab.device_ip("home")
    main_before = _net_inode("/proc/thread-self/ns/net")

    def where() -> tuple[int, int]:
        import socket

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((device_ip, 0))  # the device's address exists only in its namespace
            return _net_inode("/proc/thread-self/ns/net"), sock.getsockname()[1]

    async def probe() -> tuple[tuple[int, int], tuple[int, int]]:
        return where(), await asyncio.get_running_loop().run_in_executor(None, where)

    (on_loop, loop_port), (in_executor, executor_port) = lab.loop("home").run(probe(), 5)
    assert on_loop == in_executor == _net_inode(f"/run/netns/{ns}")
    assert loop_port > 0 and executor_port > 0
    assert _net_inode("/proc/thread-self/ns/net") == main_before != on_loop
    with pytest.raises(OSError):  # ...and the calling thread was never moved
        where()


def test_home_nat_shows_the_router_and_keeps_the_port(lab: Lab) -> None:
    internet = lab.loop("internet")
    echo = internet.run(udp_echo(SERVER_IP, 7001), 5)
    try:
        port, replies = lab.loop("home").run(
            udp_ask((lab.device_ip("home"), 0), [(SERVER_IP, 7001)]), 5
        )
    finally:
        internet.call(echo.close)
    seen = replies[(SERVER_IP, 7001)].decode()
    assert seen == f"{lab.public_ip('home')}:{port}"
    assert lab.public_ip("home").startswith("198.18.")
    addresses = lab.exec("home", ["ip", "-4", "-o", "addr"], capture_output=True, text=True)
    assert f" {lab.device_ip('home')}/24 " in addresses.stdout
    assert lab.public_ip("home") not in addresses.stdout  # only the router holds it


def test_cgnat_gives_every_destination_its_own_port(lab: Lab) -> None:
    internet = lab.loop("internet")
    echoes = [internet.run(udp_echo(host, 7002), 5) for host in (SERVER_IP, TURN_IP)]
    try:
        _, replies = lab.loop("cgnat").run(
            udp_ask((lab.device_ip("cgnat"), 0), [(SERVER_IP, 7002), (TURN_IP, 7002)]), 5
        )
    finally:
        for echo in echoes:
            internet.call(echo.close)
    seen = [replies[(host, 7002)].decode().split(":") for host in (SERVER_IP, TURN_IP)]
    assert [ip for ip, _ in seen] == [lab.public_ip("cgnat")] * 2
    assert seen[0][1] != seen[1][1]


def test_hospital_blocks_udp_and_lets_tcp_out(lab: Lab) -> None:
    internet = lab.loop("internet")
    echo = internet.run(udp_echo(TURN_IP, 3478), 5)
    server = internet.run(tcp_listen(TURN_IP, 3478), 5)
    hospital = lab.loop("hospital")
    try:
        _, replies = hospital.run(udp_ask((lab.device_ip("hospital"), 0), [(TURN_IP, 3478)]), 5)
        assert replies == {}
        assert hospital.run(tcp_connects(TURN_IP, 3478), 5)
        # The same UDP question from home is answered: the block is the hospital's.
        _, replies = lab.loop("home").run(udp_ask((lab.device_ip("home"), 0), [(TURN_IP, 3478)]))
        assert list(replies) == [(TURN_IP, 3478)]
    finally:
        internet.call(echo.close)
        internet.run(close_server(server), 5)


def test_school_lets_out_only_tcp_443(lab: Lab) -> None:
    internet = lab.loop("internet")
    servers = [internet.run(tcp_listen(TURN_IP, port), 5) for port in (443, 8443, 3478)]
    echo = internet.run(udp_echo(TURN_IP, 3478), 5)
    school = lab.loop("school")
    try:
        assert school.run(tcp_connects(TURN_IP, 443), 5)
        assert not school.run(tcp_connects(TURN_IP, 8443, wait=0.5), 5)
        assert not school.run(tcp_connects(TURN_IP, 3478, wait=0.5), 5)
        _, replies = school.run(udp_ask((lab.device_ip("school"), 0), [(TURN_IP, 3478)]), 5)
        assert replies == {}
        assert lab.loop("home").run(tcp_connects(TURN_IP, 8443), 5)  # open from elsewhere
    finally:
        internet.call(echo.close)
        for server in servers:
            internet.run(close_server(server), 5)


def _throughput(lab: Lab, seconds: float = 0.8) -> tuple[float, float]:
    """(download, upload) in kbit/s between home's device and SERVER_IP, bulk TCP."""
    internet, home = lab.loop("internet"), lab.loop("home")
    uploaded: asyncio.Future[int] = internet.loop.create_future()

    async def serve_download(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await pump(writer)

    async def serve_upload(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        uploaded.set_result(await count_for(reader, seconds))
        writer.close()

    async def download() -> int:
        reader, writer = await asyncio.open_connection(SERVER_IP, 7101)
        try:
            return await count_for(reader, seconds)
        finally:
            writer.close()

    async def upload() -> None:
        _, writer = await asyncio.open_connection(SERVER_IP, 7102)
        await pump(writer)

    async def wait_uploaded() -> int:
        return await uploaded

    servers = [
        internet.run(tcp_listen(SERVER_IP, 7101, serve_download), 5),
        internet.run(tcp_listen(SERVER_IP, 7102, serve_upload), 5),
    ]
    try:
        down = home.run(download(), 10)
        sending = home.submit(upload())
        up = internet.run(wait_uploaded(), 10)
        sending.cancel()
    finally:
        for server in servers:
            internet.run(close_server(server), 5)
    return down * 8 / 1000 / seconds, up * 8 / 1000 / seconds


def test_cap_limits_a_bulk_transfer_both_ways(lab: Lab) -> None:
    free_down, free_up = _throughput(lab)
    lab.cap("home", 2000)
    try:
        capped_down, capped_up = _throughput(lab)
    finally:
        lab.cap("home", None)
    lifted_down, _ = _throughput(lab)
    for capped in (capped_down, capped_up):
        assert 600 < capped < 3000, (capped_down, capped_up)
    assert min(free_down, free_up, lifted_down) > 20_000, (free_down, free_up, lifted_down)
    with pytest.raises(netlab.BadCap):
        lab.cap("home", 0)


def test_set_uplink_moves_new_flows_to_the_other_address(lab: Lab) -> None:
    internet, home = lab.loop("internet"), lab.loop("home")
    echo = internet.run(udp_echo(SERVER_IP, 7003), 5)
    router = lab.namespace("home-nat")
    old_if = lab.sites["home"].uplink("a").router_if

    def ask() -> str:
        _, replies = home.run(udp_ask((lab.device_ip("home"), 0), [(SERVER_IP, 7003)]), 5)
        return replies[(SERVER_IP, 7003)].decode().split(":")[0]

    try:
        before = ask()
        lab.set_uplink("home", "b")
        after = ask()
        old_state = subprocess.run(
            ["ip", "-n", router, "-o", "link", "show", old_if],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        lab.set_uplink("home", "a")
        again = ask()
    finally:
        internet.call(echo.close)
        lab.set_uplink("home", "a")
    assert before == again == "198.18.1.2"
    assert after == lab.sites["home"].uplink("b").public_ip == "198.18.101.2"
    assert "state DOWN" in old_state
    with pytest.raises(netlab.UnknownPlace):
        lab.set_uplink("home", "c")
    assert lab.active_uplink("home") == "a"


def _addresses(lab: Lab, place: str) -> dict[str, str]:
    """Interface → its IPv4 address, and interface → "DOWN"/"UP" under "link:<name>"."""
    ns = lab.namespace(place)
    out = subprocess.run(
        ["ip", "-n", ns, "-o", "-4", "addr"], capture_output=True, text=True, check=False
    ).stdout
    found = {line.split()[1]: line.split()[3].split("/")[0] for line in out.splitlines()}
    links = subprocess.run(
        ["ip", "-n", ns, "-o", "link"], capture_output=True, text=True, check=False
    ).stdout
    for line in links.splitlines():
        name = line.split()[1].split("@")[0].rstrip(":")
        found[f"link:{name}"] = "DOWN" if "state DOWN" in line else "UP"
    return found


def test_set_device_link_moves_the_laptop_itself_to_4g_and_back(lab: Lab) -> None:
    """The laptop loses its Wi-Fi: the interface goes down and its address with it
    (what the engine watches), and new flows leave by the 4G carrier's public address."""
    internet, home = lab.loop("internet"), lab.loop("home")
    echo = internet.run(udp_echo(SERVER_IP, 7005), 5)
    wifi_if = lab.sites["home"].lan_device_if
    lte = lab.mobile["home"].link

    def ask() -> str:
        _, replies = home.run(udp_ask((lab.device_ip("home"), 0), [(SERVER_IP, 7005)]), 5)
        return replies[(SERVER_IP, 7005)].decode().split(":")[0]

    async def host_addresses() -> set[str]:
        return set(aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False))

    def seen_by_ice() -> set[str]:
        return home.run(host_addresses(), 5)  # on the thread that sits in `home`

    try:
        before, ice_before = ask(), seen_by_ice()
        lab.set_device_link("home", "4g")
        on_4g, ice_4g, links_4g = ask(), seen_by_ice(), _addresses(lab, "home")
        lab.set_device_link("home", "wifi")
        again, ice_again, links_again = ask(), seen_by_ice(), _addresses(lab, "home")
    finally:
        internet.call(echo.close)
        lab.set_device_link("home", "wifi")
    assert before == again == "198.18.1.2"
    assert on_4g == lab.mobile["home"].uplink.public_ip == "198.18.201.2"
    assert ice_before == ice_again == {"198.19.1.2"}
    assert ice_4g == {lte.device_ip} == {"198.19.101.2"}
    assert wifi_if not in links_4g and links_4g[f"link:{wifi_if}"] == "DOWN"
    assert lte.device_if not in links_again and links_again[f"link:{lte.device_if}"] == "DOWN"
    with pytest.raises(netlab.UnknownPlace):
        lab.set_device_link("home", "lte")
    with pytest.raises(netlab.UnknownPlace):
        lab.set_device_link("school", "4g")  # built without a 4G link
    assert lab.device_link("home") == "wifi"
    assert lab.leaks() == 0


def test_blackhole_cuts_live_flows_until_lifted(lab: Lab) -> None:
    internet, home = lab.loop("internet"), lab.loop("home")
    echo = internet.run(udp_echo(SERVER_IP, 7004), 5)

    async def ask_three_times(transport_local: tuple[str, int]) -> list[bool]:
        # One socket throughout: the flow (and its NAT mapping) outlives the outage.
        loop = asyncio.get_running_loop()
        replies: asyncio.Queue[bytes] = asyncio.Queue()

        class Proto(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                replies.put_nowait(data)

        transport, _ = await loop.create_datagram_endpoint(Proto, local_addr=transport_local)
        answered = []
        try:
            for on in (False, True, False):
                await loop.run_in_executor(None, lab.blackhole, "home", on)
                transport.sendto(b"?", (SERVER_IP, 7004))
                try:
                    async with asyncio.timeout(0.5):
                        await replies.get()
                    answered.append(True)
                except TimeoutError:
                    answered.append(False)
        finally:
            transport.close()
            lab.blackhole("home", False)
        return answered

    try:
        assert home.run(ask_three_times((lab.device_ip("home"), 0)), 10) == [True, False, True]
    finally:
        internet.call(echo.close)


def _turn_config(folder: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "turn.lab.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "turn.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "turn.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "turn.key").chmod(0o600)
    config = folder / "turnserver.conf"
    config.write_text(
        textwrap.dedent(
            f"""\
            listening-ip={TURN_IP}
            relay-ip={TURN_IP}
            listening-port=3478
            tls-listening-port=443
            use-auth-secret
            static-auth-secret=only-for-this-test
            realm=lab.test
            cert={folder / "turn.crt"}
            pkey={folder / "turn.key"}
            fingerprint
            no-cli
            no-multicast-peers
            log-file=stdout
            """
        )
    )
    return config


def test_coturn_listens_answers_and_is_gone_after_close(tmp_path: Path) -> None:
    with Lab(sites=("home",)) as lab:
        lab.start_coturn(_turn_config(tmp_path))
        pid = lab.coturn_pid()
        assert pid is not None
        where = subprocess.run(
            ["ip", "netns", "identify", str(pid)], capture_output=True, text=True, check=False
        )
        assert where.stdout.split() == [lab.namespace("internet")]
        request, transaction = stun_binding_request()
        _, replies = lab.loop("home").run(
            udp_ask((lab.device_ip("home"), 0), [(TURN_IP, 3478)], request), 5
        )
        mapped = xor_mapped_address(replies[(TURN_IP, 3478)], transaction)
        assert mapped is not None and mapped[0] == lab.public_ip("home")
        assert lab.loop("home").run(tcp_connects(TURN_IP, 443), 5)
    # close() has stopped and reaped it: the pid is gone now, not eventually.
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not [ns for ns in list_namespaces() if lab.tag in ns]


def test_every_namespace_guards_and_nothing_left_the_lab(lab: Lab) -> None:
    for ns in lab.namespaces():
        rules = subprocess.run(
            ["ip", "netns", "exec", ns, "iptables", "-S"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        assert "-A OUTPUT -j KGLEAK" in rules and "-A FORWARD -j KGLEAK" in rules, ns
        assert "-A KGLEAK -d 198.18.0.0/15 -j RETURN" in rules and "-A KGLEAK -j DROP" in rules
        routes = subprocess.run(
            ["ip", "-n", ns, "route", "show", "default"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        assert all(" via 198.1" in line for line in routes.splitlines()), (ns, routes)
    assert lab.leaks() == 0
