"""``klasgenoot technician report --config DIR --url https://HOST:PORT [--yes]``.

"Storing melden" from the command line: builds the technical report
(app/faultreport.py), shows exactly what will be sent, and after a "ja" sends it to
the helpdesk console, signed with the device key over TLS pinned to the fleet CA.
"""

from __future__ import annotations

import argparse
import sys

from app.cli_enroll import YES, device_args
from app.faultreport import build_report, report_bytes
from app.helpdesk_setting import HelpdeskUnknown, read_helpdesk_url
from pairing import device
from pairing.codeenroll import ConsoleUrl
from pairing.faultsend import send_report
from pairing.keystore import open_keystore


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = actions.add_parser(
        "report",
        help="een storing melden bij de helpdesk (laat eerst zien wat er verstuurd wordt)",
    )
    device_args(report)
    report.add_argument(
        "--url", help="adres van de helpdeskconsole (standaard: dat van de inschrijving met code)"
    )
    report.add_argument("--yes", action="store_true", help="niet om bevestiging vragen")
    report.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    address = args.url or read_helpdesk_url(args.config)
    if address is None:
        raise HelpdeskUnknown()
    url = ConsoleUrl.parse(address)
    store = open_keystore(args.config, args.dev_keyring)
    enrolled = device.load_device(args.config, store)
    body = report_bytes(build_report(args.config, enrolled))
    print("Dit wordt naar de helpdesk gestuurd (geen beeld, geluid, adressen of namen):")
    print(body.decode())
    if not args.yes:
        try:
            answer = input("Versturen? (j/N) ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in YES:
            print("Niet verstuurd.", file=sys.stderr)
            return 1
    number = send_report(url, enrolled.credentials, body)
    print(f"Storingsmelding #{number} verstuurd.")
    return 0
