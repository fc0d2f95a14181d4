"""``klasgenoot technician reset-pin``: the recovery path for a lost or damaged PIN.

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

from app.audit import AuditLog
from app.cli_enroll import device_args
from app.settings import SettingsStore
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

    from app import cli_report  # here: it takes device_args from cli_enroll, as this does

    cli_report.register(actions)


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
