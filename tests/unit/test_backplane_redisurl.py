"""The Redis URL (signaling.backplane.redisurl) and why a session failed
(signaling.backplane.redisfail): real files, real exception chains as redis-py and
ssl raise them."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from redis.exceptions import AuthenticationError, ConnectionError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeout

from signaling.backplane.redisfail import failure_reason
from signaling.backplane.redisurl import (
    check_url,
    has_password,
    in_the_clear_to_another_host,
    read_url_file,
    readable_by_others,
)
from signaling.errors import BackplaneUrlFileUnreadable, BackplaneUrlInvalid, BackplaneUrlUnsafe


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "rediss://:secret@redis.example.org:6380/0",
        "rediss://:s@10.0.0.5:6380/0?ssl_ca_certs=/etc/klasgenoot/redis-ca.pem",
        "rediss://:s@h:6380/0?ssl_cert_reqs=required&ssl_check_hostname=true",
        "unix:///run/redis/redis.sock",
    ],
)
def test_urls_we_use_pass(url: str) -> None:
    check_url(url)


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("http://127.0.0.1:6379/0", "scheme"),
        ("redis://", "scheme"),
        ("redis://127.0.0.1:6379/0?db=x", "value"),
    ],
)
def test_bad_urls_are_refused_without_echoing_them(url: str, detail: str) -> None:
    with pytest.raises(BackplaneUrlInvalid) as caught:
        check_url(url)
    assert caught.value.detail == detail and not isinstance(caught.value, BackplaneUrlUnsafe)


@pytest.mark.parametrize(
    "query",
    [
        "ssl_cert_reqs=none",
        "ssl_cert_reqs=optional",
        "ssl_check_hostname=false",
        "ssl_check_hostname=0",
        "ssl_ca_certs=/x&ssl_check_hostname=no",
        "ssl_exclude_verify_flags=VERIFY_X509_STRICT",
    ],
)
def test_urls_that_weaken_the_certificate_check_are_refused(query: str) -> None:
    with pytest.raises(BackplaneUrlUnsafe) as caught:
        check_url(f"rediss://:secret@h:6380/0?{query}")
    assert "secret" not in str(caught.value)


def test_the_url_file_gives_its_one_line(tmp_path: Path) -> None:
    path = tmp_path / "redis"
    path.write_text("  rediss://:pw@h:6380/0\n")
    assert read_url_file(path) == "rediss://:pw@h:6380/0"


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"a\nb", "more than one line"),
        (b"\xff", "not text"),
        (b"r" * 4097, "too large"),
    ],
)
def test_a_url_file_that_is_not_one_url_line_is_refused(
    tmp_path: Path, content: bytes, detail: str
) -> None:
    path = tmp_path / "redis"
    path.write_bytes(content)
    with pytest.raises(BackplaneUrlFileUnreadable) as caught:
        read_url_file(path)
    assert caught.value.detail == detail


def test_a_missing_url_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(BackplaneUrlFileUnreadable) as caught:
        read_url_file(tmp_path / "none")
    assert caught.value.detail == "No such file or directory"


def test_who_may_read_the_url_file(tmp_path: Path) -> None:
    path = tmp_path / "redis"
    path.write_text("redis://h/0")
    path.chmod(0o600)
    assert not readable_by_others(path)
    path.chmod(0o640)
    assert readable_by_others(path)
    assert not readable_by_others(tmp_path / "gone")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://:pw@h:6379/0", True),
        ("redis://user:pw@h:6379/0", True),
        ("redis://h:6379/0?password=pw", True),
        ("redis://h:6379/0", False),
        ("unix:///run/redis.sock", False),
    ],
)
def test_a_password_in_the_url_is_seen(url: str, expected: bool) -> None:
    assert has_password(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://10.0.0.5:6379/0", True),
        ("redis://redis.example.org:6379/0", True),
        ("redis://127.0.0.1:6379/0", False),
        ("redis://[::1]:6379/0", False),
        ("redis://localhost:6379/0", False),
        ("rediss://10.0.0.5:6380/0", False),
        ("unix:///run/redis.sock", False),
    ],
)
def test_plain_redis_to_another_machine_is_noticed(url: str, expected: bool) -> None:
    assert in_the_clear_to_another_host(url) is expected


def wrapped(cause: BaseException, outer: Exception) -> Exception:
    """``outer`` raised from ``cause``, as redis-py raises it."""
    try:
        raise outer from cause
    except Exception as exc:
        return exc


def verify_error(code: int) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] 10.0.0.5")
    error.verify_code = code
    error.verify_message = "IP address mismatch, certificate is not valid for '10.0.0.5'."
    return error


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (AuthenticationError("invalid username-password pair"), "password missing or refused"),
        (ResponseError("NOAUTH Authentication required."), "password missing or refused"),
        (wrapped(verify_error(20), ConnectionError("10.0.0.5:6380")), "untrusted CA"),
        (wrapped(verify_error(64), ConnectionError("10.0.0.5:6380")), "does not name this host"),
        (wrapped(verify_error(10), ConnectionError("10.0.0.5:6380")), "certificate expired"),
        (wrapped(verify_error(99), ConnectionError("h")), "TLS: certificate not accepted"),
        (wrapped(ssl.SSLError(1, "WRONG_VERSION_NUMBER"), ConnectionError("h")), "TLS failed"),
        (wrapped(ConnectionRefusedError(111, "refused"), ConnectionError("h")), "refused"),
        (RedisTimeout("Timeout connecting to server"), "no answer in time"),
        (ConnectionError("Connection closed by server."), "ConnectionError"),
    ],
)
def test_why_a_session_failed_is_said_without_host_or_address(
    error: Exception, reason: str
) -> None:
    text = failure_reason(error)
    assert text.startswith(type(error).__name__) and text.endswith(reason)
    assert "10.0.0.5" not in text and "6380" not in text


def test_a_cycle_of_causes_ends() -> None:
    first, second = ConnectionError("a"), ConnectionError("b")
    first.__cause__, second.__cause__ = second, first
    assert failure_reason(first) == "ConnectionError"
