"""The network self-test across the network lab: from a school that lets out only TCP
443 it names UDP and TCP 3478 as blocked (with what to ask IT) and TLS 443 as
working; from a home behind a NAT all three work. Real server and coturn in the
lab's ``internet``; the test runs inside the site's namespace, as on a real device.

Needs root (namespaces): CI runs as root and ``./dev`` installs the tools.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import netlab
from app.demo.network import SIGNALING_PORT, lab_network
from app.demo.workspace import Workspace, prepare
from app.runtime import DeviceRuntime
from media.netcheck import CheckName, NetReport, Outcome, lines
from media.nettest import run_nettest
from pairing.bundle import ice_servers_json
from pairing.roles import Role
from signaling.server import start_server

if os.geteuid() != 0:
    pytest.skip("the network lab needs root (CI runs as root)", allow_module_level=True)


@pytest.fixture(scope="module")
def workspace() -> Iterator[Workspace]:
    made, _ = prepare(None, lab_network())
    try:
        yield made
    finally:
        made.cleanup()


def nettest_from(
    workspace: Workspace, site: str, role: Role, *, cap_kbit: int | None = None
) -> tuple[NetReport, int]:
    """Build the lab with ``site``, run the self-test there; (report, leaked packets)."""
    device = DeviceRuntime.load(workspace.device_dir(role), dev_keyring=True).device
    with netlab.Lab(sites=(site,)) as lab:
        lab.start_coturn(workspace.turn_config)
        if cap_kbit is not None:
            lab.cap(site, cap_kbit)
        internet = lab.loop("internet")
        server = internet.run(start_server(workspace.server, netlab.SERVER_IP, SIGNALING_PORT), 20)
        try:
            report = lab.loop(site).run(
                run_nettest(
                    device.credentials, device.signaling_urls, ice_servers_json(device.ice_servers)
                ),
                30,
            )
        finally:
            internet.run(server.stop(), 20)
        return report, lab.leaks()


def test_from_the_school_only_tls_on_443_reaches_the_relay(workspace: Workspace) -> None:
    report, leaks = nettest_from(workspace, "school", Role.CLASSROOM)
    found = {check.name: check for check in report.checks}
    text = "\n".join(lines(report))
    for name in (CheckName.DNS, CheckName.TCP, CheckName.TLS, CheckName.CREDENTIAL):
        assert found[name].outcome is Outcome.OK, text
    assert found[CheckName.TURN_TLS].outcome is Outcome.OK, text
    for name, transport in ((CheckName.TURN_UDP, "UDP"), (CheckName.TURN_TCP, "TCP")):
        check = found[name]
        assert check.outcome is Outcome.WARNING, text  # blocked, but TLS carries the call
        assert check.text.startswith("Geblokkeerd") and "Klasgenoot gebruikt dan TLS" in check.text
        assert check.advice == (
            f"Vraag de ICT-afdeling om uitgaand {transport} 3478 naar {netlab.TURN_IP} toe te "
            + ("staan (en de antwoorden terug)." if transport == "UDP" else "staan.")
        )
    assert "(TLS)" in found[CheckName.ROUND_TRIP].text, text
    assert found[CheckName.ROUND_TRIP].outcome is Outcome.OK, text
    assert found[CheckName.THROUGHPUT].kbit_s is not None, text
    assert found[CheckName.THROUGHPUT].kbit_s > 0, text
    assert report.call_possible and report.seconds <= 20
    assert leaks == 0


def test_from_home_all_three_transports_work(workspace: Workspace) -> None:
    report, leaks = nettest_from(workspace, "home", Role.STUDENT)
    text = "\n".join(lines(report))
    assert {c.name: c.outcome for c in report.checks} == dict.fromkeys(CheckName, Outcome.OK), text
    assert "(UDP)" in (report.get(CheckName.THROUGHPUT) or pytest.fail(text)).text
    assert leaks == 0


def test_a_capped_home_line_is_measured_as_such(workspace: Workspace) -> None:
    """1 Mbit/s each way (tc tbf): the round trip through the relay shows that, not more."""
    report, _ = nettest_from(workspace, "home", Role.STUDENT, cap_kbit=1000)
    throughput = report.get(CheckName.THROUGHPUT)
    assert throughput is not None and throughput.kbit_s is not None, lines(report)
    assert 500 <= throughput.kbit_s <= 1100, lines(report)
    assert throughput.outcome is Outcome.WARNING and "bandbreedtelimiet" in throughput.advice
