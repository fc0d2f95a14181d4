"""``klasgenoot enroll …``: the technician's commands on a device.

``request`` makes (once) the device key in the chosen key store (``--key-store``: the
OS keyring on a laptop, systemd-creds on a classroom unit) and writes an enrollment
request; ``install`` checks a bundle from the operator and installs it after the
technician has compared the CA fingerprint; ``show`` tells what this device is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from app.cli_fleet import read_input
from common.paths import write_private_file
from pairing import device
from pairing.certificates import fingerprint_lines, utcnow
from pairing.enrollment import create_request
from pairing.errors import FileAccessFailed, NotEnrolled
from pairing.identity import device_id, load_device_key, load_or_create_device_key
from pairing.keychoice import KeyStoreChoice, KeyStoreKind, choose
from pairing.keystore import DEV_ENV, KeyStore, open_keystore, store_facts
from pairing.roles import Role

YES = {"j", "ja", "y", "yes"}
# The role as a technician says it; --role keeps the English values of Role.
ROLE_WORDS = {Role.STUDENT: "leerling", Role.CLASSROOM: "klas"}
KEY_STORE_WORDS = {
    KeyStoreKind.KEYRING: "sleutelbos van het systeem",
    KeyStoreKind.SYSTEMD_CREDS: "systemd-creds",
    KeyStoreKind.DEV_FILE: "ontwikkelaarsbestand (niet voor echt gebruik)",
}
SEAL_WORDS = {"host": "hostsleutel", "host+tpm2": "TPM2 + hostsleutel"}


def device_args(parser: argparse.ArgumentParser) -> None:
    """--config and --dev-keyring, as every command about one device takes them."""
    parser.add_argument(
        "--config", type=Path, required=True, metavar="MAP", help="instellingenmap van dit apparaat"
    )
    parser.add_argument(
        "--dev-keyring",
        action="store_const",
        const=True,
        default=None,
        help=f"ontwikkelaars-sleutelbestand i.p.v. de sleutelbos (ook: {DEV_ENV}=1)",
    )


def key_store_arg(parser: argparse.ArgumentParser) -> None:
    """--key-store: where a new device keeps its key (recorded; later runs follow it)."""
    parser.add_argument(
        "--key-store",
        choices=[k.value for k in KeyStoreKind],
        help="waar de sleutel van dit apparaat komt (standaard: keyring; een klaslokaalunit: "
        "systemd-creds); wordt in de instellingenmap vastgelegd",
    )


def _asked(args: argparse.Namespace) -> KeyStoreKind | None:
    text: str | None = getattr(args, "key_store", None)
    return None if text is None else KeyStoreKind(text)


def open_chosen(args: argparse.Namespace) -> KeyStore:
    """The key store for an enrollment; another store than the recorded one is refused
    before anything is written."""
    return open_keystore(args.config, args.dev_keyring, _asked(args))


def remember_choice(args: argparse.Namespace) -> None:
    """Record the technician's --key-store once the key is in it (a failure writes none)."""
    kind = _asked(args)
    if kind is not None:
        choose(args.config, kind)


def key_store_text(choice: KeyStoreChoice | None) -> str:
    """The recorded key store as the technician reads it, e.g. "systemd-creds (hostsleutel)"."""
    if choice is None:
        return "-"
    text = KEY_STORE_WORDS[choice.kind]
    return f"{text} ({SEAL_WORDS[choice.sealed_with]})" if choice.sealed_with else text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    enroll = sub.add_parser("enroll", help="dit apparaat inrichten en koppelen (technicus)")
    cmds = enroll.add_subparsers(dest="enroll_command", required=True, metavar="ACTIE")

    req = cmds.add_parser("request", help="sleutel maken (eenmalig) en een aanvraag schrijven")
    device_args(req)
    req.add_argument("--role", required=True, choices=[r.value for r in Role])
    req.add_argument("--out", type=Path, metavar="BESTAND", help="aanvraagbestand (anders stdout)")
    key_store_arg(req)
    req.set_defaults(func=_request)

    inst = cmds.add_parser("install", help="een bundel van de beheerder installeren")
    inst.add_argument("bundle", type=Path, metavar="BUNDEL", help="het .klasgenoot-bestand")
    device_args(inst)
    inst.add_argument("--yes", action="store_true", help="niet om bevestiging vragen")
    inst.set_defaults(func=_install)

    show = cmds.add_parser(
        "show", help="laten zien wie dit apparaat is en waarmee het gekoppeld is"
    )
    device_args(show)
    show.set_defaults(func=_show)

    from app import cli_enrollcode  # here: it takes device_args from this module

    cli_enrollcode.register(cmds)


