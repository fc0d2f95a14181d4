"""Keep IP addresses out of third-party log lines.

Our own code never logs an address, but aiohttp names the remote address when a
request fails ("Error handling request from ...") and asyncio may name sockets.
This filter sits on those libraries' loggers and rewrites the text before any
handler (file, journal, pytest's caplog) sees it.
"""

from __future__ import annotations

import logging
import re

_ADDRESS = re.compile(
    r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"  # IPv4
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])"  # full IPv6
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::"  # IPv6 with ::
    r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(?![\w:])"
)
LIBRARY_LOGGERS = (
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.websocket",
    "asyncio",
)


def redact(text: str) -> str:
    return _ADDRESS.sub("[address]", text)


class AddressRedactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def install() -> None:
    """Put the filter on the library loggers (once; calling again changes nothing)."""
    for name in LIBRARY_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, AddressRedactor) for f in target.filters):
            target.addFilter(AddressRedactor())
