"""``klasgenoot demo``: a live call between a pupil and a classroom device on this machine."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from common.errors import KlasgenootError

MAX_SECONDS = 24 * 3600


class ReportNotWritten(KlasgenootError):
    """Het rapport kon niet worden geschreven. Controleer de map en de rechten."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "demo",
        help="een live gesprek tussen leerling en klas op deze computer",
        description="Maakt (of hergebruikt) een vloot-CA en een koppeling, start de "
        "signaleringsserver en beide apparaten op 127.0.0.1 en voert een gesprek "
        "met synthetisch beeld en geluid.",
    )
    parser.add_argument("--headless", action="store_true", help="zonder vensters")
    parser.add_argument("--seconds", type=_seconds, default=10.0, help="duur (standaard 10)")
    parser.add_argument("--data", type=Path, help="map om de demo in te bewaren en te hergebruiken")
    parser.add_argument("--report", type=Path, help="schrijf een JSON-rapport naar dit bestand")
    parser.set_defaults(func=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("geef een aantal seconden, bijvoorbeeld 10") from None
    if not 1 <= value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"kies tussen 1 en {MAX_SECONDS} seconden")
    return value


def _has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM") == "offscreen"
        or sys.platform in ("win32", "darwin")
    )


def run(args: argparse.Namespace) -> int:
    # aiortc and the fleet code load only when a demo runs: other commands start fast.
    from app.demo.headless import media_flowed, run_call
    from app.demo.workspace import prepare

    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)
    if not args.headless:
        if not _has_display():
            print("Geen beeldscherm gevonden: de demo draait zonder vensters.", file=sys.stderr)
        else:
            print(
                "De vensterversie van de demo is er nog niet: de demo draait zonder vensters.",
                file=sys.stderr,
            )
    workspace, made = prepare(args.data)
    try:
        print(
            "Demo: vloot en koppeling "
            + ("gemaakt" if made else "hergebruikt")
            + (f" in {workspace.root}" if not workspace.temporary else ""),
            file=sys.stderr,
        )
        report = asyncio.run(run_call(workspace, args.seconds, _progress))
    finally:
        workspace.cleanup()
    _clear_progress()
    if args.report is not None:
        _write_report(args.report, report)
    print(summary(report))
    return 0 if media_flowed(report) else 1


def _progress(text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{text:<40}", end="", file=sys.stderr, flush=True)


def _clear_progress() -> None:
    if sys.stderr.isatty():
        print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)


def _write_report(path: Path, report: dict[str, Any]) -> None:
    try:
        path.write_text(json.dumps(report, indent=2) + "\n")
    except OSError as exc:
        raise ReportNotWritten(str(path)) from exc


def summary(report: dict[str, Any]) -> str:
    from app.demo.headless import media_flowed

    verified = report["peer_verified"]
    lines = [
        "Verbonden: "
        + ("ja" if report["connected"] else "nee")
        + f" (opzet {report['setup_ms']} ms, kandidaat {report['candidate_type']},"
        f" RTT {report['rtt_ms']} ms)",
        "Andere kant geverifieerd: leerling "
        + ("ja" if verified["student"] else "nee")
        + ", klas "
        + ("ja" if verified["classroom"] else "nee"),
    ]
    for key, label in (
        ("classroom_to_student", "klas → leerling"),
        ("student_to_classroom", "leerling → klas"),
    ):
        d = report[key]
        lines.append(
            f"{label}: {d['frames_received']} beelden, {d['fps']} fps, "
            f"{d['width']}×{d['height']}, vertraging p50 {d['latency_ms_p50']} ms / "
            f"p95 {d['latency_ms_p95']} ms, {d['audio_frames_received']} geluidsframes, "
            f"{d['freezes']} haperingen"
        )
    lines.append("Media beide kanten op: " + ("ja" if media_flowed(report) else "NEE"))
    return "\n".join(lines)