def _request(args: argparse.Namespace) -> int:
    role = Role(args.role)
    store = open_chosen(args)
    device.record_role(args.config, role)
    key = load_or_create_device_key(store)
    remember_choice(args)
    csr = create_request(key, role)
    ident = device_id(key)
    if args.out is None:
        sys.stdout.write(csr.decode())
        print(f"Apparaatcode: {ident}", file=sys.stderr)
        return 0
    try:
        write_private_file(args.out, csr)
    except OSError as exc:
        raise FileAccessFailed(str(args.out)) from exc
    print(f"Apparaatcode: {ident}")
    print(f"Rol:          {ROLE_WORDS[role]}")
    print(f"Sleutel in:   {key_store_text(store_facts(args.config, store))}")
    print(f"Aanvraag:     {args.out}")
    return 0


def _describe(info: device.InstalledDevice, now: dt.datetime) -> None:
    expired = " (VERLOPEN)" if info.not_after < now else ""
    print(f"Apparaatcode:   {info.device_id}")
    print(f"Rol:            {ROLE_WORDS[info.role]}")
    print(f"Koppeling:      {info.pairing_id}")
    print(f"Gekoppeld met:  {info.peer_device_id}")
    print(f"Geldig tot:     {info.not_after:%Y-%m-%d %H:%M:%S} UTC{expired}")
    for url in info.signaling_urls:
        print(f"Server:         {url}")
    print("CA-vingerafdruk (SHA-256):")
    for line in fingerprint_lines(
        info.ca_fingerprint
    ):  # four lines of eight, as the device shows it
        print(f"  {line}")


def _confirm() -> bool:
    try:
        answer = input("Komt deze vingerafdruk overeen met die van de beheerder? (j/N) ")
    except EOFError:
        return False
    return answer.strip().lower() in YES


def _install(args: argparse.Namespace) -> int:
    data = read_input(args.bundle)
    store = open_keystore(args.config, args.dev_keyring)
    preview = device.inspect_bundle(args.config, store, data)
    _describe(preview, utcnow())
    if not args.yes and not _confirm():
        print("Niet geïnstalleerd; er is niets veranderd.", file=sys.stderr)
        return 1
    device.install_bundle(args.config, store, data)
    print("Bundel geïnstalleerd.")
    return 0


def _show(args: argparse.Namespace) -> int:
    store = open_keystore(args.config, args.dev_keyring)
    try:
        config = device.load_device(args.config, store)
    except NotEnrolled:
        key = load_device_key(store)
        if key is None:
            raise
        role = device.recorded_role(args.config)
        print(f"Apparaatcode:   {device_id(key)}")
        print(f"Rol:            {ROLE_WORDS[role] if role else '-'}")
        print("Koppeling:      nog niet gekoppeld")
        print(f"Sleutel in:     {key_store_text(store_facts(args.config, store))}")
        return 0
    info = config.info
    _describe(
        device.InstalledDevice(
            device_id=info.device_id,
            role=info.role,
            pairing_id=info.pairing_id,
            peer_device_id=info.peer_id,
            not_after=info.not_after,
            signaling_urls=config.signaling_urls,
            ca_fingerprint=config.ca_fingerprint,
        ),
        utcnow(),
    )
    print(f"Sleutel in:     {key_store_text(store_facts(args.config, store))}")
    return 0
