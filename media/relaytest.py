"""The self-test's relay part: TURN over UDP, TCP and TLS, then round trip and
throughput through the relay.

The transports are probed at once (media.turnprobe, a real allocation each). Over
the first that works, in the order calls try them, two allocations are made and
packets go from one relay address to the other: device → relay → relay → device.
That is one round trip between this device and the relay, which is what the
measurement reports (no second device is needed). The throughput is the same
round trip: bounded by the slower of upload and download, so it is reported as
such, never as an upload or download figure on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import statistics
import struct
import time
from dataclasses import dataclass, field

from aioice.turn import TurnTransport, create_turn_endpoint
from cryptography import x509

from media.netcheck import Check, CheckName, Outcome, Run
from media.turnprobe import PROBE_TIMEOUT, ProbeResult, probe_all, turn_tls_context
from media.turnurls import LADDER, FleetRelays, RelayProtocol, TurnEndpoint, TurnLogin

logger = logging.getLogger(__name__)

NAMES = (CheckName.TURN_UDP, CheckName.TURN_TCP, CheckName.TURN_TLS,
         CheckName.ROUND_TRIP, CheckName.THROUGHPUT)  # fmt: skip
BY_PROTOCOL = {RelayProtocol.UDP: CheckName.TURN_UDP, RelayProtocol.TCP: CheckName.TURN_TCP,
               RelayProtocol.TLS: CheckName.TURN_TLS}  # fmt: skip
PROTOCOL_WORDS = {RelayProtocol.UDP: "UDP", RelayProtocol.TCP: "TCP",
                  RelayProtocol.TLS: "TLS"}  # fmt: skip

ALLOCATE_LIMIT = 2.0
HELLO_LIMIT = 1.0
PINGS = 5
PING_LIMIT = 1.0
SEND_SECONDS = 2.0
DRAIN_SECONDS = 0.5
RATE_KBIT = 4000  # the cap: a class video call needs about 2000
PACKET = 1000  # bytes of payload
GOOD_RTT_MS, SLOW_RTT_MS = 150.0, 400.0
GOOD_KBIT, LOW_KBIT = 2000.0, 500.0

_HEADER = struct.Struct("!cId")  # kind, sequence number, send time (monotonic)


@dataclass
class _Receiver(asyncio.DatagramProtocol):
    """What arrives on one relay address: hellos, ping delays, data byte counts."""

    hello: asyncio.Event = field(default_factory=asyncio.Event)
    all_pings: asyncio.Event = field(default_factory=asyncio.Event)
    delays: list[float] = field(default_factory=list)
    data_bytes: int = 0
    data_packets: int = 0

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) < _HEADER.size:
            return
        kind, _seq, sent = _HEADER.unpack_from(data)
        if kind == b"H":
            self.hello.set()
        elif kind == b"P":
            self.delays.append(1000 * (time.monotonic() - sent))
            if len(self.delays) >= PINGS:
                self.all_pings.set()
        elif kind == b"D":
            self.data_bytes += len(data)
            self.data_packets += 1

    def error_received(self, exc: Exception) -> None:
        logger.debug("nettest relay: send failed (%s)", type(exc).__name__)


async def run(run: Run, relays: FleetRelays, login: TurnLogin, ca: x509.Certificate) -> None:
    """Probe each transport, then measure over the first that works."""
    tls = turn_tls_context(ca)
    for protocol in LADDER:
        run.start(BY_PROTOCOL[protocol])
    results = await probe_all(relays.endpoints(), login, tls, limit=run.limit(PROBE_TIMEOUT))
    working = [p for p in LADDER if p in results and results[p].ok]
    for protocol in LADDER:
        endpoint = relays.turn.get(protocol)
        result = results.get(protocol)
        run.done(_transport_check(protocol, endpoint, result, working))
    if not working:
        run.skip(NAMES[3:], "Niet getest: de TURN-server is over geen enkele weg bereikt.")
        return
    await _measure(run, relays.turn[working[0]], login, tls)


def _transport_check(
    protocol: RelayProtocol,
    endpoint: TurnEndpoint | None,
    result: ProbeResult | None,
    working: list[RelayProtocol],
) -> Check:
    name, word = BY_PROTOCOL[protocol], PROTOCOL_WORDS[protocol]
    if endpoint is None or result is None:
        return Check(name, Outcome.SKIPPED, f"Niet getest: de vloot heeft geen TURN via {word}.")
    where = f"{endpoint.host} poort {endpoint.port}"
    if result.ok:
        return Check(name, Outcome.OK, f"Werkt ({where}).", ms=result.ms)
    outcome = Outcome.WARNING if working else Outcome.FAILED
    instead = f" Klasgenoot gebruikt dan {PROTOCOL_WORDS[working[0]]}." if working else ""
    if result.error == "refused":
        return Check(name, outcome, f"De TURN-server ({where}) weigert de inloggegevens.",
                     "Vraag de beheerder of coturn en de Klasgenoot-server hetzelfde "
                     "TURN-geheim gebruiken.")  # fmt: skip
    if result.error == "tls":
        return Check(name, outcome, f"Het certificaat van {where} is niet dat van de "
                     f"TURN-server van deze vloot.{instead}",
                     f"Vraag de ICT-afdeling om TLS naar {endpoint.host} ongemoeid te laten "
                     "(geen TLS-inspectie).")  # fmt: skip
    return Check(name, outcome, f"Geblokkeerd: geen antwoord via {word} op {where}.{instead}",
                 _advice(protocol, endpoint), ms=result.ms)  # fmt: skip


def _advice(protocol: RelayProtocol, endpoint: TurnEndpoint) -> str:
    where = f"{endpoint.port} naar {endpoint.host}"
    if protocol is RelayProtocol.UDP:
        return (
            f"Vraag de ICT-afdeling om uitgaand UDP {where} toe te staan (en de antwoorden terug)."
        )
    if protocol is RelayProtocol.TCP:
        return f"Vraag de ICT-afdeling om uitgaand TCP {where} toe te staan."
    return f"Vraag de ICT-afdeling om uitgaand TCP {where} toe te staan, zonder TLS-inspectie."


async def _measure(run: Run, endpoint: TurnEndpoint, login: TurnLogin, tls: ssl.SSLContext) -> None:
    run.start(CheckName.ROUND_TRIP)
    word = PROTOCOL_WORDS[endpoint.protocol]
    pair: list[tuple[TurnTransport, _Receiver]] = []
    try:
        async with asyncio.timeout(run.limit(ALLOCATE_LIMIT + HELLO_LIMIT)):
            pair = await _allocate_pair(endpoint, login, tls)
            await _greet(pair)
    except Exception as exc:
        logger.info("nettest relay: no path relay to relay (%s)", type(exc).__name__)
        _close(pair)
        run.done(Check(
            CheckName.ROUND_TRIP, Outcome.FAILED,
            f"Via de TURN-server ({word}) kwamen geen pakketten aan.",
            "Vraag de beheerder van de Klasgenoot-server of coturn tussen zijn eigen "
            "relay-adressen mag doorgeven (relay naar relay).",
        ))  # fmt: skip
        run.skip([CheckName.THROUGHPUT], "Niet getest: er kwamen geen pakketten aan.")
        return
    try:
        run.done(await _round_trip(run, pair, word))
        run.start(CheckName.THROUGHPUT)
        run.done(await _throughput(run, pair, word))
    finally:
        _close(pair)


async def _allocate_pair(
    endpoint: TurnEndpoint, login: TurnLogin, tls: ssl.SSLContext
) -> list[tuple[TurnTransport, _Receiver]]:
    async def one() -> tuple[TurnTransport, _Receiver]:
        return await create_turn_endpoint(
            _Receiver, server_addr=(endpoint.host, endpoint.port),
            username=login.username, password=login.password,
            ssl=tls if endpoint.protocol is RelayProtocol.TLS else None,
            transport="udp" if endpoint.protocol is RelayProtocol.UDP else "tcp",
        )  # fmt: skip

    made = await asyncio.gather(one(), one(), return_exceptions=True)
    pair = [m for m in made if not isinstance(m, BaseException)]
    for failed in made:
        if isinstance(failed, BaseException):
            _close(pair)  # one allocation without the other measures nothing
            raise failed
    return pair


async def _greet(pair: list[tuple[TurnTransport, _Receiver]]) -> None:
    """Both relay addresses may send to each other once each has a permission for the
    other (a permission is made by sending): say hello both ways until both heard it."""
    (a, a_in), (b, b_in) = pair
    a_addr, b_addr = a.get_extra_info("sockname"), b.get_extra_info("sockname")
    while not (a_in.hello.is_set() and b_in.hello.is_set()):
        a.sendto(_packet(b"H", 0), b_addr)
        b.sendto(_packet(b"H", 0), a_addr)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.1):
                await asyncio.gather(a_in.hello.wait(), b_in.hello.wait())


async def _round_trip(run: Run, pair: list[tuple[TurnTransport, _Receiver]], word: str) -> Check:
    (a, _), (b, b_in) = pair
    to = b.get_extra_info("sockname")
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(run.limit(PING_LIMIT)):
            for seq in range(PINGS):
                a.sendto(_packet(b"P", seq), to)
                await asyncio.sleep(0.05)
            await b_in.all_pings.wait()
    if not b_in.delays:
        return Check(CheckName.ROUND_TRIP, Outcome.FAILED,
                     f"Via de TURN-server ({word}) kwam geen enkel meetpakket terug.",
                     "Vraag de ICT-afdeling of het netwerk lang lopende verbindingen "
                     "afbreekt of vertraagt.")  # fmt: skip
    rtt = round(statistics.median(b_in.delays), 1)
    said = "minder dan 1 ms" if rtt < 1 else f"{rtt:.0f} ms"
    text = f"Heen en terug naar de TURN-server ({word}): {said}."
    if rtt < GOOD_RTT_MS:
        return Check(CheckName.ROUND_TRIP, Outcome.OK, text, ms=rtt)
    outcome = Outcome.WARNING if rtt < SLOW_RTT_MS else Outcome.FAILED
    return Check(CheckName.ROUND_TRIP, outcome, text + " Dat is traag: beeld en geluid lopen "
                 "achter.", "Vraag de ICT-afdeling of het netwerk druk is of verkeer via een "
                 "verre omweg stuurt.", ms=rtt)  # fmt: skip


async def _throughput(run: Run, pair: list[tuple[TurnTransport, _Receiver]], word: str) -> Check:
    (a, _), (b, b_in) = pair
    to = b.get_extra_info("sockname")
    seconds = max(0.2, min(SEND_SECONDS, run.limit(SEND_SECONDS + DRAIN_SECONDS) - DRAIN_SECONDS))
    per_tick, tick = 10, 10 * PACKET * 8 / (RATE_KBIT * 1000)  # 10 packets per 20 ms
    sent, started, seq = 0, time.monotonic(), 0
    while time.monotonic() - started < seconds:
        for _ in range(per_tick):
            a.sendto(_packet(b"D", seq).ljust(PACKET, b"\0"), to)
            seq += 1
        sent += per_tick * PACKET
        await asyncio.sleep(tick)
    await asyncio.sleep(DRAIN_SECONDS)
    kbit = round(b_in.data_bytes * 8 / seconds / 1000)
    lost = max(0.0, 100 * (1 - b_in.data_bytes / sent)) if sent else 100.0
    text = (f"Ongeveer {kbit} kbit/s heen en terug via de TURN-server ({word}), {lost:.0f} % "
            f"verloren; gemeten tot {RATE_KBIT} kbit/s. Dit is de tragere van upload en "
            "download van dit netwerk.")  # fmt: skip
    if kbit >= GOOD_KBIT:
        return Check(CheckName.THROUGHPUT, Outcome.OK, text, kbit_s=kbit)
    if kbit >= LOW_KBIT:
        return Check(CheckName.THROUGHPUT, Outcome.WARNING, text + " Genoeg voor geluid en "
                     "beeld van lagere kwaliteit.", "Vraag de ICT-afdeling of er een "
                     "bandbreedtelimiet per apparaat is.", kbit_s=kbit)  # fmt: skip
    return Check(CheckName.THROUGHPUT, Outcome.FAILED, text + " Te weinig voor een gesprek "
                 "met beeld.", "Vraag de ICT-afdeling om meer bandbreedte voor dit apparaat "
                 "of een ander netwerk.", kbit_s=kbit)  # fmt: skip


def _packet(kind: bytes, seq: int) -> bytes:
    return _HEADER.pack(kind, seq, time.monotonic())


def _close(pair: list[tuple[TurnTransport, _Receiver]]) -> None:
    for transport, _ in pair:
        with contextlib.suppress(Exception):
            transport.close()  # releases the allocation
