"""The asyncio internals signaling.handshakes leans on, pinned.

If the first test fails, this Python's asyncio changed a method the threaded
handshake overrides or repeats: read the method in ``asyncio/sslproto.py`` against
``signaling/handshakes.py``, adapt that module if needed, then update its PINNED.
Until then the server falls back to asyncio's stock TLS (the second test).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from signaling import handshakes


@pytest.fixture
def fresh() -> Iterator[None]:
    checked = list(handshakes._checked)
    handshakes._checked.clear()
    yield
    handshakes._checked[:] = checked


def test_the_asyncio_internals_are_the_ones_this_was_written_for(
    fresh: None, caplog: pytest.LogCaptureFixture
) -> None:
    now = {name: handshakes.digest(name) for name in handshakes.PINNED}
    assert now == handshakes.PINNED, "asyncio.sslproto changed: see this module's docstring"
    assert handshakes.supported()
    assert "TLS handshakes run on the event loop's thread" not in caplog.text


def test_another_asyncio_falls_back_to_the_loop_and_says_so_once(
    fresh: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(handshakes.PINNED, "_do_handshake", "0" * 16)
    caplog.set_level(logging.WARNING)
    assert not handshakes.supported()
    assert not handshakes.supported()
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "TLS handshakes run on the event loop's thread: asyncio changed (_do_handshake)"
    ]


def test_a_method_that_is_gone_falls_back_too(
    fresh: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(handshakes.PINNED, "_no_such_method", "0" * 16)
    assert not handshakes.supported()
    assert "asyncio changed (_no_such_method)" in caplog.text


def test_a_frozen_build_without_source_is_trusted_only_on_the_pinned_python(
    fresh: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_source(obj: object) -> str:
        raise OSError("could not get source code")  # as in a PyInstaller build

    monkeypatch.setattr(handshakes.inspect, "getsource", no_source)
    monkeypatch.setattr(handshakes, "PINNED_PYTHON", tuple(sys.version_info[:3]))
    assert handshakes.supported()
    handshakes._checked.clear()
    monkeypatch.setattr(handshakes, "PINNED_PYTHON", (3, 12, 0))
    assert not handshakes.supported()
    assert "asyncio changed (__init__, buffer_updated" in caplog.text
