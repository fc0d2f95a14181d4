"""Technician mode's "Network test" page: the real self-test against the real server and
a real coturn on loopback, run off the GUI thread, with progress and the results."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.kiosk import KioskWindow
from app.settings import SettingsStore
from app.technician import TechnicianMode
from common.paths import ensure_private_dir, write_private_file
from media.netcheck import NetReport
from pairing.bundle import check_ice_servers
from pairing.certificates import fingerprint
from pairing.device import DeviceConfig
from signaling.config import ServerConfig
from signaling.server import start_server
from tests.support.a11y import assert_accessible
from tests.support.coturn import Coturn, free_port, running_coturn
from tests.support.pki import TestFleet

FAST = ServerConfig(close_timeout=1.0, crl_poll=0.2)


@contextlib.contextmanager
def server_on_a_thread(fleet: TestFleet) -> Iterator[int]:
    """The real server on its own loop and thread (the GUI thread runs Qt's loop)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    started = asyncio.run_coroutine_threadsafe(start_server(fleet.folder, config=FAST), loop)
    server = started.result(10)
    try:
        yield server.port
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@pytest.fixture
def coturn(tmp_path: Path, fleet: TestFleet) -> Iterator[Coturn]:
    folder = tmp_path / "coturn"
    folder.mkdir()
    with running_coturn(folder, fleet.ca) as relay:
        turn = ensure_private_dir(fleet.folder / "turn")
        write_private_file(turn / "turn-secret", relay.secret + b"\n")
        write_private_file(turn / "pseudonym-key", bytes(range(32)).hex().encode() + b"\n")
        yield relay


def device_at(fleet: TestFleet, port: int, relay: Coturn | None) -> DeviceConfig:
    student, _ = fleet.pair()
    urls = [] if relay is None else [{"urls": list(relay.urls().values())}]
    return DeviceConfig(
        credentials=student,
        signaling_urls=(f"wss://localhost:{port}/ws",),
        ice_servers=check_ice_servers(urls),
        ca_fingerprint=fingerprint(fleet.ca.certificate),
    )


def open_page(qtbot: QtBot, tmp_path: Path, device: DeviceConfig) -> TechnicianMode:
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    window.set_content(QLabel("the call"))
    mode = TechnicianMode(window, SettingsStore(tmp_path / "device"), device=device)
    window.resize(1024, 768)
    window.show_kiosk()
    qtbot.waitExposed(window)
    mode.open_panel()
    assert mode.view.nettest_button.isVisible()
    qtbot.mouseClick(mode.view.nettest_button, Qt.MouseButton.LeftButton)
    assert mode.nettest is not None and window.current_page() is mode.nettest
    assert mode.panel_open
    return mode


def run_from_the_page(qtbot: QtBot, mode: TechnicianMode) -> tuple[NetReport, int]:
    """Press Start; (the report, GUI timer ticks while the test ran)."""
    page = mode.nettest
    assert page is not None
    ticks, statuses = [], []
    mode.nettest_runner.progressed.connect(lambda _step: statuses.append(page.status.text()))
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    with qtbot.waitSignal(mode.nettest_runner.finished, timeout=25_000) as done:
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        assert not page.start_button.isEnabled()  # one test at a time
        assert not mode.nettest_runner.start()
    timer.stop()
    assert "Testing: Verbinding met de server (TCP)…" in statuses  # progress shown as it ran
    assert isinstance(done.args[0], NetReport)
    return done.args[0], len(ticks)


def test_the_page_runs_the_test_off_the_gui_thread_and_shows_the_results(
    qtbot: QtBot, tmp_path: Path, fleet: TestFleet, coturn: Coturn
) -> None:
    with server_on_a_thread(fleet) as port:
        mode = open_page(qtbot, tmp_path, device_at(fleet, port, coturn))
        report, ticks = run_from_the_page(qtbot, mode)
    page = mode.nettest
    assert page is not None
    assert report.call_possible and report.seconds >= 2  # the throughput run alone is 2 s
    assert ticks >= 25  # the GUI thread kept running all along (20 ms timer)
    assert page.status.text() == "A call is possible from this network."
    shown = page.results.toPlainText()
    assert "[OK] TURN-server via TLS: Werkt" in shown
    assert "kbit/s heen en terug via de TURN-server" in shown
    assert page.start_button.isEnabled()
    assert_accessible(page)
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert mode.view.isVisible()


def test_a_server_that_is_down_is_shown_with_advice(
    qtbot: QtBot, tmp_path: Path, fleet: TestFleet
) -> None:
    mode = open_page(qtbot, tmp_path, device_at(fleet, free_port(), None))
    report, _ = run_from_the_page(qtbot, mode)
    page = mode.nettest
    assert page is not None and not report.call_possible
    assert page.status.text().startswith("No call is possible from this network.")
    shown = page.results.toPlainText()
    assert "[MISLUKT] Verbinding met de server (TCP)" in shown and "Advies:" in shown


def test_without_a_device_there_is_no_network_test(qtbot: QtBot, tmp_path: Path) -> None:
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    mode = TechnicianMode(window, SettingsStore(tmp_path / "device"))
    assert mode.nettest is None and mode.view.nettest_button.isHidden()
