"""A real coturn on loopback for tests: TURN REST secret, UDP/TCP and TLS ports.

The relay's TLS certificate is issued by the test fleet's CA for 127.0.0.1, as
``fleet turn`` issues one for the TURN host name. ``allow-loopback-peers`` is set
here only: the product's configuration denies loopback peers (pairing.turnconf).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common.paths import write_private_file
from pairing.ca import CertifiedKey, issue_server_certificate, plain_key_pem
from pairing.certificates import certificate_pem

REALM = "klasgenoot.test"


@dataclass(frozen=True, slots=True)
class Login:
    username: str
    password: str
    expires_at: float


@dataclass(frozen=True)
class Coturn:
    port: int  # UDP and TCP
    tls_port: int
    secret: bytes

    def urls(self, host: str = "127.0.0.1") -> dict[str, str]:
        return {
            "udp": f"turn:{host}:{self.port}?transport=udp",
            "tcp": f"turn:{host}:{self.port}?transport=tcp",
            "tls": f"turns:{host}:{self.tls_port}?transport=tcp",
        }

    def login(self, lifetime: float = 600.0, *, secret: bytes | None = None) -> Login:
        """A TURN REST credential (coturn use-auth-secret), as the server mints them."""
        expires = time.time() + lifetime
        username = f"{int(expires)}:test"
        digest = hmac.new(secret or self.secret, username.encode(), hashlib.sha1).digest()
        return Login(username, base64.b64encode(digest).decode(), expires)


def free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port")


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


@contextlib.contextmanager
def running_coturn(folder: Path, ca: CertifiedKey) -> Iterator[Coturn]:
    binary = shutil.which("turnserver")
    if binary is None:
        raise RuntimeError("coturn is not installed (./dev setup installs it)")
    server = issue_server_certificate(ca, "127.0.0.1")
    (folder / "turn.pem").write_bytes(certificate_pem(server.certificate))
    write_private_file(folder / "turn-key.pem", plain_key_pem(server.key))
    turn = Coturn(free_port(), free_port(), secrets.token_bytes(32))
    config = f"""
listening-ip=127.0.0.1
relay-ip=127.0.0.1
listening-port={turn.port}
tls-listening-port={turn.tls_port}
min-port=50000
max-port=59999
use-auth-secret
static-auth-secret={turn.secret.hex()}
realm={REALM}
fingerprint
no-cli
no-dtls
no-tlsv1
no-tlsv1_1
no-multicast-peers
allow-loopback-peers
cert={folder / "turn.pem"}
pkey={folder / "turn-key.pem"}
pidfile={folder / "turnserver.pid"}
log-file={folder / "turnserver.log"}
simple-log
"""
    (folder / "turnserver.conf").write_text(config)
    process = subprocess.Popen(
        [binary, "-c", str(folder / "turnserver.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not (_listening(turn.port) and _listening(turn.tls_port)):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("coturn did not start")
            time.sleep(0.05)
        # coturn takes the hex text of the secret as the key itself
        yield Coturn(turn.port, turn.tls_port, turn.secret.hex().encode())
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
