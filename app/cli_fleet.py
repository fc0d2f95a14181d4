"""``klasgenoot fleet …``: the operator's commands (fleet CA, pairing, revocation).

No Qt here: these run on the operator's server. The CA passphrase comes from
``KLASGENOOT_FLEET_PASSPHRASE`` (for scripts) or is asked for (twice at ``init``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from common.errors import KlasgenootError
from pairing.bundle import MAX_BUNDLE
from pairing.certificates import fingerprint_lines
from pairing.enrollment import MAX_REQUEST_PEM, load_pair_requests
from pairing.errors import (
    AlreadyRevoked,
    DateInvalid,
    FileAccessFailed,
    FleetSettingsInvalid,
    PassphraseMismatch,
    PassphraseMissing,
)
from pairing.fleet import ca_fingerprint, init_fleet, pair, read_records, revoke
from pairing.issued import IssuedRecord, matcher, revoked_before

PASSPHRASE_ENV = "KLASGENOOT_FLEET_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)
DEFAULT_SERVER_NAME = "localhost"
MAX_INPUT = max(MAX_REQUEST_PEM, MAX_BUNDLE)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fleet = sub.add_parser(
        "fleet",
        help="de vloot beheren: CA aanmaken, apparaten koppelen, intrekken (beheerder)",
        description="Beheer van de vloot-CA. Het wachtwoord komt uit "
        f"{PASSPHRASE_ENV} of wordt gevraagd.",
    )
    cmds = fleet.add_subparsers(dest="fleet_command", required=True, metavar="ACTIE")

    init = cmds.add_parser("init", help="een nieuwe vloot aanmaken in een lege map")
    init.add_argument(
        "--data", type=Path, required=True, help="beheermap van de vloot (leeg of nieuw)"
    )
    init.add_argument(
        "--server-name",
        help="DNS-naam of IP van de signaleringsserver, zoals apparaten hem bereiken "
        f"(standaard {DEFAULT_SERVER_NAME}: alleen deze computer)",
    )
    init.add_argument(
        "--signaling-url",
        action="append",
        help="wss://-adres van de server (standaard wss://NAAM:8443/ws); herhaal het voor "
        "elke serverinstantie (hoogstens 8): apparaten wisselen zelf als er één wegvalt",
    )
    init.add_argument(
        "--ice-servers",
        default="[]",
        help='JSON-lijst, bv. [{"urls": ["turn:turn.school.nl:3478"]}] (standaard geen)',
    )
    init.set_defaults(func=_init)

    pairing = cmds.add_parser("pair", help="een leerlinglaptop en een klasapparaat koppelen")
    pairing.add_argument("--data", type=Path, required=True, help="beheermap van de vloot")
    pairing.add_argument(
        "--until", required=True, metavar="JJJJ-MM-DD", help="einddatum (hoogstens 13 maanden)"
    )
    pairing.add_argument("--student-request", type=Path, required=True, metavar="BESTAND")
    pairing.add_argument("--classroom-request", type=Path, required=True, metavar="BESTAND")
    pairing.add_argument(
        "--out", type=Path, required=True, metavar="MAP", help="map voor de twee bundels"
    )
    pairing.set_defaults(func=_pair)

    rev = cmds.add_parser("revoke", help="een apparaat of koppeling intrekken")
    rev.add_argument("--data", type=Path, required=True, help="beheermap van de vloot")
    rev.add_argument(
        "target",
        metavar="APPARAATCODE|KOPPELING",
        help="apparaatcode (volledig, of de eerste zeven tekens zoals in het serverlogboek) "
        "of koppelingscode pair-…",
    )
    rev.set_defaults(func=_revoke)

    from app import cli_turn  # here: it takes the passphrase helper from this module

    cli_turn.register(cmds)


def read_input(path: Path, limit: int = MAX_INPUT) -> bytes:
    """A small input file; the loaders refuse what is over their own limit."""
    try:
        with path.open("rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise FileAccessFailed(str(path)) from exc


def passphrase(confirm: bool = False) -> str:
    """The CA passphrase from the environment, or asked for (twice when ``confirm``)."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    try:
        value = getpass.getpass("Wachtwoord van de vloot-CA: ")
        if confirm and getpass.getpass("Nog een keer: ") != value:
            raise PassphraseMismatch()
    except EOFError as exc:
        raise PassphraseMissing() from exc
    if not value:
        raise PassphraseMissing()
    return value


def parse_date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError as exc:
        raise DateInvalid(text[:40]) from exc


def _ice_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FleetSettingsInvalid("--ice-servers is not JSON") from exc


