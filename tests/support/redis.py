"""A real redis-server for the tests (the demo's own runner, app.demo.servers), and a
signaling instance on it."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.demo.servers import RedisProcess as RedisServer
from signaling.backplane.redisbus import RedisBackplane
from signaling.config import ServerConfig
from signaling.server import RunningServer, start_server
from tests.support.wsdevice import wait_until

__all__ = [
    "FAST",
    "RedisServer",
    "TlsRedis",
    "instance",
    "redis_server",
    "running_redis",
    "tls_files",
]

# Quick heartbeats, closes and CRL polls: the backplane tests wait on all three.
FAST = ServerConfig(heartbeat=5.0, close_timeout=1.0, crl_poll=0.2)


def redis_server(tmp_path: Path) -> RedisServer:
    """Not started yet: call ``start()`` (and ``stop()`` after)."""
    return RedisServer(tmp_path / "redis")


def running_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A started server, stopped after the test. Use as
    ``redis = pytest.fixture(running_redis)``."""
    server = redis_server(tmp_path)
    server.start()
    yield server
    server.stop()


async def instance(
    folder: Path, redis: RedisServer, name: str, config: ServerConfig = FAST
) -> RunningServer:
    """A signaling instance of the fleet in ``folder`` on ``redis``, once it is healthy."""
    backplane = RedisBackplane(redis.url, name)
    running = await start_server(folder, "127.0.0.1", 0, config, backplane=backplane,
                                 health_port=0)  # fmt: skip
    await wait_until(lambda: backplane.healthy)
    return running


class TlsRedis(RedisServer):
    """A redis-server that speaks only TLS (its certificate from a CA of its own, for
    ``names``) and wants ``password``: the deployment of docs/operations.md."""

    def __init__(self, folder: Path, password: str, names: tuple[str, ...] = ("127.0.0.1",)):
        super().__init__(folder)
        self.password = password
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ca, self.cert, self.key = tls_files(self.folder, names)

    @property
    def url_password(self) -> str:
        """The password as the URL carries it (quoted)."""
        return quote(self.password, safe="")

    def tls_url(self, password: str | None = None, host: str = "127.0.0.1", ca: Path | None = None
            ) -> str:  # fmt: skip
        """The instances' URL: with this server's password and CA unless told others."""
        secret = self.url_password if password is None else quote(password, safe="")
        return f"rediss://:{secret}@{host}:{self.port}/0?ssl_ca_certs={ca or self.ca}"

    def command(self) -> list[str]:
        command = ["redis-server", "--port", "0", "--tls-port", str(self.port)]
        command += ["--bind", "127.0.0.1", "--tls-auth-clients", "no"]
        command += ["--tls-cert-file", str(self.cert), "--tls-key-file", str(self.key)]
        command += ["--tls-ca-cert-file", str(self.ca), "--requirepass", self.password]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        return [*command, "--logfile", str(self.folder / "redis.log")]

    def answers(self) -> bool:
        context = ssl.create_default_context(cafile=self.ca)
        context.check_hostname = False  # the readiness probe: the tests check names
        try:
            with (
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as raw,
                context.wrap_socket(raw) as sock,
            ):
                sock.sendall(f"AUTH {self.password}\r\nPING\r\n".encode())
                return b"+PONG" in sock.recv(64)
        except OSError:
            return False


def tls_files(folder: Path, names: tuple[str, ...]) -> tuple[Path, Path, Path]:
    """A CA of its own and a serverAuth certificate for ``names`` (IPs or DNS names):
    ``ca.pem``, ``redis.pem``, ``redis-key.pem`` in ``folder``."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Redis test CA {folder.name}")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = folder / "ca.pem", folder / "redis.pem", folder / "redis-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths[2].chmod(0o600)
    return paths
