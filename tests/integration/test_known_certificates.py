"""A device that reconnects with a certificate the server accepted before is not read
again (signaling.gate.Known): only what can have changed since is checked, the CRL
above all. Real server, real TLS, real certificates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

import signaling.server
from signaling.gate import Known
from signaling.server import RunningServer
from tests.integration.test_signaling_server import (
    FAST,
    assert_refused,
    identity_file,
    logged,
    raw_upgrade,
)
from tests.support.pki import TestFleet
from tests.support.signaling import no_addresses_in_logs, serve
from tests.support.wsdevice import device, frame, wait_until

no_addresses = pytest.fixture(autouse=True)(no_addresses_in_logs)


@pytest.fixture
async def server(fleet: TestFleet) -> AsyncIterator[RunningServer]:
    async for running in serve(fleet, FAST):
        yield running


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The serial of every certificate the server reads and checks whole."""
    serials: list[int] = []
    whole: Callable[..., Any] = signaling.server.verify_device_certificate

    def counting(cert: Any, *args: Any, **kwargs: Any) -> Any:
        serials.append(cert.serial_number)
        return whole(cert, *args, **kwargs)

    monkeypatch.setattr(signaling.server, "verify_device_certificate", counting)
    return serials


async def test_a_device_that_comes_back_is_not_read_again(
    server: RunningServer, fleet: TestFleet, reads: list[int]
) -> None:
    student, classroom = fleet.pair()
    for _ in range(3):
        async with device(server, student) as ws:
            assert (await frame(ws, "hello"))["peer_online"] is False
        await wait_until(lambda: len(server.hub) == 0)
    async with device(server, classroom) as ws:  # another certificate: read
        await frame(ws, "hello")
    assert reads == [student.info.serial, classroom.info.serial]
    assert len(server.gate.known) == 2


async def test_a_device_revoked_since_it_was_accepted_is_refused_when_it_comes_back(
    server: RunningServer,
    fleet: TestFleet,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    reads: list[int],
) -> None:
    student, _ = fleet.pair()
    identity = identity_file(tmp_path, student.certificate, student.key)
    outcome = await raw_upgrade(server, fleet, identity)
    assert isinstance(outcome, bytes) and outcome.startswith(b"HTTP/1.1 101")
    fleet.revoke(student.info.serial)
    await wait_until(lambda: server.hub.crl is not None and server.hub.crl.number == 2)
    caplog.clear()
    assert_refused(await raw_upgrade(server, fleet, identity))
    await logged(caplog, "refused a connection: revoked")
    assert student.device_id.short not in caplog.text  # revoked: refused without its id
    assert reads == [student.info.serial]  # refused by what was remembered, rechecked
    assert len(server.gate.known) == 0  # and forgotten: it will not pass again
    assert_refused(await raw_upgrade(server, fleet, identity))  # read whole: still refused
    assert reads == [student.info.serial] * 2


def test_known_keeps_the_most_recently_used() -> None:
    known = Known(limit=2)
    infos: list[Any] = [object(), object(), object()]
    known.put(b"a", infos[0])
    known.put(b"b", infos[1])
    assert known.get(b"a") is infos[0]  # a is now the most recent
    known.put(b"c", infos[2])  # b goes
    assert known.get(b"b") is None
    assert known.get(b"a") is infos[0] and known.get(b"c") is infos[2]
    known.forget(b"a")
    assert known.get(b"a") is None and len(known) == 1
