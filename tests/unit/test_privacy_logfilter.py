"""No IP address reaches a log file: the redactor, table-driven, and on a handler."""

from __future__ import annotations

import io
import logging

import pytest

from privacy.logfilter import AddressRedactor, attach, install, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from 192.168.1.20", "from [address]"),
        ("peer 10.0.0.1.", "peer [address]."),
        ("('85.144.10.7', 54321)", "('[address]', 54321)"),
        ("candidate:1 1 udp 2130706431 192.168.1.5 54321 typ host",
         "candidate:1 1 udp 2130706431 [address] 54321 typ host"),
        ("host_10.0.0.1:3478", "host_[address]:3478"),
        ("fe80::1%eth0 and 2001:db8::8a2e:370:7334", "[address] and [address]"),
        ("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:443", "[[address]]:443"),
        ("::ffff:192.0.2.128", "[address]"),
        ("64:ff9b::192.0.2.33", "[address]"),
        ("::1", "[address]"),
    ],
)  # fmt: skip
def test_addresses_are_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "at 12:30:45 the call ended",
        "setup took 420 ms, 3.5 fps, version 1.16.0",
        "DeviceId P56IOI7 connected",
        "ice_state checking -> connected",
        "2025-01-31T12:00:00.000Z",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def _capture() -> tuple[logging.Handler, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    return attach(handler), out


def test_handler_filter_covers_every_propagating_logger_and_traceback() -> None:
    handler, out = _capture()
    plain = io.StringIO()
    other = logging.StreamHandler(plain)
    root = logging.getLogger()
    root.addHandler(handler)
    root.addHandler(other)
    old = root.level
    root.setLevel(logging.INFO)
    try:
        logging.getLogger("aioice.ice").info("Connection(0) Check %s -> %s", "10.1.1.1", "::1")
        logging.getLogger("some.new.library").warning("peer at 172.16.5.4 went away")
        try:
            raise ConnectionError("cannot reach 203.0.113.9:3478")
        except ConnectionError:
            logging.getLogger("aiohttp.server").exception(
                "Error handling request from 198.51.100.2"
            )
        logging.getLogger("asyncio").info("socket %s", ("192.0.2.1", 1), stack_info=True)
    finally:
        root.removeHandler(handler)
        root.removeHandler(other)
        root.setLevel(old)
    text = out.getvalue()
    for address in ("10.1.1.1", "172.16.5.4", "203.0.113.9", "198.51.100.2", "192.0.2.1"):
        assert address not in text
    assert text.count("[address]") >= 6 and "ConnectionError" in text
    # The record other handlers see is untouched (the filter works on a copy).
    assert "172.16.5.4" in plain.getvalue()


def test_install_filters_library_loggers_once() -> None:
    install()
    install()
    logger = logging.getLogger("aiohttp.access")
    assert sum(isinstance(f, AddressRedactor) for f in logger.filters) == 1
    record = logger.makeRecord("aiohttp.access", logging.INFO, __file__, 1,
                               "%s GET /ws", ("192.0.2.7",), None)  # fmt: skip
    assert logger.filter(record)
    assert record.getMessage() == "[address] GET /ws"
