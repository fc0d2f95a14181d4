"""``klasgenoot console …``: the helpdesk console and its command-line twins.

- ``console --data FLEET [--host H] [--port P] [--status-url URL]`` runs the web
  console (TLS with the fleet's server certificate) until SIGTERM or Ctrl+C; the first
  stdout line is ``listening on port N`` (``--port 0`` picks a free one).
- ``console user add NAME --role helpdesk|operator --data FLEET`` makes an account
  and prints its TOTP ``otpauth://`` URI (and a QR code) once. The password comes
  from ``KLASGENOOT_CONSOLE_PASSWORD`` (scripts) or is asked for twice.
- ``console pair LABEL --data FLEET [--until DATE] [--consent-date D --consent-ref R]``
  makes a pairing and prints one enrollment code per role, and the CA fingerprint the
  technician compares. Without consent the devices wait until it is recorded.

The fleet CA passphrase comes as for ``fleet`` (``KLASGENOOT_FLEET_PASSPHRASE`` or asked).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import getpass
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli_fleet import parse_date, passphrase
from app.cli_server import port_number

if TYPE_CHECKING:
    from console.server import ConsoleConfig

PASSWORD_ENV = "KLASGENOOT_CONSOLE_PASSWORD"  # noqa: S105 (a variable name, not a secret)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    console = sub.add_parser(
        "console",
        help="de helpdeskconsole draaien, accounts maken, codes uitgeven (beheerder)",
        description="De webconsole van de helpdesk, naast de signaleringsserver.",
    )
    console.add_argument("--data", type=Path, help="vlootmap")
    console.add_argument("--host", default="127.0.0.1", help="adres (standaard 127.0.0.1)")
    console.add_argument("--port", type=port_number, default=8445, help="poort (standaard 8445)")
    console.add_argument(
        "--status-url",
        default="http://127.0.0.1:8444/status",
        help="statusadres van de signaleringsserver (zijn gezondheidspoort, alleen lokaal)",
    )
    console.set_defaults(func=_serve)
    cmds = console.add_subparsers(dest="console_command", required=False, metavar="ACTIE")

    user = cmds.add_parser("user", help="accounts van de console")
    user_cmds = user.add_subparsers(dest="user_command", required=True, metavar="ACTIE")
    add = user_cmds.add_parser("add", help="een account maken (toont de TOTP-code één keer)")
    add.add_argument("name", metavar="NAAM")
    add.add_argument("--role", required=True, choices=["helpdesk", "operator"])
    add.add_argument("--data", type=Path, default=argparse.SUPPRESS, help="vlootmap")
    add.set_defaults(func=_user_add)

    pair = cmds.add_parser("pair", help="een koppeling maken en twee inschrijfcodes uitgeven")
    pair.add_argument("label", metavar="LABEL", help="pseudoniem, bv. KG-0042 (nooit een naam)")
    pair.add_argument("--data", type=Path, default=argparse.SUPPRESS, help="vlootmap")
    pair.add_argument("--until", metavar="JJJJ-MM-DD", help="einddatum (standaard over 12 maanden)")
    pair.add_argument(
        "--consent-date",
        metavar="JJJJ-MM-DD",
        help="datum van het ondertekende toestemmingsformulier",
    )
    pair.add_argument(
        "--consent-ref", metavar="VERWIJZING", help="waar het formulier ligt (geen naam)"
    )
    pair.set_defaults(func=_pair)


def _data(args: argparse.Namespace) -> Path:
    data = getattr(args, "data", None)
    if data is None:
        print("klasgenoot: geef de vlootmap op met --data.", file=sys.stderr)
        raise SystemExit(2)
    return Path(data)


def _password() -> str:
    from console.errors import PasswordMismatch, PasswordMissing

    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise PasswordMissing()
    first = getpass.getpass("Wachtwoord voor het account: ")
    if getpass.getpass("Nog een keer: ") != first:
        raise PasswordMismatch()
    return first


def _user_add(args: argparse.Namespace) -> int:
    import segno

    from console.accounts import Role, add_user, check_name
    from console.store import Store
    from pairing.fleet import load_settings

    data = _data(args)
    load_settings(data)  # FleetNotInitialised before anything is made
    check_name(args.name)
    store = Store(data)
    try:
        uri = add_user(store, args.name, Role(args.role), _password())
    finally:
        store.close()
    print(f"Account {args.name} ({args.role}) gemaakt.")
    print("Scan deze code met een authenticator-app; hij wordt maar één keer getoond:")
    segno.make(uri, error="m").terminal(compact=True)
    print(uri)
    return 0


def _pair(args: argparse.Namespace) -> int:
    from console.registry import create_pairing
    from console.service import check_consent, record_consent
    from console.store import Store
    from pairing.codeenroll import grouped
    from pairing.enrollcode import shown
    from pairing.fleet import ca_fingerprint
    from pairing.issued import add_months

    data = _data(args)
    fp = ca_fingerprint(data)  # FleetNotInitialised before anything is made
    until = parse_date(args.until) if args.until else add_months(dt.date.today(), 12)
    consent = None
    if args.consent_date or args.consent_ref:
        day = parse_date(args.consent_date or "")
        consent = (day, check_consent(day, args.consent_ref or ""))
    store = Store(data)
    try:
        pid, issued = create_pairing(store, args.label, until, "cli")
        if consent is not None:
            record_consent(store, pid, consent[0], consent[1], "cli")
    finally:
        store.close()
    if consent is None:
        print("Let op: nog geen toestemming vastgelegd. De apparaten kunnen hun code gebruiken,")
        print("maar worden pas geactiveerd als de toestemming in de console is vastgelegd.")
    print(f"Koppeling {args.label.strip().upper()} tot {until.isoformat()}.")
    print("Inschrijfcodes (24 uur geldig, één keer te gebruiken, maar één keer getoond):")
    for role, code in issued.items():
        print(f"  {role.value:<10} {shown(code)}")
    print("CA-vingerafdruk (SHA-256):")
    for line in grouped(fp):
        print(f"  {line}")
    return 0


CREDENTIAL = "fleet-passphrase"  # systemd's LoadCredentialEncrypted= name (the unit)


def credential_passphrase(environ: Mapping[str, str]) -> str | None:
    """The passphrase systemd decrypted for this start, if the unit gave one: kept
    encrypted at rest (systemd-creds), never in an environment file."""
    folder = environ.get("CREDENTIALS_DIRECTORY")
    if not folder:
        return None
    try:
        return (Path(folder) / CREDENTIAL).read_text(encoding="utf-8").rstrip("\n") or None
    except OSError:
        return None


def _serve(args: argparse.Namespace) -> int:
    if getattr(args, "console_command", None) is not None:
        return 2  # a subcommand without its own func: argparse already said so
    from console.server import ConsoleConfig

    data = _data(args)
    config = ConsoleConfig(host=args.host, port=args.port, status_url=args.status_url)
    secret = credential_passphrase(os.environ) or passphrase()
    return asyncio.run(_run(data, secret, config))


async def _run(data: Path, secret: str, config: ConsoleConfig) -> int:
    from console.server import start_console

    running = await start_console(data, secret, config)
    print(f"listening on port {running.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await running.stop()
    return 0
