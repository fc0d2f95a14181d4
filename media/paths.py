"""Which network path an attempt takes, and what worked on this network before.

Paths in the order attempts try them (DESIGN.md "Into the field"): host and
server-reflexive candidates plus TURN over UDP; TURN over TCP; TURN over TLS.
Before the first attempt on a network the chooser probes every relay transport at
once (media.turnprobe, at most 3 s), so a school that lets out only TCP 443 starts
on TLS instead of waiting for UDP and TCP to time out. An attempt that reaches no
LIVE moves the ladder one step; one that does is remembered, in memory only, for
this network (its set of local addresses), so the next call starts there.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aioice.ice

from media.turnprobe import ProbeResult, probe_all
from media.turnurls import LADDER, FleetRelays, RelayProtocol, TurnLogin, attempt_servers, split

logger = logging.getLogger(__name__)

LOGIN_WAIT = 2.0  # how long an attempt waits for the server's first TURN credential
LOGIN_MARGIN = 60.0  # a credential this close to its expiry is not used for a new attempt
PROBE_MAX_AGE = 300.0  # re-probe a network after this long (a firewall may have changed)

Prober = Callable[..., Awaitable[dict[RelayProtocol, ProbeResult]]]


def local_addresses() -> frozenset[str]:
    """The addresses ICE would gather host candidates on (127.0.0.1 in loopback mode)."""
    return frozenset(aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True))


def network_key(addresses: frozenset[str] | None = None) -> str:
    """This device's current network, as a digest of its local addresses (not kept)."""
    hosts = sorted(local_addresses() if addresses is None else addresses)
    return hashlib.sha256("|".join(hosts).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class PathPlan:
    """One attempt's path: the relay transport (None: no TURN) and its ICE servers."""

    protocol: RelayProtocol | None
    ice_servers: list[dict[str, Any]]
    network: str = ""


@dataclass
class _Memory:
    good: RelayProtocol | None = None
    failed: set[RelayProtocol] = field(default_factory=set)
    reachable: tuple[RelayProtocol, ...] | None = None
    probed_at: float = 0.0


class PathChooser:
    def __init__(
        self,
        ice_servers: Sequence[Mapping[str, Any]],
        *,
        tls: ssl.SSLContext | None,
        prober: Prober = probe_all,
        network: Callable[[], str] = network_key,
    ) -> None:
        self.relays: FleetRelays = split(ice_servers)
        self._tls = tls
        self._prober = prober
        self._network = network
        self._login: TurnLogin | None = None
        self._login_event = asyncio.Event()
        self._memory: dict[str, _Memory] = {}
        self._probing: asyncio.Task[None] | None = None
        self.last_probe: dict[RelayProtocol, ProbeResult] = {}

    # -- credentials --------------------------------------------------------------

    def set_login(self, login: TurnLogin) -> None:
        """A new credential from the signaling server (first, or renewed)."""
        first = self._login is None
        self._login = login
        self._login_event.set()
        if first and self.relays.has_turn:
            # Warm up: the classroom answers sooner if it already knows its path.
            self._ensure_probe(self._network())

    def _usable_login(self) -> TurnLogin | None:
        login = self._login
        if login is None or login.expires_at - time.time() < LOGIN_MARGIN:
            return None
        return login

    def network_changed(self) -> None:
        """A local address went away (Wi-Fi → 4G): probe the new network now, while
        the new attempt's hello and welcome go round, not after (media.engine)."""
        if not self.relays.has_turn or self._usable_login() is None:
            return
        key = self._network()
        memory = self._memory.get(key)
        if memory is None or (memory.good is None and memory.reachable is None):
            if self._probing is not None and not self._probing.done():
                self._probing.cancel()  # it probes the network that just went away
            self._ensure_probe(key)

    # -- choosing ----------------------------------------------------------------------

    async def plan(self) -> PathPlan:
        """The path for the next attempt (may wait briefly for a credential or a probe)."""
        if not self.relays.has_turn:
            return PathPlan(None, attempt_servers(self.relays, None, None))
        if self._usable_login() is None:
            self._login_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._login_event.wait(), LOGIN_WAIT)
        login = self._usable_login()
        key = self._network()
        if login is None:
            logger.info("no TURN credential: attempt without relay")
            return PathPlan(None, attempt_servers(self.relays, None, None), key)
        memory = self._memory.setdefault(key, _Memory())
        if memory.good is None:
            await self._probed(key)
        protocol = self._choose(memory)
        logger.info("attempt path: %s", protocol.value if protocol else "direct")
        return PathPlan(protocol, attempt_servers(self.relays, protocol, login), key)

    def _choose(self, memory: _Memory) -> RelayProtocol | None:
        if memory.good is not None:
            return memory.good
        offered = [p for p in LADDER if p in self.relays.turn]
        reachable = memory.reachable if memory.reachable is not None else tuple(offered)
        untried = [p for p in offered if p in reachable and p not in memory.failed]
        if untried:
            return untried[0]
        # Everything reachable has failed once: start the ladder again (the peer may
        # have been the one that could not get through).
        memory.failed.clear()
        candidates = [p for p in offered if p in reachable]
        return candidates[0] if candidates else None

    async def _probed(self, key: str) -> None:
        """Probe results for this network: waited for only the first time; after that
        an attempt goes on what is known while a fresh probe runs beside it (a
        school's probe waits out its blocked transports: 2 s)."""
        memory = self._memory[key]
        known = memory.reachable is not None
        if not known or time.monotonic() - memory.probed_at >= PROBE_MAX_AGE:
            self._ensure_probe(key)
        task = self._probing
        if task is not None and not known:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)

    def _ensure_probe(self, key: str) -> None:
        if self._probing is not None and not self._probing.done():
            return
        self._probing = asyncio.get_running_loop().create_task(self._probe(key))

    async def _probe(self, key: str) -> None:
        login = self._usable_login()
        if login is None:
            return
        results = await self._prober(self.relays.endpoints(), login, self._tls)
        self.last_probe = results
        memory = self._memory.setdefault(key, _Memory())
        memory.reachable = tuple(p for p in LADDER if p in results and results[p].ok)
        memory.probed_at = time.monotonic()
        logger.info(
            "relay probe: %s",
            ", ".join(f"{p.value} {'ok' if r.ok else r.error}" for p, r in results.items()),
        )

    # -- outcomes ----------------------------------------------------------------------

    def succeeded(self, plan: PathPlan) -> None:
        memory = self._memory.setdefault(plan.network, _Memory())
        memory.good = plan.protocol
        memory.failed.clear()

    def failed(self, plan: PathPlan) -> None:
        """The attempt on this path reached no LIVE: the next one tries the next path."""
        if plan.protocol is None:
            return
        memory = self._memory.setdefault(plan.network, _Memory())
        if memory.good is plan.protocol:
            memory.good = None
        memory.failed.add(plan.protocol)
        memory.probed_at = 0.0  # the network may have changed under us: probe again

    async def close(self) -> None:
        if self._probing is not None:
            self._probing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._probing
