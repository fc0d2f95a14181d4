"""``klasgenoot logs show|export|erase|verify`` and ``klasgenoot wipe``.

The rights of access, portability and erasure (docs/privacy.md) for a technician
at the device, and the wipe at service end. Wipe spans packages (key store and
certificates in pairing/, logs in privacy/, the UI's settings file), so it is
orchestrated here; :func:`wipe_device` is also what the technician screen's
button calls. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from app.cli_enroll import device_args
from app.settings import FILENAME as SETTINGS_FILE
from common.errors import KlasgenootError
from pairing import device
from pairing.identity import delete_device_key, device_id, load_device_key
from pairing.keystore import DevFileKeyStore, KeyStore, open_keystore
from privacy.audit import AUDIT_SECRET_NAME, AuditTrail, new_secret
from privacy.codes import ActorRole, AuditAction
from privacy.erase import erase_logs, overwrite_and_remove
from privacy.errors import AuditSecretMissing, AuditUnavailable, WipeIncomplete
from privacy.export import DeviceInfo, export_document, export_json, write_export
from privacy.files import state_dir
from privacy.keeplist import render_text
from privacy.overview import load_overview
from privacy.retention import Retention
from privacy.store import ConnectionLog
from privacy.wipe import wipe_state

YES = {"j", "ja", "y", "yes"}
SETTINGS = SETTINGS_FILE  # the kiosk UI's settings (app/settings.py)
RETENTION_SETTING = "log_retention_days"
BUNDLE_GLOB = "*.klasgenoot"
DEVICE_FILES = (device.CERTIFICATE, device.CA_CERT, device.DEVICE_JSON, device.CRL, SETTINGS)


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
    export.add_argument("--out", type=Path, metavar="BESTAND", help="bestand (anders stdout)")
    export.set_defaults(func=_export)
    erase = cmds.add_parser("erase", help="verbindings- en programmalogboeken wissen")
    device_args(erase)
    erase.add_argument("--yes", action="store_true", help="niet om bevestiging vragen")
    erase.set_defaults(func=_erase)
    verify = cmds.add_parser("verify", help="controleren dat het auditlogboek klopt")
    device_args(verify)
    verify.set_defaults(func=_verify)

    wipe = sub.add_parser(
        "wipe",
        help="alles van dit apparaat wissen (einde dienst)",
        description="Wist de apparaatsleutel, de auditsleutel, de certificaten, de "
        "koppeling, de instellingen en alle logboeken. Daarna begint het apparaat "
        "opnieuw bij het inrichten.",
    )
    device_args(wipe)
    wipe.add_argument("--yes", action="store_true", help="niet om bevestiging vragen")
    wipe.set_defaults(func=_wipe)


# -- helpers ------------------------------------------------------------------------


# The GUI thread (technician actions) and the engine thread (connection log) may
# both ask first: without this they could each make a secret and sign with it.
_SECRET_LOCK = threading.Lock()


def audit_secret(store: KeyStore, *, create: bool) -> bytes | None:
    """The audit secret from the key store; made on first use when ``create``."""
    with _SECRET_LOCK:
        secret = store.get(AUDIT_SECRET_NAME)
        if secret is None and create:
            store.set(AUDIT_SECRET_NAME, new_secret())
            secret = store.get(AUDIT_SECRET_NAME)  # read back: some backends drop values
            if secret is None:
                raise AuditUnavailable("key store did not keep the audit secret")
        return secret


def retention(config: Path) -> Retention:
    """The device's retention setting from the UI's settings file, else the default."""
    try:
        doc = json.loads((config / SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Retention()
    if not isinstance(doc, dict) or RETENTION_SETTING not in doc:
        return Retention()
    return Retention.from_setting(doc[RETENTION_SETTING])


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


def _purge(config: Path, store: KeyStore, keep: Retention) -> None:
    """Apply retention before anything is shown or exported (the app may not have run)."""
    try:
        secret = audit_secret(store, create=False)
    except KlasgenootError:
        secret = None
    log = ConnectionLog.open(state_dir(config), secret=secret, retention=keep)
    log.purge()
    log.close()


def _audit(config: Path, store: KeyStore, action: AuditAction) -> None:
    try:
        secret = audit_secret(store, create=True)
        assert secret is not None
        AuditTrail(state_dir(config), secret).record(ActorRole.TECHNICIAN, action)
    except KlasgenootError as exc:
        print(f"klasgenoot: let op: niet in het auditlogboek gezet: {exc}", file=sys.stderr)


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} (ja/N) ")
    except EOFError:
        return False
    return answer.strip().lower() in YES


# -- logs -----------------------------------------------------------------------------


def _show(args: argparse.Namespace) -> int:
    keep = retention(args.config)
    if args.fields:
        sys.stdout.write(render_text(keep))
        return 0
    store = open_keystore(args.config, args.dev_keyring)
    _purge(args.config, store, keep)
    info = device_info(args.config, store).as_json()
    view = load_overview(state_dir(args.config), limit=max(1, args.limit), retention=keep)
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
    return 0


def _export(args: argparse.Namespace) -> int:
    store = open_keystore(args.config, args.dev_keyring)
    keep = retention(args.config)
    _purge(args.config, store, keep)
    doc = export_document(
        state_dir(args.config), device=device_info(args.config, store), retention=keep
    )
    if args.out is None:
        sys.stdout.write(export_json(doc))
    else:
        write_export(args.out, doc)
        print(f"Geëxporteerd naar {args.out}", file=sys.stderr)
    _audit(args.config, store, AuditAction.LOGS_EXPORTED)
    return 0


def _erase(args: argparse.Namespace) -> int:
    store = open_keystore(args.config, args.dev_keyring)
    if not args.yes and not _confirm("Alle verbindings- en programmalogboeken wissen?"):
        print("Niet gewist; er is niets veranderd.", file=sys.stderr)
        return 1
    report = erase_logs(state_dir(args.config))
    _audit(args.config, store, AuditAction.LOGS_ERASED)
    print(f"Gewist: {report.sessions} verbindingen, {report.events} gebeurtenissen, "
          f"{report.log_files} programmalogbestanden.")  # fmt: skip
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = open_keystore(args.config, args.dev_keyring)
    secret = audit_secret(store, create=False)
    if secret is None:
        view = load_overview(state_dir(args.config), limit=1)
        if view.counts["audit"]:
            raise AuditSecretMissing()
        print("ok (0 records)")
        return 0
    verdict = AuditTrail(state_dir(args.config), secret).verify()
    verdict.raise_if_broken()
    print(f"ok ({verdict.checked} records)")
    return 0


# -- wipe -----------------------------------------------------------------------------


@dataclass
class WipeOutcome:
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def wipe_device(config: Path, store: KeyStore) -> WipeOutcome:
    """Return the device to first run: keys, certificates, pairing, settings, logs.

    The keys go first: should anything after them fail, the device can no longer
    connect as itself, which is what a wipe is for. Everything is attempted; what
    could not be removed is listed in ``failed``.
    """
    out = WipeOutcome()
    for name, delete in (
        ("device-key", delete_device_key),
        (AUDIT_SECRET_NAME, lambda s: s.delete(AUDIT_SECRET_NAME)),
    ):
        try:
            delete(store)
            out.removed.append(name)
        except KlasgenootError:
            out.failed.append(name)
    bundles = sorted(config.glob(BUNDLE_GLOB)) if config.is_dir() else []
    for path in [config / name for name in DEVICE_FILES] + bundles:
        if path.exists() or path.is_symlink():
            (out.removed if overwrite_and_remove(path) else out.failed).append(path.name)
    report = wipe_state(state_dir(config))
    out.failed += report.failed
    if report.removed:
        out.removed.append(f"{report.removed} log file(s)")
    if isinstance(store, DevFileKeyStore):
        _remove_empty_dev_store(store.path, out)
    return out


def _remove_empty_dev_store(path: Path, out: WipeOutcome) -> None:
    try:
        empty = json.loads(path.read_text(encoding="utf-8")) == {}
    except (OSError, ValueError):
        return
    if empty:
        (out.removed if overwrite_and_remove(path) else out.failed).append(path.name)


def _wipe(args: argparse.Namespace) -> int:
    store = open_keystore(args.config, args.dev_keyring)
    if not args.yes:
        print(
            "Dit wist de sleutels, certificaten, koppeling, instellingen en alle logboeken "
            f"van het apparaat in {args.config}. Dat kan niet ongedaan worden."
        )
        if not _confirm("Alles van dit apparaat wissen?"):
            print("Niet gewist; er is niets veranderd.", file=sys.stderr)
            return 1
    outcome = wipe_device(args.config, store)
    if outcome.failed:
        raise WipeIncomplete(", ".join(outcome.failed))
    print("Het apparaat is gewist. Bij de volgende start begint het opnieuw bij het inrichten.")
    return 0
