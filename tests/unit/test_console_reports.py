"""Fault reports reach the console only signed by a valid, unrevoked device of the fleet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console import reports
from console.errors import ReportRefused
from console.reports import ReportInbox, ReportState
from console.store import Store
from pairing.faultsend import envelope
from tests.support.pki import TestFleet, self_signed_device

REPORT = json.dumps({"schema": "klasgenoot.fault-report", "app_version": "0.1.0"}).encode()


@pytest.fixture
def store(fleet: TestFleet, tmp_path: Path) -> Store:
    return Store(tmp_path / "console-home")


def _known(store: Store, pairing_id: str) -> int:
    cur = store.conn.execute(
        "INSERT INTO pairings (label, until, fleet_pairing, created, created_by) "
        "VALUES ('KG-0042', '2027-01-01', ?, 0, 'anna')",
        (pairing_id,),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _count(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM reports").fetchone()[0])


def test_a_signed_report_is_stored_new_and_its_state_changes_with_who(
    fleet: TestFleet, store: Store
) -> None:
    student, _ = fleet.pair()
    pid = _known(store, student.info.pairing_id)
    number = ReportInbox(store, fleet.folder).receive(envelope(student, REPORT))
    (report,) = reports.reports_of(store, pid)
    assert (report.id, report.device, report.state) == (number, student.device_id.short, "new")
    assert json.loads(report.body)["app_version"] == "0.1.0"
    assert reports.open_count(store, pid) == 1
    reports.set_state(store, number, ReportState.SOLVED, "bert", "KG-0042")
    assert reports.get_report(store, number).handled_by == "bert"
    assert reports.open_count(store, pid) == 0


def test_forged_revoked_foreign_and_unknown_senders_are_refused(
    fleet: TestFleet, store: Store
) -> None:
    student, classroom = fleet.pair()
    _known(store, student.info.pairing_id)
    inbox = ReportInbox(store, fleet.folder)
    forged = json.loads(envelope(student, REPORT))
    forged["report"] = json.dumps({"schema": "something else"})
    outsider = self_signed_device(student)
    other_pairing, _ = fleet.pair()
    fleet.revoke(classroom.certificate.serial_number)
    for body in (
        json.dumps(forged).encode(),  # the signature does not cover this report
        envelope(outsider, REPORT),  # not signed by the fleet CA
        envelope(classroom, REPORT),  # revoked
        envelope(other_pairing, REPORT),  # a pairing the console does not know
        b"not json",
        envelope(student, b"[1, 2]"),  # not a report object
    ):
        with pytest.raises(ReportRefused):
            inbox.receive(body)
    assert _count(store) == 0


def test_a_device_cannot_flood_the_inbox(fleet: TestFleet, store: Store) -> None:
    student, _ = fleet.pair()
    _known(store, student.info.pairing_id)
    inbox = ReportInbox(store, fleet.folder)
    for _ in range(reports.PER_HOUR):
        inbox.receive(envelope(student, REPORT))
    with pytest.raises(ReportRefused):
        inbox.receive(envelope(student, REPORT))
    assert _count(store) == reports.PER_HOUR
