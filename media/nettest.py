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
from collections.abc import Mapping, Sequence
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


async def run_nettest(
    credentials: DeviceCredentials,
    signaling_url: str,
    ice_servers: Sequence[Mapping[str, Any]],
    progress: Progress = lambda _step: None,
    *,
    budget: float = BUDGET,
) -> NetReport:
    """Run every check (never raises for network trouble); at most ``budget`` s."""
    logfilter.install()  # libraries (aiohttp, aioice) name addresses: never in clear
    run = Run(progress, budget)
    parts = urlsplit(signaling_url)
    host, port = parts.hostname or "", parts.port or 443
    if not await _dns(run, host, port) or not await _tcp(run, host, port):
        run.skip([CheckName.TLS, CheckName.CREDENTIAL], "Niet getest: de server is niet bereikt.")
        run.skip(relaytest.NAMES, "Niet getest: de server is niet bereikt.")
        return run.report()
    if not await _tls(run, credentials, host, port):
        run.skip([CheckName.CREDENTIAL], "Niet getest: geen beveiligde verbinding.")
        run.skip(relaytest.NAMES, "Niet getest: geen beveiligde verbinding.")
        return run.report()
    relays = split(ice_servers)
    login = await _credential(run, credentials, signaling_url, has_turn=relays.has_turn)
    if login is None:
        run.skip(relaytest.NAMES, "Niet getest: geen TURN-inloggegevens.")
        return run.report()
    await relaytest.run(run, relays, login, credentials.ca_certificate)
    return run.report()


async def _dns(run: Run, host: str, port: int) -> bool:
    started = run.start(CheckName.DNS)
    if _is_ip(host):
        text = f"Het serveradres {host} is een IP-adres: opzoeken is niet nodig."
        run.done(Check(CheckName.DNS, Outcome.OK, text))
        return True
    try:
        async with asyncio.timeout(run.limit(LIMITS[CheckName.DNS])):
            await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (TimeoutError, OSError) as exc:
        logger.info("nettest: DNS failed (%s)", type(exc).__name__)
        run.done(Check(
            CheckName.DNS, Outcome.FAILED, f"De naam {host} kon niet worden opgezocht.",
            f"Vraag de ICT-afdeling of namen op internet, zoals {host}, opgezocht kunnen "
            "worden (DNS) vanaf dit netwerk.",
        ))  # fmt: skip
        return False
    run.done(Check(CheckName.DNS, Outcome.OK, f"{host} is gevonden.", ms=_ms(started)))
    return True


async def _tcp(run: Run, host: str, port: int) -> bool:
    started = run.start(CheckName.TCP)
    try:
        async with asyncio.timeout(run.limit(LIMITS[CheckName.TCP])):
            _, writer = await asyncio.open_connection(host, port)
    except ConnectionRefusedError:
        run.done(Check(
            CheckName.TCP, Outcome.FAILED,
            f"{host} poort {port} weigert de verbinding: de Klasgenoot-server draait daar "
            "niet (of een firewall weigert actief).",
            f"{_SERVER_ADMIN} Is de server gestart? Als hij draait: vraag de ICT-afdeling "
            f"om uitgaand TCP {port} naar {host} toe te staan.",
        ))  # fmt: skip
        return False
    except (TimeoutError, OSError) as exc:
        logger.info("nettest: TCP failed (%s)", type(exc).__name__)
        run.done(Check(
            CheckName.TCP, Outcome.FAILED, f"Geen verbinding met {host} poort {port} (TCP).",
            f"Vraag de ICT-afdeling om uitgaand TCP {port} naar {host} toe te staan.",
        ))  # fmt: skip
        return False
    writer.close()
    text = f"{host} poort {port} is bereikbaar."
    run.done(Check(CheckName.TCP, Outcome.OK, text, ms=_ms(started)))
    return True


async def _tls(run: Run, credentials: DeviceCredentials, host: str, port: int) -> bool:
    started = run.start(CheckName.TLS)
    try:
        context = client_context(credentials)
        async with asyncio.timeout(run.limit(LIMITS[CheckName.TLS])):
            _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    except ssl.SSLCertVerificationError:
        run.done(Check(
            CheckName.TLS, Outcome.FAILED,
            f"Het certificaat dat {host} laat zien, is niet van deze Klasgenoot-vloot "
            "(of niet voor deze naam).",
            f"Vraag de ICT-afdeling of een filter of proxy het verkeer naar {host} "
            f"openbreekt (TLS-inspectie) en zet {host} op de uitzonderingslijst. "
            f"Anders: {_SERVER_ADMIN}",
        ))  # fmt: skip
        return False
    except (TimeoutError, OSError) as exc:  # ssl.SSLError is an OSError
        logger.info("nettest: TLS failed (%s)", type(exc).__name__)
        run.done(Check(
            CheckName.TLS, Outcome.FAILED,
            f"De beveiligde verbinding met {host} poort {port} lukt niet.",
            f"Vraag de ICT-afdeling om TLS naar {host} poort {port} ongemoeid te laten "
            "(geen TLS-inspectie, geen proxy).",
        ))  # fmt: skip
        return False
    writer.close()
    text = f"Beveiligde verbinding met {host}; het certificaat van de server klopt."
    run.done(Check(CheckName.TLS, Outcome.OK, text, ms=_ms(started)))
    return True


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
