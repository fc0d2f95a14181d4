"""TLS contexts: the server's (client certificate required) and a device's.

Both trust only the fleet CA and speak TLS 1.3 or newer. A device's private key
lives in the OS keyring and must never reach a disk in clear, yet ``ssl`` loads keys
only from files: on Linux we hand it an anonymous in-memory file (memfd); elsewhere
a temporary file holding the key encrypted with a one-time password, removed at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import ssl
import sys
import tempfile

from cryptography.hazmat.primitives import serialization

from pairing.certificates import certificate_pem
from pairing.credentials import DeviceCredentials
from signaling.config import FleetFiles
from signaling.errors import ServerConfigError

logger = logging.getLogger(__name__)


def server_context(files: FleetFiles) -> ssl.SSLContext:
    """The server's context: its own certificate, and a fleet client certificate required."""
    files.check()
    if os.name == "posix" and files.server_key.stat().st_mode & 0o077:
        logger.warning("server-key.pem is readable by others: chmod 600 it")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.verify_mode = ssl.CERT_REQUIRED
    # No session tickets: every connection presents its certificate afresh, so the
    # certificate check after the handshake always sees the real one.
    ctx.num_tickets = 0
    try:
        ctx.load_verify_locations(cafile=str(files.ca))
        ctx.load_cert_chain(certfile=str(files.server_cert), keyfile=str(files.server_key))
    except (OSError, ssl.SSLError) as exc:
        raise ServerConfigError("certificate or key unreadable") from exc
    return ctx


def client_context(credentials: DeviceCredentials, *, use_memfd: bool = True) -> ssl.SSLContext:
    """A device's context: trusts only the fleet CA, checks the host name, shows its certificate."""
    ca_pem = certificate_pem(credentials.ca_certificate).decode()
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=ca_pem)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    if use_memfd and sys.platform == "linux":
        _load_identity_memfd(ctx, credentials)
    else:
        _load_identity_tempfile(ctx, credentials)
    return ctx


def _load_identity_memfd(ctx: ssl.SSLContext, credentials: DeviceCredentials) -> None:
    key_pem = credentials.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.memfd_create("klasgenoot-identity", os.MFD_CLOEXEC)
    try:
        os.write(fd, certificate_pem(credentials.certificate) + key_pem)
        ctx.load_cert_chain(certfile=f"/proc/self/fd/{fd}")
    finally:
        os.close(fd)


def _load_identity_tempfile(ctx: ssl.SSLContext, credentials: DeviceCredentials) -> None:
    password = secrets.token_urlsafe(32)
    key_pem = credentials.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    )
    fd, path = tempfile.mkstemp(prefix="klasgenoot-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(certificate_pem(credentials.certificate) + key_pem)
        ctx.load_cert_chain(certfile=path, password=password)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
