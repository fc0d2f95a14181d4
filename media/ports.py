"""The engine's ports: what it reports to (a listener) and how it reaches the peer.

The Qt bridge, the headless demo and tests are listeners; the real signaling client
(media.signaling_port) and tests' in-memory relays are signaling ports.

Inside the engine, back-references go through small protocols too, so no part
reaches into another's private members and each can be unit-tested with a
recording fake: the features' host (the engine), a negotiator's host (its call
session) and the source of peer links (media.links).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from media.control import ControlMessage
from media.state import CallState, EndReason, StateChange
from media.stats import CallStats
from pairing.revocation import RevocationList
from signaling.protocol import CallReport
from signaling.turn import TurnCredential

if TYPE_CHECKING:
    from media.crop import ViewTrack
    from media.paths import PathPlan
    from media.peer import LinkEvents, PeerLink
    from media.turnurls import TurnLogin
    from pairing.certificates import DeviceCertInfo


class EngineListener(Protocol):
    def on_state(self, change: StateChange) -> None: ...
    def on_stats(self, stats: CallStats) -> None: ...
    def on_control(self, message: ControlMessage) -> None: ...
    def on_signaling(self, connected: bool) -> None: ...
    def on_peer_online(self, online: bool) -> None: ...
    def on_video_frame(self, frame: Any) -> None: ...
    def on_audio_frame(self, frame: Any) -> None: ...
    def on_sending(self, sending: bool) -> None: ...


class SignalingHandler(Protocol):
    """What a signaling port reports to the engine."""

    # reason (on a disconnect): signaling.events.DisconnectReason's value, "" if unknown.
    async def signaling_changed(self, connected: bool, reason: str = "") -> None: ...
    async def peer_changed(self, online: bool) -> None: ...
    async def relayed(self, payload: Any) -> None: ...
    async def crl_received(self, crl: RevocationList) -> None: ...
    async def turn_received(self, credential: TurnCredential) -> None: ...


class SignalingPort(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def send_relay(self, payload: dict[str, Any]) -> bool: ...

    # Once at the end of each call (media.callsummary): for the helpdesk's "last call".
    # False when not connected (the engine holds the last one until it is).
    async def report_call(self, summary: CallReport) -> bool: ...

    # A local address went away: drop a connection that may run over a link that is
    # gone, and connect again at once.
    def reconnect_now(self) -> None: ...

    # The call's peer fell silent: keep the connection if it still answers, else as
    # reconnect_now (a healthy one is kept: nothing relayed to it is lost).
    async def check_connection(self) -> bool: ...


SignalingFactory = Callable[[SignalingHandler], SignalingPort]


class FeatureHost(Protocol):
    """What the features (media.features) need from the engine, and nothing more."""

    @property
    def call_state(self) -> CallState: ...
    @property
    def confirm_sending(self) -> bool: ...  # the screen confirms LIVE before media leaves
    @property
    def view(self) -> ViewTrack | None: ...  # the classroom's crop of its camera

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None: ...
    def send_control(self, message: ControlMessage) -> bool: ...  # False: no channel yet
    def report_control(self, message: ControlMessage) -> None: ...  # to the screen
    def set_media(self, *, mic: bool, camera: bool) -> None: ...
    def allow_sending(self) -> None: ...
    # The teacher's pause: the pause picture and silence replace class media; returns
    # once no class frame can leave any more.
    async def substitute(self) -> None: ...
    async def rejoin(self) -> None: ...
    async def end_for_schedule(self) -> None: ...


class NegotiationHost(Protocol):
    """What a call's negotiator (media.negotiation) needs from its session."""

    @property
    def state(self) -> CallState: ...
    @property
    def reason(self) -> EndReason | None: ...

    def admit(self) -> str | None: ...  # school hours: None admits, else the next start
    def attempt_begun(self) -> None: ...  # connecting (unless reconnecting)
    def standby_taken(self) -> None: ...  # the peer welcomed a standby: reconnecting
    def peer_verified(self, peer: DeviceCertInfo) -> None: ...
    def peer_untrusted(self) -> None: ...  # the attempt is dropped already: the call ends
    async def remote_bye(self, reason: str, next_start: str = "") -> None: ...  # relayed


class LinkSource(Protocol):
    """Where a session's peer links come from and go to (media.links.LinkMaker)."""

    async def plan(self) -> PathPlan: ...
    def open(self, plan: PathPlan | None, events: LinkEvents) -> PeerLink: ...
    def succeeded(self, plan: PathPlan) -> None: ...
    def failed(self, plan: PathPlan) -> None: ...
    def close(self, link: PeerLink) -> None: ...  # in the background
    def set_login(self, login: TurnLogin) -> None: ...
    def network_changed(self) -> None: ...  # a local address went away
    async def aclose(self) -> None: ...
