"""``klasgenoot logs show|export|erase|verify|retention`` and ``klasgenoot wipe``.

The rights of access, portability and erasure (docs/privacy.md) for a technician
at the device, the retention setting, and the wipe at service end (app/cli_wipe.py;
the audit secret is app/audit_key.py's).
Reading never creates anything: a folder that is not there is refused, and a device
that keeps no database yet shows an empty log without one being made. Nothing here
imports Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

from app.audit_key import audit_key_lost, audit_secret, log_secret
from app.cli_enroll import device_args
from app.cli_wipe import SETTINGS, WipeOutcome, confirm, run_wipe, wipe_device
from app.retention_setting import (
    RETENTION_SETTING,
    RetentionSetting,
    read_retention,
    retention,
    save_retention,
)
from common.errors import KlasgenootError
from common.instance import DeviceLock
from pairing import device
from pairing.identity import device_id, load_device_key
from pairing.keystore import KeyStore, open_keystore
from privacy.audit import AuditTrail, trail_started
from privacy.codes import ActorRole, AuditAction
from privacy.erase import EraseReport, erase_logs
from privacy.errors import AuditSecretMissing, DeviceFolderMissing, ExportPathInvalid
from privacy.export import DeviceInfo, export_document, export_json, write_export
from privacy.files import database_files, database_path, program_log_files, state_dir
from privacy.keeplist import render_text
from privacy.overview import load_overview
from privacy.retention import AUDIT_MONTHS, MAX_DAYS, Retention, purge_program_logs
from privacy.store import ConnectionLog

# Kept importable from here: the kiosk, the technician screen and tests use them.
__all__ = [
    "RETENTION_SETTING",
    "WipeOutcome",
    "audit_key_lost",
    "audit_secret",
    "device_info",
    "log_secret",
    "register",
    "retention",
    "wipe_device",
]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    logs = sub.add_parser("logs", help="technische logboeken inzien, exporteren, wissen")
    cmds = logs.add_subparsers(dest="logs_command", required=True, metavar="ACTIE")
    show = cmds.add_parser("show", help="de logboeken van dit apparaat laten zien")
    device_args(show)
    show.add_argument("--fields", action="store_true", help="alleen: wat dit apparaat bewaart")
    show.add_argument("--limit", type=int, default=20, help="hoeveel regels per soort")
    show.set_defaults(func=_show)
    export = cmds.add_parser("export", help="alles als JSON (inzage en overdraagbaarheid)")
    device_args(export)
    export.add_argument(
        "--out", metavar="BESTAND", help="bestand, of een map zoals de USB-stick (anders stdout)"
    )
    export.set_defaults(func=_export)
    erase = cmds.add_parser("erase", help="verbindings- en programmalogboeken wissen")
    device_args(erase)
    erase.add_argument("--yes", action="store_true", help="niet om bevestiging vragen")
    erase.set_defaults(func=_erase)
    verify = cmds.add_parser("verify", help="controleren dat het auditlogboek klopt")
    device_args(verify)
    verify.set_defaults(func=_verify)
    keep = cmds.add_parser("retention", help="bewaartermijn van de logboeken tonen of instellen")
    device_args(keep)
    keep.add_argument(
        "--days", type=int, metavar="N", help=f"nieuwe termijn: 1 tot en met {MAX_DAYS} dagen"
    )
    keep.set_defaults(func=_retention_cmd)

    wipe = sub.add_parser(
        "wipe",
        help="alles van dit apparaat wissen (einde dienst)",
        description="Wist de apparaatsleutel, de auditsleutel, de certificaten, de "
        "koppeling, de instellingen en alle logboeken. Daarna begint het apparaat "
        "opnieuw bij het inrichten.",
    )
    device_args(wipe)
    wipe.add_argument("--yes", action="store_true", help="niet om bevestiging vragen")
    wipe.set_defaults(func=run_wipe)


# -- helpers ------------------------------------------------------------------------


def device_info(config: Path, store: KeyStore) -> DeviceInfo:
    """Role and short DeviceId for the export; unknown parts stay empty."""
    try:
        enrolled = device.load_device(config, store)
        return DeviceInfo(enrolled.role.value, enrolled.info.device_id.short)
    except KlasgenootError:
        pass
    try:
        role = device.recorded_role(config)
        key = load_device_key(store)
    except KlasgenootError:
        return DeviceInfo()
    return DeviceInfo(role.value if role else None, device_id(key).short if key else None)


def _device_folder(config: Path) -> Path:
    """Refuse a folder that is not there: reading logs must never create a device."""
    if not config.is_dir():
        raise DeviceFolderMissing(str(config))
    return config


def _keeps_a_database(config: Path) -> bool:
    return database_path(state_dir(config)).exists()


def _retention(config: Path) -> Retention:
    """The term in force; a bad stored value is named on stderr, never an obstacle."""
    setting = read_retention(config)
    _warn_retention(setting)
    return setting.retention


def _warn_retention(setting: RetentionSetting) -> None:
    if setting.problem is not None:
        print(f"klasgenoot: let op: de bewaartermijn in {SETTINGS} ({setting.stored!r}) klopt "
              f"niet: {setting.problem.message()} Nu geldt de standaard van "
              f"{setting.retention.connection_days} dagen. Instellen: klasgenoot logs "
              "retention --days N", file=sys.stderr)  # fmt: skip


def _purge(config: Path, store: KeyStore, keep: Retention) -> None:
    """Apply retention before anything is shown or exported (the app may not have run).
    Creates nothing: without a database only old program log files can go."""
    state = state_dir(config)
    if not database_path(state).exists():
        purge_program_logs(state, keep.connection_cutoff(time.time()))
        return
    try:
        secret = audit_secret(store, create=False)
    except KlasgenootError:
        secret = None
    # A call left open is closed as interrupted only when no program owns the
    # folder: during a live call it is that call's record, not a leftover. No lock
    # file (no program ever started here, or a damaged one): leave it to the app.
    with contextlib.ExitStack() as held:
        lock = DeviceLock.try_acquire(config, create=False)
        if lock is not None:
            held.enter_context(lock)
        log = ConnectionLog.open(state, secret=secret, retention=keep, owner=lock is not None)
        log.purge()
        log.close()


def _audit(
    config: Path, store: KeyStore, action: AuditAction, *,
    setting: str | None = None, old: object = None, new: object = None,
) -> None:  # fmt: skip
    """Append to the audit trail; a failure is reported, the action stands (the
    person's right to see, take or erase their data does not hang on the audit)."""
    try:
        secret = audit_secret(store, create=True, state=state_dir(config))
        assert secret is not None
        AuditTrail(state_dir(config), secret).record(
            ActorRole.TECHNICIAN, action, setting=setting, old=old, new=new
        )
    except KlasgenootError as exc:
        print(f"klasgenoot: let op: niet in het auditlogboek gezet: {exc}", file=sys.stderr)


# -- logs -----------------------------------------------------------------------------


def _show(args: argparse.Namespace) -> int:
    config = _device_folder(args.config)
    keep = _retention(config)
    if args.fields:
        sys.stdout.write(render_text(keep))
        return 0
    store = open_keystore(config, args.dev_keyring)
    kept = _keeps_a_database(config)
    _purge(config, store, keep)
    info = device_info(config, store).as_json()
    view = load_overview(state_dir(config), limit=max(1, args.limit), retention=keep)
    print(f"Apparaat:       {info['role'] or '-'} {info['device'] or ''}".rstrip())
    print(f"Bewaartermijn:  verbindingen {view.retention_days} dagen, "
          f"auditlogboek {view.audit_months} maanden")  # fmt: skip
    print(f"\nVerbindingen: {view.counts['sessions']} (nieuwste eerst)")
    for s in view.sessions:
        print(f"  {s['started_at']}  {s['end_reason'] or 'bezig'}  opbouw {s['setup_ms']} ms  "
              f"pad {s['candidate_type']}  uit {s['bytes_out']} B  in {s['bytes_in']} B  "
              f"haperingen {s['freezes']}  opnieuw {s['reconnects']}")  # fmt: skip
    print(f"\nGebeurtenissen: {view.counts['events']} (nieuwste eerst)")
    for e in view.events:
        print(f"  {e['at']}  {e['kind']} {e['code'] or ''}".rstrip())
    print(f"\nAuditlogboek: {view.counts['audit']} (nieuwste eerst)")
    for a in view.audit:
        change = (
            "" if a["setting"] is None else f" {a['setting']}: {a['old_value']} -> {a['new_value']}"
        )
        print(f"  {a['at']}  {a['actor']} {a['action']}{change}")
    print("\nWat dit apparaat precies bewaart: klasgenoot logs show --fields")
    sys.stdout.flush()
    if kept:  # a device that keeps nothing showed nothing: no trail is started for it
        _audit(config, store, AuditAction.LOGS_VIEWED)
    return 0


def _out_path(raw: str | None) -> Path | None:
    """``--out``: a file, or an existing folder to put a dated file in (see docs)."""
    if raw is None:
        return None
    if not raw.strip():
        raise ExportPathInvalid("leeg")
    path = Path(raw)
    if raw.endswith(("/", os.sep)) and not path.is_dir():  # meant a folder that is not there
        raise ExportPathInvalid(f"map bestaat niet: {raw}")
    return path


def _export(args: argparse.Namespace) -> int:
    config = _device_folder(args.config)
    out = _out_path(args.out)
    store = open_keystore(config, args.dev_keyring)
    keep = _retention(config)
    kept = _keeps_a_database(config)
    _purge(config, store, keep)
    doc = export_document(state_dir(config), device=device_info(config, store), retention=keep)
    if out is None:
        sys.stdout.write(export_json(doc))
        sys.stdout.flush()
    else:
        print(f"Geëxporteerd naar {write_export(out, doc)}", file=sys.stderr)
    if kept:
        _audit(config, store, AuditAction.LOGS_EXPORTED)
    return 0


def _erase(args: argparse.Namespace) -> int:
    config = _device_folder(args.config)
    state = state_dir(config)
    if not any(p.exists() for p in database_files(state)) and not program_log_files(state):
        print("Er is niets te wissen: dit apparaat bewaart geen logboeken.")
        return 0
    store = open_keystore(config, args.dev_keyring)
    if not args.yes and not confirm("Alle verbindings- en programmalogboeken wissen?"):
        print("Niet gewist; er is niets veranderd.", file=sys.stderr)
        return 1
    report = erase_logs(state)
    _audit(config, store, AuditAction.LOGS_ERASED)
    print(_erased(report))
    return 0


def _erased(report: EraseReport) -> str:
    if report.database_replaced:
        return ("De beschadigde database is in zijn geheel verwijderd, met alle verbindingen, "
                "gebeurtenissen en het auditlogboek erin; "
                f"{report.log_files} programmalogbestanden gewist.")  # fmt: skip
    return (f"Gewist: {report.sessions} verbindingen, {report.events} gebeurtenissen, "
            f"{report.log_files} programmalogbestanden.")  # fmt: skip


def _verify(args: argparse.Namespace) -> int:
    config = _device_folder(args.config)
    state = state_dir(config)
    store = open_keystore(config, args.dev_keyring)
    secret = audit_secret(store, create=False)
    if secret is None:
        if trail_started(state):
            raise AuditSecretMissing()
        print("ok (0 records)")
        return 0
    if not database_path(state).exists():  # nothing to check, and nothing to create
        print("ok (0 records)")
        return 0
    verdict = AuditTrail(state, secret).verify()
    verdict.raise_if_broken()
    print(f"ok ({verdict.checked} records)")
    return 0


def _retention_cmd(args: argparse.Namespace) -> int:
    config = _device_folder(args.config)
    setting = read_retention(config)
    _warn_retention(setting)
    old = setting.retention.connection_days
    if args.days is None:
        print(f"Bewaartermijn: verbindingslogboeken {old} dagen"
              f"{' (standaard)' if setting.is_default else ''}, auditlogboek "
              f"{AUDIT_MONTHS} maanden.\nInstellen: klasgenoot logs retention --config MAP "
              f"--days N (1 tot en met {MAX_DAYS}).")  # fmt: skip
        return 0
    keep = Retention(args.days)  # a bad value raises here: nothing is changed
    if setting.problem is None and setting.stored == keep.connection_days:
        print(f"De bewaartermijn was al {old} dagen; er is niets veranderd.")
        return 0
    store = open_keystore(config, args.dev_keyring)
    save_retention(config, keep)
    _audit(config, store, AuditAction.SETTING_CHANGED, setting=RETENTION_SETTING, old=old,
           new=keep.connection_days)  # fmt: skip
    _purge(config, store, keep)  # a shorter term applies at once
    print(f"Bewaartermijn van de verbindingslogboeken: {keep.connection_days} dagen (was {old}). "
          "Wat ouder is, is opgeschoond; een Klasgenoot die nu draait, gebruikt de nieuwe "
          "termijn vanaf de volgende start.")  # fmt: skip
    return 0
