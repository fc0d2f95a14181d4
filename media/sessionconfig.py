"""A call session's settings and the hooks it reports to (media.session).

Apart so that the session module holds only the state machine; both are imported
from media.session too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from media.control import ControlMessage
from media.state import StateChange

SendRelay = Callable[[dict[str, Any]], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class SessionSettings:
    # Silence after which the peer is gone; with the 0.1 s tick a dead link is
    # declared within 3 s (heartbeats are 1/s, media ~50 packets/s).
    peer_timeout: float = 2.5
    connect_timeout: float = 10.0  # hello → connected, else try again
    # Reconnecting while the peer is online: an attempt whose offer or answer is out
    # gets this long, and the next one follows at most reconnect_backoff_max later.
    # aioice sends its checks at 0, 0.5 and 1.5 s, so a link that comes back is found
    # by the next attempt within about 1.5 s, however long it was gone (issue 10).
    reconnect_timeout: float = 2.5
    # A live peer that is silent this long while its new hello waits (the laptop
    # changed network and starts over) is gone: no need to wait out peer_timeout. A
    # replayed hello alone never ends a call whose peer still speaks (media at ~50
    # packets/s makes half a second of silence a real break).
    hello_silence: float = 0.5
    # Student: a live peer silent this long gets a standby attempt beside the link (a
    # router that changed its uplink leaves the laptop nothing else to notice). The
    # class, seeing its hello with the link silent, gives the link up (hello_silence).
    # None: no standby, the link is given up only after peer_timeout.
    standby_silence: float | None = 0.8
    reconnect_backoff_max: float = 0.5
    backoff_initial: float = 0.25
    backoff_max: float = 8.0
    relay_only: bool = False
    tick: float = 0.1


@dataclass
class SessionHooks:
    """Where a session reports; all called on the engine loop, all must be quick."""

    on_state: Callable[[StateChange], None]
    on_control: Callable[[ControlMessage], None] = lambda _m: None
    video_sink: Callable[[Any], None] | None = None
    audio_sink: Callable[[Any], None] | None = None
    on_channels_open: Callable[[], None] = lambda: None
    on_transport: Callable[[str, str], None] = lambda _layer, _state: None  # ICE/DTLS states
    # The media path went away under a live call (peer silent, network changed): the
    # signaling connection may run over the same dead link (the engine reconnects it).
    on_path_lost: Callable[[], None] = lambda: None
    # Classroom: may the pupil call now (school hours)? None admits; otherwise the
    # next start as ISO 8601 ("" if none), sent back with bye "schedule".
    admit: Callable[[], str | None] = lambda: None
