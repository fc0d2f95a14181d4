"""``klasgenoot enroll code CODE --config DIR --url https://HOST:PORT [--ca-fingerprint FP]``.

One visit: the device makes its key (once) and request, pins the fleet CA by the
fingerprint the technician compares (typed in, or shown and confirmed), sends the
code and request to the helpdesk console and installs the bundle it gets back. When
the pairing's other device has not used its code yet, it waits (``--wait`` seconds,
checking every few seconds); run it again with the same code to go on waiting.
"""

from __future__ import annotations

import argparse
import sys
import time

from app.cli_enroll import ROLE_WORDS, device_args, key_store_arg, open_chosen, remember_choice
from app.helpdesk_setting import save_helpdesk_url
from pairing import codeenroll, device
from pairing.certificates import fingerprint
from pairing.enrollcode import parse
from pairing.enrollment import create_request
from pairing.errors import CaFingerprintMismatch, EnrollmentTimedOut
from pairing.identity import load_or_create_device_key

POLL_SECONDS = 2.0


def register(cmds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    code = cmds.add_parser("code", help="inschrijven met een code van de helpdesk (één bezoek)")
    code.add_argument("code", metavar="CODE", help="de code, bv. 74DAB-TCMUG")
    device_args(code)
    key_store_arg(code)
    code.add_argument("--url", required=True, help="adres van de helpdeskconsole (https://…)")
    code.add_argument("--ca-fingerprint", metavar="VINGERAFDRUK", help="anders getoond en gevraagd")
    code.add_argument(
        "--wait", type=float, default=900.0, metavar="SECONDEN",
        help="hoe lang wachten op het andere apparaat (standaard 900)",
    )  # fmt: skip
    code.set_defaults(func=_code)


def _confirm(lines: list[str]) -> bool:
    print("CA-vingerafdruk van de server (SHA-256):")
    for line in lines:
        print(f"  {line}")
    try:
        answer = input("Komt deze vingerafdruk overeen met die van de helpdesk? (j/N) ")
    except EOFError:
        return False
    return answer.strip().lower() in {"j", "ja", "y", "yes"}


def _code(args: argparse.Namespace) -> int:
    code = parse(args.code)  # a typo: said at once, the console is not asked
    url = codeenroll.ConsoleUrl.parse(args.url)
    ca = codeenroll.fetch_ca(url)
    if args.ca_fingerprint is not None:
        if not codeenroll.same_fingerprint(args.ca_fingerprint, ca):
            raise CaFingerprintMismatch()
    elif not _confirm(codeenroll.grouped(fingerprint(ca))):
        print("Niet ingeschreven; er is niets veranderd.", file=sys.stderr)
        return 1
    role = codeenroll.role_for_code(url, ca, code) if device.recorded_role(args.config) is None \
        else device.recorded_role(args.config)  # fmt: skip
    assert role is not None
    store = open_chosen(args)
    key = load_or_create_device_key(store)
    remember_choice(args)
    device.record_role(args.config, role)
    request = create_request(key, role)
    deadline = time.monotonic() + args.wait
    bundle = codeenroll.request_bundle(url, ca, code, request)
    if bundle is None:
        print(
            "Aangemeld. Wacht op het andere apparaat van de koppeling en op de vastgelegde "
            "toestemming …",
            flush=True,
        )
    while bundle is None:
        if time.monotonic() >= deadline:
            raise EnrollmentTimedOut()
        time.sleep(POLL_SECONDS)
        bundle = codeenroll.request_bundle(url, ca, code, request)
    installed = device.install_bundle(args.config, store, bundle, expected_role=role)
    save_helpdesk_url(args.config, args.url)  # for "report a fault" in technician mode
    print(f"Ingeschreven als {ROLE_WORDS[role]}.")
    print(f"Apparaatcode:   {installed.device_id}")
    print(f"Gekoppeld met:  {installed.peer_device_id}")
    return 0
