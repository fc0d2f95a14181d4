"""``klasgenoot nettest --config DIR``: the network self-test from the command line.

Runs media.nettest with the device's own certificate, signaling URL and ICE servers,
shows each step as it goes (stderr) and the results in Dutch (stdout). Exit 0 when
a call is possible from this network, 1 when not. It never opens the device's
WebSocket, so a kiosk running on the same device stays connected. No Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.cli_enroll import device_args
from media.netcheck import SYMBOLS, NetReport, Step, lines
from media.nettest import BUDGET, run_nettest
from pairing.bundle import ice_servers_json
from pairing.device import load_device
from pairing.keystore import open_keystore
from privacy.errors import DeviceFolderMissing


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "nettest",
        help="netwerktest: kan dit apparaat vanaf dit netwerk bellen?",
        description="Test DNS, TCP en TLS naar de Klasgenoot-server, de TURN-server via UDP, "
        f"TCP en TLS, de reactietijd en de doorvoer (hoogstens {BUDGET:.0f} seconden). "
        "Zegt bij elk probleem wat u de ICT-afdeling kunt vragen. Exitcode 0 als bellen "
        "mogelijk is, 1 als niet.",
    )
    device_args(parser)
    parser.set_defaults(func=_nettest)


def _nettest(args: argparse.Namespace) -> int:
    if not args.config.is_dir():
        raise DeviceFolderMissing(str(args.config))
    device = load_device(args.config, open_keystore(args.config, args.dev_keyring))
    print(f"Netwerktest (hoogstens {BUDGET:.0f} seconden)…", file=sys.stderr, flush=True)
    report = asyncio.run(
        run_nettest(
            device.credentials,
            device.signaling_urls,
            ice_servers_json(device.ice_servers),
            _show_progress,
        )
    )
    print_report(report)
    return 0 if report.call_possible else 1


def _show_progress(step: Step) -> None:
    if step.check is None:
        print(f"  … {step.title}", file=sys.stderr, flush=True)
    else:
        print(f"  {SYMBOLS[step.check.outcome]}: {step.title}", file=sys.stderr, flush=True)


def print_report(report: NetReport) -> None:
    print()
    for line in lines(report):
        print(line)
    print(f"(De test duurde {report.seconds:.1f} seconden.)")
