"""``klasgenoot technician reset-pin``: the recovery path for a lost or damaged PIN.

(``technician seal-keys`` is the classroom unit's root helper: pairing/credseal.py.)

When the device's settings file is damaged, technician mode stays shut (it never
offers to set a new PIN on screen: anyone in class could). Whoever can reach the
device's command line as its user is the technician, so a new PIN is set here,
typed twice without echo, and the change goes into the audit trail (no value).
The PIN code (app.technician.pin) is imported only when the command runs: its
package carries the Qt screens, and building the parser must not need Qt.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from app.audit import AuditLog
from app.cli_enroll import device_args
from app.settings import SettingsStore
from pairing.credseal import seal_pending
from pairing.credstore import DEFAULT_SEAL_DIR, PLAIN
from pairing.keystore import open_keystore
from privacy.errors import DeviceFolderMissing

AUDIT_SETTING = "technician_pin"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    technician = sub.add_parser("technician", help="technicusmodus van dit apparaat")
    actions = technician.add_subparsers(dest="action", required=True, metavar="ACTION")
    reset = actions.add_parser(
        "reset-pin",
        help="een nieuwe pincode voor de technicus instellen",
        description="Stelt een nieuwe pincode (4 tot 12 cijfers) voor technicusmodus in, "
        "bijvoorbeeld als de oude beschadigd is. Wist ook een blokkering na te veel "
        "foute pogingen. Komt in het auditlogboek, zonder de pincode.",
    )
    device_args(reset)
    reset.set_defaults(func=_reset_pin)

    seal = actions.add_parser(
        "seal-keys",
        help="sleutels van de klaslokaalunit versleutelen met systemd-creds (root; "
        "klasgenoot-kiosk-seal.service)",
        description="Versleutelt wat de klaslokaalunit in de overdrachtsmap klaarzette met "
        "systemd-creds (TPM2 en hostsleutel, of alleen de hostsleutel) in de map "
        "credentials/ van het apparaat, en wist de overdracht. Draait als root, gestart "
        "door klasgenoot-kiosk-seal.path; zie docs/deployment.md.",
    )
    seal.add_argument("--config", type=Path, required=True, metavar="MAP",
                      help="instellingenmap van de klaslokaalunit")  # fmt: skip
    seal.add_argument("--seal-dir", type=Path, default=DEFAULT_SEAL_DIR, metavar="MAP",
                      help=f"de overdrachtsmap (standaard {DEFAULT_SEAL_DIR})")  # fmt: skip
    seal.set_defaults(func=_seal_keys)

    from app import cli_report  # here: it takes device_args from cli_enroll, as this does

    cli_report.register(actions)


def _seal_keys(args: argparse.Namespace) -> int:
    # Started for nothing (at install): fine. With a key waiting, the folder must be
    # there (tmpfiles makes it, owned by the kiosk user; root never creates it).
    if not args.config.is_dir() and any(args.seal_dir.glob(f"*{PLAIN}")):
        raise DeviceFolderMissing(str(args.config))
    sealed = seal_pending(args.config, args.seal_dir)
    print(f"Versleuteld: {', '.join(sealed) if sealed else 'niets'}")
    return 0


def _reset_pin(args: argparse.Namespace) -> int:
    from app.technician.pin import PinInvalid, PinStore  # see the module docstring

    config = args.config
    if not config.is_dir():
        raise DeviceFolderMissing(str(config))
    try:
        pin = getpass.getpass("Nieuwe pincode voor de technicus (4 tot 12 cijfers): ")
        again = getpass.getpass("Nog een keer: ")
    except EOFError as exc:
        raise PinInvalid() from exc
    store = open_keystore(config, args.dev_keyring)
    PinStore(SettingsStore(config)).set_pin(pin, again)  # PinInvalid/PinMismatch: unchanged
    AuditLog(config, store).setting(AUDIT_SETTING, None, None, sensitive=True)
    print("De pincode van de technicus is ingesteld. Technicusmodus opent weer met deze pincode.")
    return 0
