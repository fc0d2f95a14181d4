"""Refused connections: the reason words for each TLS failure, and a log that a flood
cannot fill (one line at once, then one summary per interval)."""

from __future__ import annotations

import asyncio
import logging
import ssl

import pytest

from signaling.refusals import RefusalLog, tls_reason


def verify_error(code: int) -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
    exc.verify_code = code
    exc.reason = "CERTIFICATE_VERIFY_FAILED"
    return exc


def ssl_error(reason: object) -> ssl.SSLError:
    exc = ssl.SSLError(1, "ssl error")
    exc.reason = reason  # type: ignore[assignment]
    return exc


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (ssl_error("PEER_DID_NOT_RETURN_A_CERTIFICATE"), "no certificate"),
        (verify_error(20), "unknown issuer"),
        (verify_error(2), "unknown issuer"),
        (verify_error(18), "self-signed"),
        (verify_error(10), "expired"),
        (verify_error(9), "not yet valid"),
        (verify_error(26), "not a client certificate"),
        (verify_error(7), "bad signature"),
        (verify_error(99), "certificate not accepted"),
        (ssl_error("HTTP_REQUEST"), "not TLS"),
        (ssl_error("UNSUPPORTED_PROTOCOL"), "old TLS version"),
        (ssl_error("SOME_NEW_REASON"), "TLS some new reason"),
        (ssl_error("from 192.0.2.1"), "TLS error"),  # never echo free text
        (ssl_error(None), "TLS error"),
        (ssl.SSLEOFError(8, "EOF"), "closed during handshake"),
        (ConnectionResetError(), "closed during handshake"),
        (ConnectionAbortedError("SSL handshake is taking longer than 10 s"), "handshake timeout"),
    ],
)
def test_each_tls_failure_gets_a_short_reason(exc: BaseException, words: str) -> None:
    assert tls_reason(exc) == words


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "signaling.refusals"]


async def test_a_flood_is_one_line_then_one_summary_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    log = RefusalLog(logging.INFO, 0.2)
    for _ in range(30):
        log.note("no certificate")
    log.note("expired", "ABCDEFG")
    assert refusals(caplog) == ["refused a connection: no certificate"]
    async with asyncio.timeout(5):
        while len(refusals(caplog)) < 2:
            await asyncio.sleep(0.02)
    assert refusals(caplog)[1] == (
        "refused 30 more connections in the last 0.2 s: 29 no certificate; "
        "1 device ABCDEFG: expired"
    )
    log.note("no certificate")  # the window is still open: counted, not logged
    log.close()
    assert refusals(caplog)[2:] == [
        "refused 1 more connections in the last 0.2 s: 1 no certificate"
    ]


async def test_after_a_quiet_interval_the_next_refusal_is_logged_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    log = RefusalLog(logging.WARNING, 60)
    log.note("too many handshakes (64 pending)")
    log.flush()  # the interval ends with nothing counted: the window closes
    log.note("too many handshakes (64 pending)")
    log.close()
    assert refusals(caplog) == ["refused a connection: too many handshakes (64 pending)"] * 2
    assert all(r.levelno == logging.WARNING for r in caplog.records)
