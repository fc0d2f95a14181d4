"""Consent and the end of a service, with a real fleet CA, CRL and SQLite."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from console import registry, service
from console.enrollment import Enroller
from console.errors import ConsentInvalid, PairingUnknown, ServiceAlreadyEnded
from console.service import COLLECTION_DAYS, ServiceEndReason
from console.store import DAY, Store
from pairing import revocation
from pairing.ca import new_key
from pairing.certificates import load_certificate
from pairing.enrollment import create_request
from pairing.errors import PassphraseWrong
from pairing.fleet import CA_CERT, CRL, init_fleet, read_records
from pairing.roles import Role
from privacy.applog import LOG_NAME
from privacy.files import state_dir

PASS = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def fleet_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fleet") / "fleet"
    init_fleet(folder, PASS)
    return folder


@pytest.fixture
def fleet(tmp_path: Path, fleet_template: Path) -> Path:
    shutil.copytree(fleet_template, tmp_path / "fleet")
    return tmp_path / "fleet"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(fleet: Path, clock: Clock) -> Store:
    return Store(fleet, clock)


def _enrolled(store: Store, fleet: Path) -> registry.Pairing:
    pid, codes = registry.create_pairing(store, "KG-0042", dt.date.today(), "anna")
    service.record_consent(store, pid, dt.date.today(), "dossier 2026/017", "anna")
    enroller = Enroller(store, fleet, PASS)
    s_req = create_request(new_key(), Role.STUDENT)
    assert enroller.enroll("a", codes[Role.STUDENT], s_req) is None
    assert enroller.enroll("a", codes[Role.CLASSROOM], create_request(new_key(), Role.CLASSROOM))
    return registry.get_pairing(store, pid)


def _crl(fleet: Path) -> revocation.RevocationList:
    ca = load_certificate((fleet / CA_CERT).read_bytes())
    return revocation.load_crl((fleet / CRL).read_bytes(), ca)


@pytest.mark.parametrize(
    ("day", "reference"),
    [(dt.date.today() + dt.timedelta(days=1), "dossier 1"), (dt.date.today(), ""),
     (dt.date.today(), "Jan de Vries, Dorpsstraat 1 <script>")],
)  # fmt: skip
def test_consent_is_a_past_date_and_a_short_reference(
    store: Store, day: dt.date, reference: str
) -> None:
    pid, _ = registry.create_pairing(store, "KG-0042", dt.date.today(), "anna")
    with pytest.raises(ConsentInvalid):
        service.record_consent(store, pid, day, reference, "anna")
    assert registry.get_pairing(store, pid).consent_day is None


def test_ending_revokes_both_devices_and_erases_everything_after_six_weeks(
    store: Store, fleet: Path, clock: Clock
) -> None:
    pairing = _enrolled(store, fleet)
    assert pairing.state == "active"
    before = _crl(fleet)
    server_log = state_dir(fleet) / "logs" / LOG_NAME
    server_log.parent.mkdir(parents=True)
    device = pairing.slots[0].device_id
    assert device is not None
    server_log.write_text(f"device {device[:7]} online (student)\nserver started\n")
    with pytest.raises(PassphraseWrong):  # nothing changes without the CA passphrase
        service.end_service(store, fleet, "wrong passphrase!", pairing.id,
                            reason=ServiceEndReason.ENDED, actor="anna")  # fmt: skip
    assert registry.get_pairing(store, pairing.id).ended is None
    erase_after = service.end_service(
        store, fleet, PASS, pairing.id, reason=ServiceEndReason.CONSENT_WITHDRAWN, actor="anna"
    )
    crl = _crl(fleet)
    assert crl.number == before.number + 1
    assert {r.serial for r in read_records(fleet)} == set(crl.serials)  # both revoked
    assert erase_after == pytest.approx(clock.now + COLLECTION_DAYS * DAY)
    with pytest.raises(ServiceAlreadyEnded):
        service.end_service(
            store, fleet, PASS, pairing.id, reason=ServiceEndReason.ENDED, actor="x"
        )
    clock.now = erase_after - 1
    assert service.erase_due(store, fleet) == 0
    clock.now = erase_after + 1
    assert service.erase_due(store, fleet) == 1
    with pytest.raises(PairingUnknown):
        registry.get_pairing(store, pairing.id)
    for table in ("pairings", "codes", "seen", "reports"):
        assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    rows = store.audit_rows()
    assert [(r["actor"], r["target"]) for r in rows] == [("console", "KG-0042")]
    assert "erased" in rows[0]["action"]
    assert server_log.read_text() == "server started\n"
