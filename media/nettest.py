"""The network self-test: can this device, on this network, reach what a call needs?

In order: the signaling server's name (DNS), a TCP connection to it, TLS with the
device's certificate (the server's checked against the fleet CA and its name), a
TURN credential from ``GET /turn`` (signaling.turnfetch: without going online, so a
running kiosk is not disturbed), then the relay over UDP, TCP and TLS and a round
trip and throughput measurement through it (media.relaytest). Each step has its own
time limit and the whole test at most :data:`BUDGET` seconds. Qt-free: the CLI
(``klasgenoot nettest``) and technician mode's page both run it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from media import relaytest
from media.netcheck import Check, CheckName, NetReport, Outcome, Progress, Run
from media.turnurls import split
from pairing.credentials import DeviceCredentials
from privacy import logfilter
from signaling.tls import client_context
from signaling.turn import TurnCredential
from signaling.turnfetch import TurnAnswerInvalid, TurnNotOffered, TurnRefused, fetch_turn

logger = logging.getLogger(__name__)

BUDGET = 20.0  # seconds for the whole test
LIMITS = {CheckName.DNS: 2.0, CheckName.TCP: 3.0, CheckName.TLS: 3.0, CheckName.CREDENTIAL: 3.0}

_SERVER_ADMIN = "Neem contact op met de beheerder van de Klasgenoot-server."


@dataclass(frozen=True, slots=True)
class _Server:
    url: str
    host: str
    port: int


async def run_nettest(
    credentials: DeviceCredentials,
    signaling_urls: Sequence[str],
    ice_servers: Sequence[Mapping[str, Any]],
    progress: Progress = lambda _step: None,
    *,
    budget: float = BUDGET,
) -> NetReport:
    """Run every check (never raises for network trouble); at most ``budget`` s.

    A bundle may name several signaling servers (issue 14): each is tried, at once,
    since the device moves to another when its own goes away. One that cannot be
    reached while another can is a warning: calls work, a move to it would not.
    """
    logfilter.install()  # libraries (aiohttp, aioice) name addresses: never in clear
    run = Run(progress, budget)
    servers = [_server(url) for url in signaling_urls]
    for name, step in ((CheckName.DNS, _dns), (CheckName.TCP, _tcp)):
        servers = await _each(run, name, servers, step)
        if not servers:
            run.skip(
                [CheckName.TLS, CheckName.CREDENTIAL], "Niet getest: de server is niet bereikt."
            )
            run.skip(relaytest.NAMES, "Niet getest: de server is niet bereikt.")
            return run.report()
    servers = await _each(run, CheckName.TLS, servers, partial(_tls, credentials))
    if not servers:
        run.skip([CheckName.CREDENTIAL], "Niet getest: geen beveiligde verbinding.")
        run.skip(relaytest.NAMES, "Niet getest: geen beveiligde verbinding.")
        return run.report()
    relays = split(ice_servers)
    login = await _credential(run, credentials, servers[0].url, has_turn=relays.has_turn)
    if login is None:
        run.skip(relaytest.NAMES, "Niet getest: geen TURN-inloggegevens.")
        return run.report()
    await relaytest.run(run, relays, login, credentials.ca_certificate)
    return run.report()


def _server(url: str) -> _Server:
    parts = urlsplit(url)
    return _Server(url, parts.hostname or "", parts.port or 443)


async def _each(
    run: Run, name: CheckName, servers: list[_Server],
    step: Callable[[Run, str, int], Awaitable[Check]],
) -> list[_Server]:  # fmt: skip
    """One check on every server at once, reported as one; the servers that passed."""
    run.start(name)
    checks = await asyncio.gather(*(step(run, s.host, s.port) for s in servers))
    run.done(_together(name, checks))
    return [s for s, check in zip(servers, checks, strict=True) if check.outcome is Outcome.OK]


def _together(name: CheckName, checks: Sequence[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    failed = [c for c in checks if c.outcome is not Outcome.OK]
    text = " ".join(c.text for c in checks)
    slowest = max((c.ms for c in checks if c.ms is not None), default=None)
    if not failed:
        return Check(name, Outcome.OK, f"Alle {len(checks)} servers: {text}", ms=slowest)
    advice = " ".join(dict.fromkeys(c.advice for c in failed if c.advice))
    if len(failed) == len(checks):
        return Check(name, Outcome.FAILED, f"Geen van de {len(checks)} servers: {text}", advice)
    reached = len(checks) - len(failed)
    return Check(
        name, Outcome.WARNING,
        f"{reached} van de {len(checks)} servers: {text} Gesprekken werken, maar valt de "
        "bereikbare server uit, dan kan dit apparaat niet naar een andere uitwijken.",
        advice, ms=slowest,
    )  # fmt: skip


async def _dns(run: Run, host: str, port: int) -> Check:
    started = time.monotonic()
    if _is_ip(host):
        text = f"Het serveradres {host} is een IP-adres: opzoeken is niet nodig."
        return Check(CheckName.DNS, Outcome.OK, text)
    try:
        async with asyncio.timeout(run.limit(LIMITS[CheckName.DNS])):
            await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (TimeoutError, OSError) as exc:
        logger.info("nettest: DNS failed (%s)", type(exc).__name__)
        return Check(
            CheckName.DNS, Outcome.FAILED, f"De naam {host} kon niet worden opgezocht.",
            f"Vraag de ICT-afdeling of namen op internet, zoals {host}, opgezocht kunnen "
            "worden (DNS) vanaf dit netwerk.",
        )  # fmt: skip
    return Check(CheckName.DNS, Outcome.OK, f"{host} is gevonden.", ms=_ms(started))


async def _tcp(run: Run, host: str, port: int) -> Check:
    started = time.monotonic()
    try:
        async with asyncio.timeout(run.limit(LIMITS[CheckName.TCP])):
            _, writer = await asyncio.open_connection(host, port)
    except ConnectionRefusedError:
        return Check(
            CheckName.TCP, Outcome.FAILED,
            f"{host} poort {port} weigert de verbinding: de Klasgenoot-server draait daar "
            "niet (of een firewall weigert actief).",
            f"{_SERVER_ADMIN} Is de server gestart? Als hij draait: vraag de ICT-afdeling "
            f"om uitgaand TCP {port} naar {host} toe te staan.",
        )  # fmt: skip
    except (TimeoutError, OSError) as exc:
        logger.info("nettest: TCP failed (%s)", type(exc).__name__)
        return Check(
            CheckName.TCP, Outcome.FAILED, f"Geen verbinding met {host} poort {port} (TCP).",
            f"Vraag de ICT-afdeling om uitgaand TCP {port} naar {host} toe te staan.",
        )  # fmt: skip
    writer.close()
    text = f"{host} poort {port} is bereikbaar."
    return Check(CheckName.TCP, Outcome.OK, text, ms=_ms(started))


async def _tls(credentials: DeviceCredentials, run: Run, host: str, port: int) -> Check:
    started = time.monotonic()
    try:
        context = client_context(credentials)
        async with asyncio.timeout(run.limit(LIMITS[CheckName.TLS])):
            _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    except ssl.SSLCertVerificationError:
        return Check(
            CheckName.TLS, Outcome.FAILED,
            f"Het certificaat dat {host} laat zien, is niet van deze Klasgenoot-vloot "
            "(of niet voor deze naam).",
            f"Vraag de ICT-afdeling of een filter of proxy het verkeer naar {host} "
            f"openbreekt (TLS-inspectie) en zet {host} op de uitzonderingslijst. "
            f"Anders: {_SERVER_ADMIN}",
        )  # fmt: skip
    except (TimeoutError, OSError) as exc:  # ssl.SSLError is an OSError
        logger.info("nettest: TLS failed (%s)", type(exc).__name__)
        return Check(
            CheckName.TLS, Outcome.FAILED,
            f"De beveiligde verbinding met {host} poort {port} lukt niet.",
            f"Vraag de ICT-afdeling om TLS naar {host} poort {port} ongemoeid te laten "
            "(geen TLS-inspectie, geen proxy).",
        )  # fmt: skip
    writer.close()
    text = f"Beveiligde verbinding met {host}; het certificaat van de server klopt."
    return Check(CheckName.TLS, Outcome.OK, text, ms=_ms(started))


async def _credential(
    run: Run, credentials: DeviceCredentials, url: str, *, has_turn: bool
) -> TurnCredential | None:
    started = run.start(CheckName.CREDENTIAL)
    name = CheckName.CREDENTIAL
    if not has_turn:
        run.done(Check(
            name, Outcome.WARNING,
            "Dit apparaat kent geen TURN-server: alleen directe verbindingen zijn mogelijk. "
            "Achter een schoolfirewall lukt een gesprek dan meestal niet.",
            "Vraag de beheerder van de Klasgenoot-server om een TURN-server in te stellen "
            "(klasgenoot fleet turn) en dit apparaat opnieuw te koppelen.",
        ))  # fmt: skip
        return None
    try:
        login = await fetch_turn(url, credentials, limit=run.limit(LIMITS[name]))
    except TurnNotOffered:
        run.done(Check(
            name, Outcome.WARNING,
            "De server geeft geen TURN-inloggegevens: de TURN-server is niet ingesteld. "
            "Alleen directe verbindingen zijn mogelijk.",
            "Vraag de beheerder van de Klasgenoot-server om het TURN-geheim in te stellen "
            "(klasgenoot fleet turn).",
        ))  # fmt: skip
        return None
    except (TurnRefused, aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
        run.done(Check(
            name, Outcome.FAILED,
            "De server weigert dit apparaat: het certificaat is ingetrokken of verlopen.",
            f"{_SERVER_ADMIN} Laat de koppeling controleren of dit apparaat opnieuw koppelen.",
        ))  # fmt: skip
        return None
    except (TurnAnswerInvalid, aiohttp.ClientError, TimeoutError, OSError) as exc:
        logger.info("nettest: no TURN credential (%s)", type(exc).__name__)
        run.done(Check(
            name, Outcome.FAILED, "De server gaf geen bruikbaar antwoord op de vraag om "
            "TURN-inloggegevens.", f"{_SERVER_ADMIN} Misschien is de server verouderd.",
        ))  # fmt: skip
        return None
    text = "De server gaf TURN-inloggegevens (geldig tot een uur)."
    run.done(Check(name, Outcome.OK, text, ms=_ms(started)))
    return login


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _ms(started: float) -> float:
    return round(1000 * (time.monotonic() - started), 1)
