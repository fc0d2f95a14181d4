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

NETWORKS = ("loopback", "home-school", "cgnat-school", "hospital-school")
MAX_SECONDS = 24 * 3600
DEFAULT_SECONDS = 10.0


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
    parser.add_argument(
        "--seconds",
        type=_seconds,
        default=None,
        help="duur (standaard 10 zonder vensters; met vensters tot ze dicht zijn)",
    )
    parser.add_argument(
        "--windowed",
        action="store_true",
        help="gewone vensters naast elkaar (zo draait de demo met beeldscherm)",
    )
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="nooit de camera van deze computer, alleen synthetisch beeld",
    )
    parser.add_argument(
        "--camera",
        action="store_true",
        help="de camera van deze computer voor de leerling (als er een is)",
    )
    parser.add_argument(
        "--screenshots",
        type=Path,
        metavar="DIR",
        help="sla na de duur een PNG van elk venster op in DIR (alleen met synthetisch beeld)",
    )
    parser.add_argument("--data", type=Path, help="map om de demo in te bewaren en te hergebruiken")
    parser.add_argument("--report", type=Path, help="schrijf een JSON-rapport naar dit bestand")
    # Issue 5: drive every classroom feature once (app.demo.exercise); headless only.
    parser.add_argument(
        "--exercise",
        action="store_true",
        help="probeer elke functie één keer (hand, pauze, zoom, …); alleen met --headless",
    )
    # Issue 10: the call across a lab of network namespaces (app.demo.network).
    parser.add_argument(
        "--network",
        choices=NETWORKS,
        default="loopback",
        metavar="NAAM",
        help="het netwerk van de demo: loopback (standaard), home-school, cgnat-school of "
        "hospital-school (een lab van netwerknamespaces met NAT, firewall en TURN; "
        "alleen met --headless, als root)",
    )
    # Issue 11: each device hears its own speaker through a simulated room; headless only.
    parser.add_argument(
        "--room",
        choices=["classroom"],
        help="laat elk apparaat zijn eigen luidspreker horen via een gesimuleerde ruimte "
        "(met echo, een spreker en klasgeroezemoes); meet de echo-onderdrukking; "
        "alleen met --headless",
    )
    # Issue 14: the pair split over several signaling instances on one Redis.
    parser.add_argument(
        "--servers",
        type=int,
        choices=(1, 2),
        default=1,
        help="aantal signaleringsservers: 2 = twee instanties met een eigen Redis, elk "
        "apparaat op een andere (alleen met --headless; vraagt redis-server)",
    )
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


class ScreenshotsNeedSynthetic(KlasgenootError):
    """Schermafbeeldingen kunnen alleen met synthetisch beeld: er wordt nooit een beeld
    van een echte klas of leerling opgeslagen. Laat --camera weg."""


class ServersNeedHeadless(KlasgenootError):
    """Meer dan één server kan alleen in de demo zonder vensters op loopback: gebruik
    --headless en laat --network weg."""


class ScreenshotsNeedWindows(KlasgenootError):
    """Schermafbeeldingen kunnen alleen met vensters: laat --headless weg."""


def run(args: argparse.Namespace) -> int:
    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)
    if args.screenshots is not None and args.camera:
        raise ScreenshotsNeedSynthetic()
    if args.screenshots is not None and args.headless:
        raise ScreenshotsNeedWindows()
    if args.servers != 1 and (not args.headless or args.network != "loopback"):
        raise ServersNeedHeadless()
    if args.network != "loopback":
        if (
            args.exercise
            or args.screenshots is not None
            or args.camera
            or args.room
            or args.servers != 1
        ):
            raise NetworkDemoAlone()
        return _run_network(args)
    if not args.headless:
        if _has_display():
            return _run_windowed(args)
        print("Geen beeldscherm gevonden: de demo draait zonder vensters.", file=sys.stderr)
    return _run_headless(args)


def _run_windowed(args: argparse.Namespace) -> int:
    # Qt loads only here: the headless demo and the other commands run without it.
    from app.demo.windows import DemoOptions, run_windowed
    from app.demo.workspace import prepare

    seconds = args.seconds
    if args.screenshots is not None and seconds is None:
        seconds = DEFAULT_SECONDS
    options = DemoOptions(
        seconds=seconds,
        screenshots=args.screenshots,
        synthetic=args.synthetic or args.screenshots is not None,
    )
    workspace, made = prepare(args.data)
    try:
        _say_workspace(made, None if workspace.temporary else workspace.root)
        code = run_windowed(workspace, options)
    finally:
        workspace.cleanup()
    if code == 0 and args.screenshots is not None:
        print(f"Schermafbeeldingen opgeslagen in {args.screenshots}")
    return code


