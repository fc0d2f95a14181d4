"""``klasgenoot fleet turn`` and ``fleet it-sheet``: the fleet's TURN relay (operator).

No Qt and no network: ``turn`` writes files, ``it-sheet`` prints what a school's or
hospital's firewall must let through, worked out from the fleet's own settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from common.paths import write_private_file
from pairing.errors import FileAccessFailed, TurnNotConfigured
from pairing.fleet import load_settings
from pairing.turnconf import TurnOptions, configure_turn, load_options


def register(cmds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    turn = cmds.add_parser(
        "turn",
        help="de TURN-server (coturn) van de vloot instellen",
        description="Schrijft turnserver.conf, het TURN-geheim en een TLS-certificaat in "
        "turn/ van de beheermap, en zet de TURN-adressen in fleet.json.",
    )
    turn.add_argument("--data", type=Path, required=True, help="beheermap van de vloot")
    turn.add_argument(
        "--host",
        required=True,
        help="DNS-naam of IP-adres waarmee apparaten de TURN-server bereiken",
    )
    turn.add_argument("--realm", help="realm van coturn (standaard de --host)")
    turn.add_argument("--udp-port", type=int, default=3478, help="UDP- en TCP-poort (3478)")
    turn.add_argument("--tls-port", type=int, default=443, help="TLS-poort (443)")
    turn.add_argument(
        "--listen-ip", action="append", default=[], metavar="IP", help="luister alleen op dit IP"
    )
    turn.add_argument("--relay-ip", metavar="IP", help="IP-adres voor het doorgeven (relay)")
    turn.add_argument(
        "--allow-peers",
        action="append",
        default=[],
        metavar="CIDR",
        help="adresbereik dat coturn wel mag bereiken hoewel het privé is (bv. een testlab)",
    )
    turn.add_argument(
        "--deny-peers",
        action="append",
        default=[],
        metavar="CIDR",
        help="adresbereik dat coturn nooit mag bereiken, ook niet binnen --allow-peers "
        "(bv. de signaleringsserver naast de relay)",
    )
    turn.add_argument(
        "--cert-dir",
        type=Path,
        metavar="MAP",
        help="map waar coturn turn.pem en turn-key.pem vindt, bv. /etc/coturn "
        "(standaard de turn-map van de vloot)",
    )
    turn.add_argument(
        "--out", type=Path, metavar="PAD", help="ook een kopie van turnserver.conf hier schrijven"
    )
    turn.set_defaults(func=_turn)

    sheet = cmds.add_parser(
        "it-sheet", help="wat de firewall van een school of ziekenhuis moet doorlaten (Markdown)"
    )
    sheet.add_argument("--data", type=Path, required=True, help="beheermap van de vloot")
    sheet.set_defaults(func=_it_sheet)


def _turn(args: argparse.Namespace) -> int:
    from app.cli_fleet import passphrase

    setup = configure_turn(
        args.data,
        passphrase(),
        args.host,
        realm=args.realm,
        udp_port=args.udp_port,
        tls_port=args.tls_port,
        listen_ips=args.listen_ip,
        relay_ip=args.relay_ip,
        allowed_peer_ranges=args.allow_peers,
        denied_peer_ranges=args.deny_peers,
        cert_dir=args.cert_dir,
    )
    if args.out is not None:
        try:
            write_private_file(args.out, setup.conf.read_bytes())
        except OSError as exc:
            raise FileAccessFailed(str(args.out)) from exc
    secret = "nieuw gemaakt" if setup.secret_created else "bestaand, ongewijzigd"
    print(f"TURN-server ingesteld voor {setup.options.host}")
    print(f"coturn-instellingen: {setup.conf}" + (f" (kopie: {args.out})" if args.out else ""))
    print(f"TURN-geheim:         {setup.secret} ({secret})")
    print(f"TLS-certificaat:     {setup.certificate} en {setup.key}")
    print("ICE-adressen in fleet.json (nieuwe koppelbestanden krijgen ze):")
    for url in setup.ice_urls:
        print(f"  {url}")
    print(
        "Daarna: zet turnserver.conf, turn.pem en turn-key.pem op de TURN-server (zie "
        "docs/operations.md), herstart coturn en de signaleringsserver, en maak nieuwe "
        "koppelbestanden voor apparaten die al gekoppeld waren. Print met 'klasgenoot "
        "fleet it-sheet' wat scholen en ziekenhuizen moeten openzetten."
    )
    return 0


def _it_sheet(args: argparse.Namespace) -> int:
    print(it_sheet(args.data), end="")
    return 0


def _endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None  # checked when fleet.json was read
    return parts.hostname, parts.port or 443


def it_sheet(data: Path) -> str:
    """The firewall sheet in Dutch Markdown, from fleet.json and turn/turn.json."""
    settings = load_settings(data)
    lines = [
        "# Klasgenoot: wat de firewall moet doorlaten",
        "",
        "Voor de IT-afdeling van de school of het ziekenhuis. Alle verbindingen gaan",
        "**naar buiten** (uitgaand); binnenkomend hoeft niets open. Beeld en geluid zijn",
        "van begin tot eind versleuteld.",
        "",
        "| bestemming | poort | protocol | waarom |",
        "|---|---|---|---|",
    ]
    for host, port in dict.fromkeys(_endpoint(url) for url in settings.signaling_urls):
        lines.append(
            f"| {host} | {port} | TCP (TLS, WebSocket) | de signaleringsserver: het apparaat "
            "meldt zich aan met zijn certificaat en zet zo het gesprek op. Zonder deze "
            "verbinding start geen gesprek. |"
        )
    try:
        turn: TurnOptions | None = load_options(data)
    except TurnNotConfigured:  # the sheet says so, rather than refusing
        turn = None
    if turn is not None:
        lines += _turn_rows(turn)
    lines += ["", *_notes(turn)]
    return "\n".join(lines) + "\n"


def _turn_rows(turn: TurnOptions) -> list[str]:
    low, high = turn.relay_ports
    return [
        f"| {turn.host} | {turn.udp_port} | UDP | de TURN-server (relay): de beste weg "
        "als een rechtstreekse verbinding niet lukt. |",
        f"| {turn.host} | {turn.udp_port} | TCP | dezelfde relay voor netwerken die UDP "
        "blokkeren (bijvoorbeeld gastwifi). |",
        f"| {turn.host} | {turn.tls_port} | TCP (TLS) | dezelfde relay, versleuteld op "
        "poort 443: werkt ook als alleen webverkeer naar buiten mag. |",
        f"| {turn.host} | {low}–{high} | UDP | aanbevolen, niet verplicht: de poorten "
        "waarop de relay het andere apparaat doorgeeft; open, dan is de weg korter. |",
    ]


def _notes(turn: TurnOptions | None) -> list[str]:
    if turn is None:
        return [
            "Voor deze vloot is nog geen TURN-server ingesteld: achter een strenge",
            "firewall komt dan geen gesprek tot stand (beheerder: `klasgenoot fleet turn`).",
        ]
    return [
        "Het minimum is de signaleringsserver en TCP-poort "
        f"{turn.tls_port} naar {turn.host}; UDP maakt",
        "beeld en geluid vloeiender. Uitgaand UDP naar andere adressen (rechtstreekse",
        "verbinding tussen de twee apparaten) is welkom maar niet nodig.",
        "",
        "Laat TLS-inspectie (een proxy die certificaten vervangt) deze verbindingen",
        "met rust: de apparaten vertrouwen alleen het certificaat van hun eigen vloot",
        "en weigeren een vervangen certificaat.",
    ]
