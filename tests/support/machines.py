"""Recording fakes for the call's state machines (session, negotiator, feature hub).

Each fake appends what it is asked to do to one shared ``Journal``, so a test
asserts the exact sequence of transitions and outputs, as magic-wormhole's machine
tests do. The wire and aiortc stay out: links are fakes that "gather" at once and
describe themselves with a fixed SDP; certificates and sealing are real.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from media.control import ControlMessage
from media.handshake import Handshake, parse_handshake
from media.paths import PathPlan
from media.peer import LinkEvents
from media.state import CallState, EndReason, StateChange
from media.turnurls import RelayProtocol
from pairing.certificates import DeviceCertInfo

OFFER_SDP = "v=0\r\no=- offer\r\n"
ANSWER_SDP = "v=0\r\no=- answer\r\n"


@dataclass
class Journal:
    """Everything the fakes were asked, in order: ("relay", "hello"), ("state", ...)."""

    entries: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, *entry: Any) -> None:
        self.entries.append(entry)

    def take(self) -> list[tuple[Any, ...]]:
        """What was recorded since the last take (and forget it)."""
        out, self.entries = self.entries, []
        return out


class Relay:
    """The relay as a session sees it: records and keeps every payload it is given."""

    def __init__(self, journal: Journal, name: str = "relay") -> None:
        self.journal, self.name = journal, name
        self.sent: list[dict[str, Any]] = []

    async def __call__(self, payload: dict[str, Any]) -> bool:
        self.sent.append(payload)
        self.journal.add(self.name, payload["t"], payload["call"])
        return True

    def last(self, kind: str | None = None) -> Handshake:
        """The last payload sent (of ``kind``), parsed as the peer would."""
        payloads = [p for p in self.sent if kind is None or p["t"] == kind]
        return parse_handshake(payloads[-1])


class FakeLink:
    """A PeerLink that gathers at once; ``channels_open`` and ``has_relay`` are set by tests."""

    def __init__(self, journal: Journal, events: LinkEvents, number: int, name: str) -> None:
        self.journal, self.events, self.number, self.name = journal, events, number, name
        self.channels_open = False
        self.has_relay = True
        self.candidate_type: str | None = "host"
        self.relay_protocol: str | None = None
        self.on_describe: Callable[[], Awaitable[None]] | None = None  # runs while gathering

    async def _gathering(self) -> None:
        if self.on_describe is not None:
            await self.on_describe()

    async def create_offer(self) -> str:
        self.journal.add(self.name, self.number, "create_offer")
        await self._gathering()
        return OFFER_SDP

    async def accept_offer(self, sdp: str) -> str:
        self.journal.add(self.name, self.number, "accept_offer", sdp)
        await self._gathering()
        return ANSWER_SDP

    async def accept_answer(self, sdp: str) -> None:
        self.journal.add(self.name, self.number, "accept_answer", sdp)

    def send_control(self, message: ControlMessage) -> bool:
        self.journal.add(self.name, self.number, "control", message.kind, dict(message.body))
        return True

    async def drain_control(self) -> None:
        return None


class FakeLinks:
    """A LinkSource: each plan from ``plans`` in turn (then the last again)."""

    def __init__(
        self, journal: Journal, plans: list[PathPlan] | None = None, name: str = "link"
    ) -> None:
        self.journal, self.name = journal, name
        self.plans = plans or [PathPlan(None, [])]
        self.made: list[FakeLink] = []
        self.has_relay = [True]  # per link made, then the last again
        self.closed_all = False

    async def plan(self) -> PathPlan:
        return self.plans.pop(0) if len(self.plans) > 1 else self.plans[0]

    def open(self, plan: PathPlan | None, events: LinkEvents) -> Any:
        link = FakeLink(self.journal, events, len(self.made) + 1, self.name)
        relay = self.has_relay
        link.has_relay = relay.pop(0) if len(relay) > 1 else relay[0]
        self.made.append(link)
        protocol = plan.protocol.value if plan and plan.protocol else None
        self.journal.add(self.name, link.number, "open", protocol)
        return link

    def succeeded(self, plan: PathPlan) -> None:
        self.journal.add(f"{self.name}.path", "succeeded", plan.protocol)

    def failed(self, plan: PathPlan) -> None:
        self.journal.add(f"{self.name}.path", "failed", plan.protocol)

    def close(self, link: Any) -> None:
        self.journal.add(self.name, link.number, "close")

    def set_login(self, login: Any) -> None:
        self.journal.add("login")

    def network_changed(self) -> None:
        self.journal.add(f"{self.name}.path", "network changed")

    async def aclose(self) -> None:
        self.closed_all = True

    @property
    def last(self) -> FakeLink:
        return self.made[-1]


UDP_PLAN = PathPlan(RelayProtocol.UDP, [])
TCP_PLAN = PathPlan(RelayProtocol.TCP, [])


class NegotiationHostFake:
    """A NegotiationHost whose state the test sets; records what the negotiator decided."""

    def __init__(self, journal: Journal, state: CallState = CallState.WAITING) -> None:
        self.journal = journal
        self.state = state
        self.reason: EndReason | None = None
        self.refusal: str | None = None  # what admit() answers
        self.peer: DeviceCertInfo | None = None

    def admit(self) -> str | None:
        return self.refusal

    def standby_taken(self) -> None:
        self.journal.add("host", "standby taken")

    def attempt_begun(self) -> None:
        self.journal.add("host", "attempt_begun")
        if self.state is not CallState.RECONNECTING:
            self.state = CallState.CONNECTING

    def peer_verified(self, peer: DeviceCertInfo) -> None:
        self.peer = peer
        self.journal.add("host", "peer_verified", peer.device_id.short)

    def peer_untrusted(self) -> None:
        self.journal.add("host", "peer_untrusted")
        self.state, self.reason = CallState.ENDED, EndReason.PEER_UNTRUSTED

    async def remote_bye(self, reason: str, next_start: str = "") -> None:
        self.journal.add("host", "remote_bye", reason, next_start)


class StateRecorder:
    """SessionHooks' callbacks, recorded: states, controls, path losses."""

    def __init__(self, journal: Journal, name: str) -> None:
        self.journal, self.name = journal, name
        self.changes: list[StateChange] = []
        self.refusal: str | None = None

    def on_state(self, change: StateChange) -> None:
        self.changes.append(change)
        reason = change.reason.value if change.reason else None
        self.journal.add(self.name, "state", change.state.value, reason)

    def on_control(self, message: ControlMessage) -> None:
        self.journal.add(self.name, "control", message.kind, dict(message.body))

    def on_path_lost(self) -> None:
        self.journal.add(self.name, "path_lost")

    def admit(self) -> str | None:
        return self.refusal

    @property
    def states(self) -> list[tuple[str, str | None]]:
        return [(c.state.value, c.reason.value if c.reason else None) for c in self.changes]


class FeatureHostFake:
    """A FeatureHost: records what the features asked of the engine."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.call_state = CallState.LIVE
        self.confirm_sending = False
        self.view: Any = None
        self.channel_open = True  # send_control's answer
        self.spawned: list[Coroutine[Any, Any, None]] = []

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self.journal.add("spawn", coro.__qualname__)
        self.spawned.append(coro)

    async def run_spawned(self) -> None:
        spawned, self.spawned = self.spawned, []
        await asyncio.gather(*spawned)

    def send_control(self, message: ControlMessage) -> bool:
        self.journal.add("send", message.kind, dict(message.body))
        return self.channel_open

    def report_control(self, message: ControlMessage) -> None:
        self.journal.add("report", message.kind, dict(message.body))

    def set_media(self, *, mic: bool, camera: bool) -> None:
        self.journal.add("set_media", mic, camera)

    def allow_sending(self) -> None:
        self.journal.add("allow_sending")

    async def substitute(self) -> None:
        self.journal.add("substitute")

    async def rejoin(self) -> None:
        self.journal.add("rejoin")

    async def end_for_schedule(self) -> None:
        self.journal.add("end_for_schedule")
