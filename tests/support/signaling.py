"""What the signaling tests share: a server on 127.0.0.1:0 and the no-address check."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from signaling.config import ServerConfig
from signaling.server import RunningServer, start_server
from tests.support.pki import TestFleet


def no_addresses_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test of a module using this doubles as a check that no IP reaches the logs.

    Use as ``no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)``.
    """
    caplog.set_level(logging.DEBUG)
    yield
    assert "127.0.0.1" not in caplog.text


async def serve(fleet: TestFleet, config: ServerConfig) -> AsyncIterator[RunningServer]:
    """A fixture body: the real server on an ephemeral loopback port, stopped after."""
    running = await start_server(fleet.folder, "127.0.0.1", 0, config)
    yield running
    await running.stop()
