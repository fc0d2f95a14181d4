"""Why a Redis session failed, in words an operator can act on.

redis-py wraps what went wrong (``ConnectionError`` around the ``OSError``, an
``SSLCertVerificationError`` among them), and its messages name the host and port,
which the log never holds. This reads the chain of causes and answers with a fixed
phrase: a wrong password, a certificate Redis cannot prove, or Redis not answering
are fixed in different places.
"""

from __future__ import annotations

import ssl

from redis.exceptions import AuthenticationError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeout

# OpenSSL's X509_V_ERR_* codes that an operator meets with a private CA
_VERIFY_REASONS = {
    7: "certificate not signed by the trusted CA",
    9: "certificate not yet valid",
    10: "certificate expired",
    18: "certificate from an untrusted CA",  # self-signed
    19: "certificate from an untrusted CA",  # a self-signed root in its chain
    20: "certificate from an untrusted CA",
    21: "certificate from an untrusted CA",
    62: "certificate does not name this host",
    64: "certificate does not name this host",  # the URL names an IP address
}
MAX_CHAIN = 8  # causes followed; a longer chain is not redis-py's


def failure_reason(exc: BaseException) -> str:
    """A short English phrase with the error's type: no host, port or password."""
    chain = _chain(exc)
    for link in chain:
        if isinstance(link, ssl.SSLCertVerificationError):
            why = _VERIFY_REASONS.get(link.verify_code, "certificate not accepted")
            return f"{type(exc).__name__}: TLS: {why}"
    for link in chain:
        if isinstance(link, AuthenticationError) or (
            isinstance(link, ResponseError) and str(link).startswith(("NOAUTH", "WRONGPASS"))
        ):
            return f"{type(exc).__name__}: password missing or refused"
        if isinstance(link, ssl.SSLError):
            return f"{type(exc).__name__}: TLS failed"
        if isinstance(link, ConnectionRefusedError):
            return f"{type(exc).__name__}: connection refused"
        if isinstance(link, TimeoutError | RedisTimeout):
            return f"{type(exc).__name__}: no answer in time"
    return type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in seen and len(seen) < MAX_CHAIN:
        seen.append(link)
        link = link.__cause__ or link.__context__
    return seen
