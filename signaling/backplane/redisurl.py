"""The Redis URL of ``klasgenoot server --redis``/``--redis-file``: where it comes from
and what it may say.

The URL may hold Redis's password, so it is never logged and never shown in an
error, and it may come from a file (``--redis-file``, e.g. a systemd credential)
instead of the command line, which every local user can read with ``ps``.

A ``rediss://`` URL keeps redis-py's full check of Redis's certificate (a trusted
CA, the host's name): options in the URL that would turn part of that off are
refused, so a copied example cannot quietly expose the instances to whoever sits
between them and Redis. A private CA is given with ``ssl_ca_certs=PATH`` instead.
"""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from redis.asyncio.connection import parse_url

from signaling.errors import BackplaneUrlFileUnreadable, BackplaneUrlInvalid, BackplaneUrlUnsafe

SCHEMES = ("redis", "rediss", "unix")
MAX_FILE_BYTES = 4096  # a URL, not a document: a larger file is a wrong path
_TRUE = ("1", "T", "TRUE", "Y", "YES")  # redis-py's to_bool, for the values we allow


def check_url(url: str) -> None:
    """Raise BackplaneUrlInvalid (or BackplaneUrlUnsafe) unless ``url`` is one we use.

    The detail names the part that is wrong, never the URL itself."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.netloc + parts.path:
        raise BackplaneUrlInvalid("scheme")
    try:
        parse_url(url)  # a bad port or option now, not in every reconnect later
    except ValueError:
        raise BackplaneUrlInvalid("value") from None
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "ssl_cert_reqs" and value.lower() != "required":
            raise BackplaneUrlUnsafe(name)
        if name == "ssl_check_hostname" and value.upper() not in _TRUE:
            raise BackplaneUrlUnsafe(name)
        if name == "ssl_exclude_verify_flags":
            raise BackplaneUrlUnsafe(name)


def read_url_file(path: Path) -> str:
    """The URL in ``path``: its one line (surrounding blanks and a final newline
    dropped). BackplaneUrlFileUnreadable if it cannot be read or is not one line."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BackplaneUrlFileUnreadable(exc.strerror or type(exc).__name__) from None
    if len(data) > MAX_FILE_BYTES:
        raise BackplaneUrlFileUnreadable("too large")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise BackplaneUrlFileUnreadable("not text") from None
    if not text:
        raise BackplaneUrlFileUnreadable("empty")
    if len(text.splitlines()) != 1:
        raise BackplaneUrlFileUnreadable("more than one line")
    return text


def readable_by_others(path: Path) -> bool:
    """Whether users other than the file's owner may read it (its password with it)."""
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False  # read a moment ago: gone now, and nothing to warn about


def has_password(url: str) -> bool:
    """Whether the URL itself carries a password (in its user part or its query)."""
    parts = urlsplit(url)
    in_query = any(name == "password" for name, _ in parse_qsl(parts.query))
    return bool(parts.password) or in_query


def in_the_clear_to_another_host(url: str) -> bool:
    """A ``redis://`` URL to a host that is not this machine: the password and the
    relayed (sealed) messages cross the network readable."""
    parts = urlsplit(url)
    if parts.scheme != "redis":
        return False
    host = parts.hostname or "localhost"
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: another machine, as far as we can tell
