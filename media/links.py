"""Peer links of one session: made over the chosen path, closed in the background.

The session and its negotiator reach links only through :class:`LinkMaker` (typed
as :class:`media.ports.LinkSource`, so unit tests hand in a recording fake). It
owns the path chooser (media.paths): which TURN transport each attempt takes, and
which one worked on this network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from media.impair import Impairment
from media.paths import PathChooser, PathPlan
from media.peer import LinkEvents, LocalMedia, PeerLink
from media.turnprobe import turn_tls_context
from media.turnurls import TurnLogin
from pairing.credentials import DeviceCredentials


class LinkMaker:
    def __init__(
        self,
        *,
        credentials: DeviceCredentials,
        ice_servers: Sequence[Mapping[str, Any]],
        media: LocalMedia,
        relay_only: bool = False,
        impairment: Impairment | None = None,
    ) -> None:
        self._ice_servers = list(ice_servers)
        # One TURN transport per attempt, chosen and remembered per network.
        self._turn_tls = turn_tls_context(credentials.ca_certificate)
        self.paths = PathChooser(self._ice_servers, tls=self._turn_tls)
        self._media = media
        self._relay_only = relay_only
        self._impairment = impairment
        self._closing: set[asyncio.Task[None]] = set()  # links given up, still closing

    def set_login(self, login: TurnLogin) -> None:
        self.paths.set_login(login)

    def network_changed(self) -> None:
        self.paths.network_changed()

    async def plan(self) -> PathPlan:
        return await self.paths.plan()

    def succeeded(self, plan: PathPlan) -> None:
        self.paths.succeeded(plan)

    def failed(self, plan: PathPlan) -> None:
        """An attempt over ``plan`` never went live: that path is not for this network."""
        self.paths.failed(plan)

    def open(self, plan: PathPlan | None, events: LinkEvents) -> PeerLink:
        return PeerLink(
            ice_servers=plan.ice_servers if plan is not None else self._ice_servers,
            media=self._media,
            events=events,
            relay_only=self._relay_only,
            impairment=self._impairment,
            turn_tls=self._turn_tls,
            relay_protocol=plan.protocol.value if plan and plan.protocol else None,
        )

    def close(self, link: PeerLink) -> None:
        """Closing may wait on a dead path (aioice gives a TURN allocation back with
        retransmitted requests, for up to ~30 s): never hold the session on it."""
        link.detach()
        task = asyncio.get_running_loop().create_task(link.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self, limit: float = 3.0) -> None:
        """Wait, briefly, for links still closing (the engine is stopping); then the
        path chooser's probes end."""
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=limit)
        await self.paths.close()
