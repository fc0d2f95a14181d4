"""What the network self-test reports: one :class:`Check` per thing it tried.

Each check says ok, warning or failed in one Dutch sentence a technician
understands, and when it did not go well, what to ask the school's (or hospital's)
ICT department. Sentences may name the configured host names and ports of the
fleet's server and relay; never an address of this device or of its network.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


class Outcome(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"  # works, but not as well as it could, or cannot be checked
    FAILED = "failed"
    SKIPPED = "skipped"  # not tried: an earlier step it needs failed


class CheckName(enum.StrEnum):
    """The checks, in the order the test runs them."""

    DNS = "dns"
    TCP = "tcp"
    TLS = "tls"
    CREDENTIAL = "turn-credential"
    TURN_UDP = "turn-udp"
    TURN_TCP = "turn-tcp"
    TURN_TLS = "turn-tls"
    ROUND_TRIP = "round-trip"
    THROUGHPUT = "throughput"


TITLES: dict[CheckName, str] = {
    CheckName.DNS: "Naam van de server opzoeken (DNS)",
    CheckName.TCP: "Verbinding met de server (TCP)",
    CheckName.TLS: "Beveiligde verbinding met de server (TLS, certificaat)",
    CheckName.CREDENTIAL: "TURN-inloggegevens ophalen",
    CheckName.TURN_UDP: "TURN-server via UDP",
    CheckName.TURN_TCP: "TURN-server via TCP",
    CheckName.TURN_TLS: "TURN-server via TLS",
    CheckName.ROUND_TRIP: "Reactietijd via de TURN-server",
    CheckName.THROUGHPUT: "Doorvoer via de TURN-server",
}

SYMBOLS = {Outcome.OK: "OK", Outcome.WARNING: "LET OP", Outcome.FAILED: "MISLUKT",
           Outcome.SKIPPED: "NIET GETEST"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Check:
    name: CheckName
    outcome: Outcome
    text: str  # one Dutch sentence (or two) for the technician
    advice: str = ""  # what to ask the ICT department or the operator; "" when ok
    ms: float | None = None  # how long it took, or the measured round trip
    kbit_s: float | None = None  # throughput checks only

    @property
    def title(self) -> str:
        return TITLES[self.name]


@dataclass(frozen=True, slots=True)
class Step:
    """Progress: a check starts (``check`` None) or has its result."""

    name: CheckName
    check: Check | None = None

    @property
    def title(self) -> str:
        return TITLES[self.name]


Progress = Callable[[Step], None]

_SIGNALING = (CheckName.DNS, CheckName.TCP, CheckName.TLS)
_RELAYS = (CheckName.TURN_UDP, CheckName.TURN_TCP, CheckName.TURN_TLS)


@dataclass(frozen=True, slots=True)
class NetReport:
    checks: tuple[Check, ...]
    seconds: float

    def get(self, name: CheckName) -> Check | None:
        return next((c for c in self.checks if c.name is name), None)

    @property
    def server_reachable(self) -> bool:
        """At least one signaling server passed every step (a warning: not all did)."""
        return all(self._ok(name, or_warning=True) for name in _SIGNALING)

    @property
    def relay_works(self) -> bool:
        return any(self._ok(name) for name in _RELAYS)

    @property
    def call_possible(self) -> bool:
        """The server answers and a media path exists: a relay works, or the fleet has
        none (then only direct paths remain, which this test cannot try without the
        other device; the credential check warns about that)."""
        if not self.server_reachable:
            return False
        if self.relay_works:
            return True
        relays_tried = any(self._tried(name) for name in _RELAYS)
        credential = self.get(CheckName.CREDENTIAL)
        no_turn = credential is not None and credential.outcome is Outcome.WARNING
        return no_turn and not relays_tried

    @property
    def summary(self) -> str:
        if self.call_possible and all(c.outcome is Outcome.OK for c in self.checks):
            return "Alles werkt: Klasgenoot kan vanaf dit netwerk bellen."
        if self.call_possible:
            return (
                "Klasgenoot kan vanaf dit netwerk bellen, maar niet alles werkt: "
                "zie de punten met LET OP."
            )
        return (
            "Vanaf dit netwerk lukt een gesprek niet. Geef de adviezen hieronder aan de "
            "ICT-afdeling."
        )

    def _ok(self, name: CheckName, *, or_warning: bool = False) -> bool:
        check = self.get(name)
        good = (Outcome.OK, Outcome.WARNING) if or_warning else (Outcome.OK,)
        return check is not None and check.outcome in good

    def _tried(self, name: CheckName) -> bool:
        check = self.get(name)
        return check is not None and check.outcome is not Outcome.SKIPPED


class Run:
    """One test run: the deadline, the checks so far, and progress reports."""

    def __init__(self, progress: Progress, budget: float) -> None:
        self.progress = progress
        self.deadline = time.monotonic() + budget
        self.started = time.monotonic()
        self.checks: list[Check] = []

    def limit(self, own: float) -> float:
        return max(0.05, min(own, self.deadline - time.monotonic()))

    def start(self, name: CheckName) -> float:
        self.progress(Step(name))
        return time.monotonic()

    def done(self, check: Check) -> Check:
        self.checks.append(check)
        self.progress(Step(check.name, check))
        return check

    def skip(self, names: Sequence[CheckName], why: str) -> None:
        for name in names:
            self.done(Check(name, Outcome.SKIPPED, why))

    def report(self) -> NetReport:
        return NetReport(tuple(self.checks), round(time.monotonic() - self.started, 1))


def lines(report: NetReport) -> list[str]:
    """The report as plain text lines (the CLI prints them; tests read them)."""
    out = []
    for check in report.checks:
        out.append(f"[{SYMBOLS[check.outcome]}] {check.title}: {check.text}")
        if check.advice:
            out.append(f"    Advies: {check.advice}")
    out.append(report.summary)
    return out
