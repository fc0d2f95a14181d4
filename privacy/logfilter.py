"""Keep IP addresses out of every log line: the one place that knows how.

Our own code never logs an address, but libraries do: aiohttp names the remote
address when a request fails and in its access log, aioice logs candidate pairs,
asyncio may name sockets. :class:`AddressRedactor` is put on log *handlers*
(privacy/applog.py), so every record that reaches a file or the console is covered,
whichever logger it came from and however it propagated. On a handler it returns a
redacted copy (Python >= 3.12), leaving the record other handlers see untouched.

IPv6 candidates are checked with :mod:`ipaddress`, so clock times (``12:30:45``)
stay readable; anything that looks like a dotted IPv4 address is replaced, even a
four-part version number: a false alarm costs less than a leaked home address.
"""

from __future__ import annotations

import copy
import ipaddress
import logging
import re

PLACEHOLDER = "[address]"
_IPV6 = (
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?:%[\w.-]+)?(?![\w:])(?!\.\d)"
)
_IPV4 = r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\d)(?!\.\d)"
_ADDRESS = re.compile(f"(?P<v6>{_IPV6})|(?P<v4>{_IPV4})")
# Libraries whose records may carry addresses; install() filters at the logger too,
# for handlers that were set up without privacy/applog.py (pytest's caplog, say).
LIBRARY_LOGGERS = (
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.websocket",
    "aioice",
    "aiortc",
    "asyncio",
)


def _replace(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("v4") is not None:
        return PLACEHOLDER
    try:
        ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return text  # a time of day or some other colon-separated number
    return PLACEHOLDER


def redact(text: str) -> str:
    """``text`` with every IPv4 and IPv6 address replaced by ``[address]``."""
    return _ADDRESS.sub(_replace, text)


class AddressRedactor(logging.Filter):
    """Redacts message, arguments, traceback and stack; never drops a record."""

    def __init__(self, in_place: bool = False) -> None:
        super().__init__()
        self._in_place = in_place

    def filter(self, record: logging.LogRecord) -> logging.LogRecord:
        out = record if self._in_place else copy.copy(record)
        out.msg = redact(record.getMessage())
        out.args = None
        if record.exc_info and not record.exc_text:
            out.exc_text = logging.Formatter().formatException(record.exc_info)
        if out.exc_text:
            out.exc_text = redact(out.exc_text)
        if record.stack_info:
            out.stack_info = redact(record.stack_info)
        return out


class RedactingFormatter(logging.Formatter):
    """Redacts the finished line too: whatever a format string pulls in is covered."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def attach(handler: logging.Handler) -> logging.Handler:
    """Put the redactor on ``handler`` (once) and return it."""
    if not any(isinstance(f, AddressRedactor) for f in handler.filters):
        handler.addFilter(AddressRedactor())
    return handler


def install() -> None:
    """Filter the address-bearing library loggers themselves (idempotent).

    A logger-level filter sees only records logged on that exact logger, hence
    :func:`attach` on handlers is the main defence; this is the second line.
    """
    for name in LIBRARY_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, AddressRedactor) for f in target.filters):
            target.addFilter(AddressRedactor(in_place=True))