def _init(args: argparse.Namespace) -> int:
    ice = _ice_json(args.ice_servers)
    if not isinstance(ice, list):
        raise FleetSettingsInvalid("--ice-servers must be a JSON list")
    settings = init_fleet(
        args.data,
        passphrase(confirm=True),
        server_name=args.server_name or DEFAULT_SERVER_NAME,
        signaling_url=args.signaling_url,
        ice_servers=ice,
    )
    print(f"Vloot aangemaakt in {args.data}")
    for url in settings.signaling_urls:
        print(f"Signaleringsserver: {url}")
    if args.server_name is None:
        print(
            f"Let op: zonder --server-name is de servernaam '{DEFAULT_SERVER_NAME}'. Het "
            "certificaat van de server geldt dan alleen op deze computer, en koppelbestanden "
            f"wijzen naar {settings.signaling_url}. Maak voor echte apparaten een nieuwe "
            "vloot in een lege map, met --server-name en de naam waarmee apparaten de "
            "server bereiken (bijvoorbeeld --server-name signal.school.nl).",
            file=sys.stderr,
        )
    print(f"ICE-servers: {len(settings.ice_servers)}")
    _print_fingerprint(args.data)
    print("Maak nu een reservekopie van ca-key.pem en bewaar het wachtwoord apart.")
    return 0


def _print_fingerprint(data: Path) -> None:
    """As ``enroll install`` and the first-run screen show it: the technician compares."""
    print("CA-vingerafdruk (SHA-256):")
    for line in fingerprint_lines(
        ca_fingerprint(data)
    ):  # four lines of eight, as the device shows it
        print(f"  {line}")
    print("Geef deze vingerafdruk aan de technicus: een apparaat toont hem bij het "
          "installeren van zijn bundel.")  # fmt: skip


def _pair(args: argparse.Namespace) -> int:
    until = parse_date(args.until)
    student = read_input(args.student_request)
    classroom = read_input(args.classroom_request)
    _warn_revoked_before(args.data, student, classroom)
    result = pair(args.data, passphrase(), student, classroom, until=until, out_dir=args.out)
    print(f"Koppeling:        {result.pairing_id}")
    print(f"Leerling:         {result.student_id}")
    print(f"Klas:             {result.classroom_id}")
    print(f"Geldig tot:       {result.not_after:%Y-%m-%d %H:%M:%S} UTC")
    print(f"Bundel leerling:  {result.student_bundle}")
    print(f"Bundel klas:      {result.classroom_bundle}")
    _print_fingerprint(args.data)
    if result.crl is not None:
        print(
            f"Oude koppeling ingetrokken: {len(result.revoked)} certificaten, "
            f"intrekkingslijst nummer {result.crl.number}"
        )
    return 0


def _warn_revoked_before(data: Path, student: bytes, classroom: bytes) -> None:
    """A request from a device that was revoked before (a lost laptop that turns up
    again?) is worth a second look before it gets a new certificate: warn, go on."""
    try:
        requests = load_pair_requests(student, classroom)
        records = read_records(data)
    except KlasgenootError:
        return  # pair() itself says what is wrong with them
    for request, who in zip(requests, ("leerling", "klas"), strict=True):
        pairings = revoked_before(records, request.device_id)
        if pairings:
            print(f"klasgenoot: let op: de aanvraag van de {who} komt van apparaat "
                  f"{request.device_id.short}, dat eerder is ingetrokken ({', '.join(pairings)}). "
                  "Koppel het alleen als het terecht terug is.", file=sys.stderr)  # fmt: skip


def _revoke(args: argparse.Namespace) -> int:
    records = read_records(args.data)
    matches = matcher(args.target, records)  # unknown or ambiguous: refused right here
    targets = [r for r in records if matches(r)]
    try:
        if targets and all(r.revoked for r in targets):  # no passphrase asked for nothing
            raise AlreadyRevoked()
        crl = revoke(args.data, passphrase(), args.target)
    except AlreadyRevoked as exc:
        print(exc)  # not an error: what was asked for is true; exit code 0
    else:
        fresh = sorted(crl.serials - {r.serial for r in records if r.revoked})
        print(f"Intrekkingslijst nummer {crl.number}")
        print("Ingetrokken serienummers: " + ", ".join(str(s) for s in fresh))
        print(f"In totaal ingetrokken: {len(crl.serials)}")
    _purge_server_logs(args.data, targets)
    return 0


def _purge_server_logs(data: Path, records: list[IssuedRecord]) -> None:
    """The server's log lines about revoked devices and their pairings go too (a
    server running on this folder also purges what it writes after the new CRL)."""
    from privacy.applog import purge_lines
    from privacy.files import state_dir

    needles = {r.device_id.short for r in records} | {r.pairing_id for r in records}
    removed = purge_lines(state_dir(data), needles)
    if removed:
        print(f"Serverlogboek: {removed} regels over deze apparaten verwijderd")