class NetworkDemoAlone(KlasgenootError):
    """Een demo over het netwerklab draait zonder vensters en zonder --exercise,
    --room, --screenshots of --camera."""


def _run_network(args: argparse.Namespace) -> int:
    # The lab needs root and Debian's ip, iptables and coturn: checked first, in words.
    from app.demo.headless import media_flowed
    from app.demo.network import check_lab, lab_network, run_network_demo
    from app.demo.workspace import prepare

    seconds = DEFAULT_SECONDS if args.seconds is None else args.seconds
    check_lab()
    network = lab_network()
    workspace, made = prepare(args.data, network)
    try:
        _say_workspace(made, None if workspace.temporary else workspace.root)
        report = run_network_demo(workspace, seconds, args.network, _progress)
    finally:
        workspace.cleanup()
    _clear_progress()
    if args.report is not None:
        _write_report(args.report, report)
    print(summary(report))
    return 0 if media_flowed(report) else 1


def _run_headless(args: argparse.Namespace) -> int:
    # aiortc and the fleet code load only when a demo runs: other commands start fast.
    from app.demo.headless import exercised, media_flowed, run_call
    from app.demo.workspace import prepare

    seconds = DEFAULT_SECONDS if args.seconds is None else args.seconds
    workspace, made = prepare(args.data)
    try:
        _say_workspace(made, None if workspace.temporary else workspace.root)
        room = getattr(args, "room", None)
        report = asyncio.run(
            run_call(
                workspace,
                seconds,
                _progress,
                exercise=args.exercise,
                room=room,
                servers=args.servers,
            )
        )
    finally:
        workspace.cleanup()
    _clear_progress()
    if args.report is not None:
        _write_report(args.report, report)
    print(summary(report))
    for name, outcome in report.get("interactions", {}).items():  # --exercise
        print(f"  {name}: {outcome}")
    return 0 if media_flowed(report) and exercised(report) else 1


def _say_workspace(made: bool, root: Path | None) -> None:
    print(
        "Demo: vloot en koppeling "
        + ("gemaakt" if made else "hergebruikt")
        + (f" in {root}" if root is not None else ""),
        file=sys.stderr,
    )


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


def _ms(value: object) -> str:
    """A measure the call did not get to (too short, never connected) says so in words."""
    return "niet gemeten" if value is None else f"{value} ms"


def _db(value: object) -> str:
    return "niet gemeten" if value is None else f"{value} dB"


def _less(value: object) -> str:
    return "niet gemeten" if value is None else f"{value} dB minder"


def summary(report: dict[str, Any]) -> str:
    from app.demo.headless import media_flowed

    verified = report["peer_verified"]
    route = report["candidate_type"] or "geen"
    if report.get("relay_protocol"):
        route += f" via {report['relay_protocol']}"
    lines = [
        "Verbonden: "
        + ("ja" if report["connected"] else "nee")
        + f" (opzet {_ms(report['setup_ms'])}, kandidaat {route}, RTT {_ms(report['rtt_ms'])})",
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
        size = "geen beeld" if d["width"] is None else f"{d['width']}×{d['height']}"
        lines.append(
            f"{label}: {d['frames_received']} beelden, {d['fps']} fps, {size}, "
            f"vertraging p50 {_ms(d['latency_ms_p50'])} / p95 {_ms(d['latency_ms_p95'])}, "
            f"{d['audio_frames_received']} geluidsframes, {d['freezes']} haperingen"
        )
        if d.get("audio_latency_samples"):  # the sound's time markers
            lines.append(
                f"  geluid mond-tot-oor p50 {_ms(d['audio_latency_ms_p50'])} / "
                f"p95 {_ms(d['audio_latency_ms_p95'])}"
            )
        if "echo_return_loss_enhancement_db" in d:  # --room
            lines.append(
                f"  echo-onderdrukking {_db(d['echo_return_loss_enhancement_db'])}, "
                f"spreker behouden {_db(d['near_end_kept_db'])} bij dubbelpraten, "
                f"ruis {_less(d['noise_suppressed_db'])}, "
                f"ingeregeld na {_ms(d['echo_convergence_ms'])} "
                f"(verwerking: {d['audio_processing']})"
            )
    lines.append("Media beide kanten op: " + ("ja" if media_flowed(report) else "NEE"))
    return "\n".join(lines)
