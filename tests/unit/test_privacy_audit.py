"""The audit trail: append-only, HMAC-chained with a key-store secret, so that
editing the file (even recomputing plain hashes) or removing records is detected."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from privacy.audit import AuditTrail, purge_audit, trail_started, verify_chain
from privacy.codes import ActorRole, AuditAction
from privacy.errors import AuditChainBroken, AuditValueInvalid
from privacy.schema import connect

SECRET = bytes(range(32))
T0 = 1_700_000_000.0
DAY = 86400.0


@pytest.fixture
def trail(tmp_path: Path) -> AuditTrail:
    now = iter(T0 + i for i in range(1000))
    return AuditTrail(tmp_path, SECRET, clock=lambda: next(now))


def fill(trail: AuditTrail) -> None:
    trail.record(ActorRole.TECHNICIAN, AuditAction.TECHNICIAN_MODE_OPENED)
    trail.setting_changed(ActorRole.TECHNICIAN, "volume", 40, 60)
    trail.setting_changed(ActorRole.TECHNICIAN, "technician.pin", "1234", "9876", sensitive=True)
    trail.setting_changed(ActorRole.TEACHER, "camera.zoom", 1.0, 2.5)
    trail.record(ActorRole.TECHNICIAN, AuditAction.LOGS_EXPORTED)


def raw(tmp_path: Path) -> sqlite3.Connection:
    """A plain connection, as someone editing the file by hand would use."""
    return sqlite3.connect(tmp_path / "connections.sqlite3", isolation_level=None)


def test_records_are_kept_with_values_only_when_not_sensitive(trail: AuditTrail) -> None:
    fill(trail)
    records = trail.records()
    assert [r.id for r in records] == [1, 2, 3, 4, 5]
    volume, pin, zoom = records[1], records[2], records[3]
    assert (volume.setting, volume.old_value, volume.new_value) == ("volume", "40", "60")
    assert (pin.sensitive, pin.old_value, pin.new_value) == (True, None, None)
    assert (zoom.actor, zoom.old_value, zoom.new_value) == ("teacher", "1.0", "2.5")
    verdict = trail.verify()
    assert verdict.ok and verdict.checked == 5


def test_values_are_short_plain_and_without_addresses(trail: AuditTrail) -> None:
    trail.setting_changed("technician", "turn.server", "10.1.2.3", "turn.school.nl")
    assert trail.records()[0].old_value == "[address]"
    for bad in ("x" * 65, "line\nbreak", object()):
        with pytest.raises(AuditValueInvalid):
            trail.setting_changed("technician", "volume", 1, bad)
    with pytest.raises(AuditValueInvalid):
        trail.setting_changed("technician", "Pupil Name", 1, 2)  # setting names are codes
    with pytest.raises(AuditValueInvalid):
        trail.record("headmaster", AuditAction.LOGS_VIEWED)
    with pytest.raises(AuditValueInvalid):
        trail.record("technician", "read_the_chat")
    assert len(trail.records()) == 1


def test_the_database_refuses_updates_and_deletes(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    conn = raw(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET new_value = '99' WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit WHERE id = 2")


def _edit(tmp_path: Path, sql: str, *params: object) -> None:
    conn = raw(tmp_path)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")  # a determined editor drops guards
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    conn.execute(sql, params)
    conn.close()


def test_an_edit_with_recomputed_plain_hashes_is_detected(
    trail: AuditTrail, tmp_path: Path
) -> None:
    fill(trail)
    # The editor knows the format, but not the key-store secret: a SHA-256 in place
    # of the HMAC, chained the same way, does not verify.
    records = trail.records()
    forged = records[1]
    new_mac = hashlib.sha256(records[0].mac + forged.payload().replace(b'"60"', b'"99"')).digest()
    _edit(tmp_path, "UPDATE audit SET new_value = '99', mac = ? WHERE id = 2", new_mac)
    verdict = trail.verify()
    assert (verdict.ok, verdict.broken_id, verdict.reason) == (False, 2, "changed")
    with pytest.raises(AuditChainBroken, match="record 2"):
        verdict.raise_if_broken()


def test_a_removed_record_is_detected(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    _edit(tmp_path, "DELETE FROM audit WHERE id = 3")
    verdict = trail.verify()
    # The record that is gone is named, not the next one that is still there.
    assert (verdict.ok, verdict.broken_id, verdict.reason) == (False, 3, "missing")
    with pytest.raises(AuditChainBroken, match=r"record 3: missing"):
        verdict.raise_if_broken()
    _edit(tmp_path, "DELETE FROM audit WHERE id = 4")
    assert (trail.verify().broken_id, trail.verify().reason) == (3, "missing")  # the first gone


def test_removing_the_first_records_is_detected(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    _edit(tmp_path, "DELETE FROM audit WHERE id <= 2")
    verdict = trail.verify()
    assert (verdict.ok, verdict.broken_id, verdict.reason) == (False, 1, "missing")


def test_a_renumbered_removal_is_detected(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    _edit(tmp_path, "DELETE FROM audit WHERE id = 3")
    _edit(tmp_path, "UPDATE audit SET id = id - 1 WHERE id > 3")
    assert trail.verify().broken_id == 3


def test_another_secret_does_not_verify(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    assert not AuditTrail(tmp_path, b"x" * 32).verify().ok


def test_purge_keeps_a_signed_anchor(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    conn = connect(tmp_path / "connections.sqlite3")
    assert purge_audit(conn, SECRET, T0 + 2.5) == 3  # records at T0, +1, +2
    assert [r.id for r in trail.records()] == [4, 5]
    assert verify_chain(conn, SECRET).ok
    # Forging the anchor (to hide a removal) needs the secret too.
    conn.execute("UPDATE audit_anchor SET last_id = 2")
    verdict = verify_chain(conn, SECRET)
    assert (verdict.ok, verdict.reason) == (False, "anchor")
    conn.close()


def test_removing_the_anchor_is_detected(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    conn = connect(tmp_path / "connections.sqlite3")
    purge_audit(conn, SECRET, T0 + 1.5)
    conn.execute("DELETE FROM audit_anchor")
    assert verify_chain(conn, SECRET).reason == "missing"
    conn.close()


def test_a_tampered_prefix_is_not_purged_away(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    _edit(tmp_path, "UPDATE audit SET new_value = '99' WHERE id = 2")
    conn = connect(tmp_path / "connections.sqlite3")
    with pytest.raises(AuditChainBroken):
        purge_audit(conn, SECRET, T0 + 10)
    assert len(trail.records()) == 5  # the evidence stays
    assert conn.execute("SELECT count(*) FROM audit_anchor").fetchone()[0] == 0
    conn.close()


def test_purge_puts_the_guard_back(trail: AuditTrail, tmp_path: Path) -> None:
    fill(trail)
    conn = connect(tmp_path / "connections.sqlite3")
    assert purge_audit(conn, SECRET, T0 + 2.5) == 3
    conn.close()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw(tmp_path).execute("DELETE FROM audit")
    assert len(trail.records()) == 2


def test_trail_purge_uses_13_months(trail: AuditTrail) -> None:
    fill(trail)
    assert trail.purge(T0 + 365 * DAY) == 0
    assert trail.purge(T0 + 400 * DAY) == 5


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AuditValueInvalid):
        AuditTrail(tmp_path, b"short")


def test_a_damaged_database_is_named_when_verifying(tmp_path: Path) -> None:
    from privacy.errors import LogDamaged

    (tmp_path / "connections.sqlite3").write_bytes(b"garbage " * 1000)
    trail = AuditTrail(tmp_path, SECRET)
    # A read-only check: never "cannot be updated", and the fix is named.
    with pytest.raises(LogDamaged, match="beschadigd"):
        trail.verify()
    with pytest.raises(LogDamaged):
        trail.records()
    with pytest.raises(LogDamaged):
        trail_started(tmp_path)


def test_whether_a_trail_started_is_read_without_creating_anything(
    trail: AuditTrail, tmp_path: Path
) -> None:
    assert not trail_started(tmp_path / "never")
    assert not (tmp_path / "never").exists()
    assert not trail_started(tmp_path)
    fill(trail)
    assert trail_started(tmp_path)
    conn = connect(tmp_path / "connections.sqlite3")
    purge_audit(conn, SECRET, T0 + 10)  # everything purged: only the anchor is left
    conn.close()
    assert trail.records() == [] and trail_started(tmp_path)
