"""``klasgenoot update-window``: may this classroom unit take an update now?

The kiosk package runs it as ``ExecCondition=`` of ``apt-daily-upgrade.service``
(packaging/kiosk/), as root: exit 0 lets unattended-upgrades run, exit 1 skips
this attempt (systemd logs it as a condition, not a failure) and the hourly timer
asks again. It only reads the device's settings; see app.update_window.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from privacy.errors import DeviceFolderMissing

NOT_NOW = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    window = sub.add_parser(
        "update-window",
        help="mag deze klaslokaalunit nu bijwerken? (buiten de lestijden)",
        description="Zegt of bijwerken nu mag: buiten de lestijden van deze unit en niet "
        "vlak voor een les; zonder lestijden alleen 's nachts. Exit 0: mag nu, 1: niet nu. "
        "Het pakket klasgenoot-kiosk zet dit voor apt-daily-upgrade.service "
        "(docs/deployment.md). Leest alleen de instellingen; schrijft niets.",
    )
    window.add_argument(
        "--config", type=Path, required=True, metavar="MAP", help="instellingenmap van dit apparaat"
    )
    window.add_argument(
        "--at",
        type=_instant,
        metavar="TIJD",
        help="een ander moment dan nu (ISO 8601 met tijdzone, bv. 2026-12-07T16:30+01:00)",
    )
    window.set_defaults(func=_run)


def _instant(text: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            "geen tijdstip in ISO 8601, bv. 2026-12-07T16:30+01:00"
        ) from exc
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError("geef de tijdzone mee, bv. 2026-12-07T16:30+01:00")
    return at


def _run(args: argparse.Namespace) -> int:
    # Here, not at the top: the device's settings bring the media stack (PyAV,
    # aiortc, numpy), which every other command, the server too, would load for nothing.
    from app import feature_settings
    from app.settings import SettingsStore
    from app.update_window import decide

    config: Path = args.config
    if not config.is_dir():
        raise DeviceFolderMissing(str(config))
    settings = feature_settings.load(SettingsStore(config))
    verdict = decide(settings, args.at or dt.datetime.now(dt.UTC))
    print(verdict.sentence)
    return 0 if verdict.allowed else NOT_NOW
