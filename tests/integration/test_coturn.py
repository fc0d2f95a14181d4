"""The configuration ``fleet turn`` writes, run by the real coturn on 127.0.0.1.

aioice allocates with credentials minted the way the signaling server mints them:
over UDP, TCP and TLS (checked against the fleet CA only). Expired and forged
credentials, a TLS client trusting the system store, and relaying to loopback are
all refused, and so are relay targets on loopback, private ranges and the relay
itself. coturn always gets killed, whatever the test did.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aioice.stun import TransactionFailed
from aioice.turn import TurnClientUdpProtocol, create_turn_endpoint

from pairing.fleet import init_fleet
from pairing.turnconf import TurnSetup, configure_turn
from signaling.turn import TurnCredential, mint

# No skip when coturn is missing: ./dev installs it (APT_TEST), so its absence is a failure.
TURNSERVER = shutil.which("turnserver") or "turnserver"

PASS = "correct horse battery"
PSEUDONYM = "ebl5riwkb7nvhpyj"


@dataclass
class Relay:
    setup: TurnSetup
    secret: bytes
    log: Path
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Terminate coturn (again is fine); kill it if it does not go."""
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    @property
    def udp(self) -> tuple[str, int]:
        return ("127.0.0.1", self.setup.options.udp_port)

    @property
    def tls(self) -> tuple[str, int]:
        return ("127.0.0.1", self.setup.options.tls_port)

    def credential(self, *, age: float = 0.0, secret: bytes | None = None) -> TurnCredential:
        return mint(secret or self.secret, PSEUDONYM, now=time.time() - age, lifetime=600)

    def fleet_ca_context(self) -> ssl.SSLContext:
        """Trusts the fleet CA and nothing else (no system store)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile=self.setup.conf.parent.parent / "ca.pem")
        return ctx


def free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (coturn listens on both)."""
    while True:
        with socket.socket() as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "coturn exited at start"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise AssertionError("coturn did not start listening")


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    fleet = tmp_path / "fleet"
    init_fleet(fleet, PASS, server_name="127.0.0.1")
    udp, tls = free_port(), free_port()
    setup = configure_turn(
        fleet, PASS, "127.0.0.1", udp_port=udp, tls_port=tls, listen_ips=["127.0.0.1"],
        allowed_peer_ranges=["198.18.0.0/16"], relay_ports=(20000, 20999),  # below ephemeral
    )  # fmt: skip
    # Test only: coturn refuses loopback peers on its own unless allowed. Allowing them
    # here shows that our denied-peer-ip lines keep loopback closed even then.
    conf = tmp_path / "turnserver.conf"
    # (coturn will not allow loopback peers without a CLI password, even with no-cli.)
    # Also test only: the log goes to a file the test reads, not to syslog.
    text = setup.conf.read_text().replace("\nsyslog\n", "\n")
    conf.write_text(text + "allow-loopback-peers\ncli-password=unused-x9\n")
    log = tmp_path / "coturn.log"
    proc = subprocess.Popen(
        [TURNSERVER, "-c", str(conf), "--log-file", str(log), "--no-stdout-log",
         "--simple-log", "--pidfile", str(tmp_path / "coturn.pid"), "-b", str(tmp_path / "db")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    running = Relay(setup, setup.secret.read_text().strip().encode(), log, proc)
    try:
        wait_listening(udp, proc)
        wait_listening(tls, proc)
        yield running
    finally:
        running.stop()


class Receiver(asyncio.DatagramProtocol):
    pass


async def allocate(
    relay: Relay, cred: TurnCredential, transport: str, tls: bool = False, **kw: object
) -> tuple[asyncio.DatagramTransport, Receiver]:
    return await asyncio.wait_for(
        create_turn_endpoint(
            Receiver,
            relay.tls if tls else relay.udp,
            cred.username,
            cred.password,
            transport=transport,
            ssl=kw.get("ssl", relay.fleet_ca_context() if tls else None),  # type: ignore[arg-type]
        ),
        5.0,
    )


@pytest.mark.parametrize(("transport", "tls"), [("udp", False), ("tcp", False), ("tcp", True)])
async def test_a_minted_credential_gets_a_relayed_address(
    relay: Relay, transport: str, tls: bool
) -> None:
    endpoint, _ = await allocate(relay, relay.credential(), transport, tls)
    try:
        host, port = endpoint.get_extra_info("sockname")
        assert host == "127.0.0.1" and 20000 <= port <= 20999
    finally:
        endpoint.close()


@pytest.mark.parametrize("transport", ["udp", "tcp"])
async def test_an_expired_credential_is_refused(relay: Relay, transport: str) -> None:
    with pytest.raises(TransactionFailed) as caught:
        await allocate(relay, relay.credential(age=700), transport)
    assert caught.value.response.attributes["ERROR-CODE"][0] == 401


async def test_a_forged_credential_is_refused(relay: Relay) -> None:
    forged = relay.credential(secret=b"0" * 64)
    with pytest.raises(TransactionFailed) as caught:
        await allocate(relay, forged, "udp")
    assert caught.value.response.attributes["ERROR-CODE"][0] == 401


async def test_tls_checked_against_the_system_store_fails(relay: Relay) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        await allocate(relay, relay.credential(), "tcp", True, ssl=ssl.create_default_context())


async def channel_bind(relay: Relay, peer: str) -> int | None:
    """Ask coturn for a channel to ``peer``; None when granted, else its error code.

    A ChannelBind (which installs the permission) sends nothing to the peer: coturn
    only answers us on 127.0.0.1, so no packet ever leaves for these addresses.
    """
    cred = relay.credential()
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: TurnClientUdpProtocol(relay.udp, cred.username, cred.password, 600, 300),
        remote_addr=relay.udp,
    )
    try:
        await asyncio.wait_for(protocol.connect(), 5.0)
        try:
            await asyncio.wait_for(protocol.channel_bind(0x4000, (peer, 9)), 5.0)
        except TransactionFailed as exc:
            return int(exc.response.attributes["ERROR-CODE"][0])
        return None
    finally:
        transport.close()


@pytest.mark.parametrize(
    "peer",
    [
        "127.0.0.1",  # loopback, and the relay's own listening address
        "127.0.0.2",
        "10.1.2.3",
        "100.64.0.1",
        "169.254.169.254",
        "172.16.0.1",
        "192.168.1.1",
        "0.1.2.3",
    ],
)
async def test_the_relay_refuses_loopback_private_and_its_own_addresses(
    relay: Relay, peer: str
) -> None:
    assert await channel_bind(relay, peer) == 403


@pytest.mark.parametrize("peer", ["198.18.0.5", "198.19.0.5"])
async def test_other_ipv4_peers_are_not_refused(relay: Relay, peer: str) -> None:
    # 198.18.0.0/16 is allowed explicitly; 198.19.0.5 is neither allowed nor denied,
    # so granting it shows the deny list does not shut out IPv4 as a whole.
    assert await channel_bind(relay, peer) is None


async def test_coturn_logs_no_session_details(relay: Relay) -> None:
    cred = relay.credential()
    endpoint, _ = await allocate(relay, cred, "udp")
    endpoint.close()
    await asyncio.sleep(0.5)
    relay.stop()  # coturn's log is complete once it has exited
    text = relay.log.read_text()
    assert "SQLite DB connection success" in text  # the log file is really written
    # Without 'verbose' coturn 4.6 writes no per-session lines, so neither usernames
    # (pseudonyms) nor client addresses; never the password or the secret.
    assert "session 0" not in text and PSEUDONYM not in text
    assert cred.password not in text and relay.secret.decode() not in text
