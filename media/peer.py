"""One peer connection: our tracks out, their tracks consumed, two data channels.

A :class:`PeerLink` lives for one attempt. It never reconnects itself (aiortc has
no ICE restart): when it fails, the session throws it away and makes a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiortc import MediaStreamTrack, RTCDataChannel, RTCPeerConnection, RTCSessionDescription

from media import codecs, framebuffer, ice, sctpguard
from media.audio import playout
from media.control import (
    ControlInvalid,
    ControlMessage,
    VersionMismatch,
    decode_control,
    decode_heartbeat,
    encode_heartbeat,
)
from media.impair import Impairment, attach
from media.refusals import RefusalSummary
from media.tracks import AttemptTrack, FrameSink, consume

logger = logging.getLogger(__name__)

DRAIN_LIMIT = 0.5  # s a closing link waits for its last control message to leave

HEARTBEAT_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class LocalMedia:
    """Long-lived sources; each link wraps them in its own AttemptTracks."""

    audio: MediaStreamTrack | None = None
    video: MediaStreamTrack | None = None


@dataclass
class LinkEvents:
    """What a link reports to its session (called on the engine loop)."""

    on_control: Callable[[ControlMessage], None]
    on_life: Callable[[], None]
    on_connected: Callable[[], None]
    on_failed: Callable[[str], None]  # "ice", "update", "protocol" (media.sctpguard)
    video_sink: FrameSink | None = None
    audio_sink: FrameSink | None = None
    on_channels_open: Callable[[], None] = field(default=lambda: None)
    # ("ice" | "dtls", state): the transport's states, for the connection log
    on_transport: Callable[[str, str], None] = field(default=lambda _layer, _state: None)


class PeerLink:
    def __init__(
        self,
        *,
        ice_servers: Sequence[Mapping[str, Any]],
        media: LocalMedia,
        events: LinkEvents,
        relay_only: bool = False,
        impairment: Impairment | None = None,
        turn_tls: ssl.SSLContext | None = None,
        relay_protocol: str | None = None,
    ) -> None:
        codecs.install()  # VP8 whose bitrate moves in steps: fewer keyframes, less delay
        self.pc = RTCPeerConnection(ice.rtc_configuration(ice_servers, relay_only=relay_only))
        self._media = media
        self._events = events
        self._impairment = impairment
        self._turn_tls = turn_tls
        self._relay_protocol = relay_protocol  # the attempt's one TURN transport
        self._control: RTCDataChannel | None = None
        self._heartbeat: RTCDataChannel | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False  # reports nothing more to the session
        self._closing = False
        self._watched: set[int] = set()  # DTLS transports whose states are reported
        self._reported: dict[str, str] = {}
        # Refused input from the peer: counted, summarised (media.refusals), never a line each.
        self.refusals = RefusalSummary("peer message")
        self.pc.on("track", self._on_track)
        self.pc.on("datachannel", self._on_datachannel)
        self.pc.on("connectionstatechange", self._on_connection_state)
        self.pc.on("iceconnectionstatechange", self._on_ice_state)

    # -- set-up ---------------------------------------------------------------

    def _add_local_tracks(self) -> None:
        for source in (self._media.audio, self._media.video):
            if source is not None:
                self.pc.addTrack(AttemptTrack(source))

    async def create_offer(self) -> str:
        """Offerer (student): tracks, both channels, and a complete offer (half-trickle)."""
        self._add_local_tracks()
        for kind in ("audio", "video"):  # receive even what we do not send
            if not any(t.kind == kind for t in self.pc.getTransceivers()):
                self.pc.addTransceiver(kind, direction="recvonly")
        playout.install(self.pc)  # an audio delay that comes back down after loss
        framebuffer.install(self.pc)  # a video frame goes on the moment it is complete
        self._bind_control(self.pc.createDataChannel("control", ordered=True))
        self._bind_heartbeat(
            self.pc.createDataChannel("heartbeat", ordered=False, maxRetransmits=0)
        )
        offer = await self.pc.createOffer()
        ice.secure_turn(self.pc, self._turn_tls)  # before setLocalDescription gathers
        ice.bound_gathering(self.pc)
        await self.pc.setLocalDescription(offer)
        self._after_gathering()
        return str(self.pc.localDescription.sdp)

    async def accept_offer(self, sdp: str) -> str:
        """Answerer (classroom): apply the verified offer and return our answer."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        self._add_local_tracks()
        playout.install(self.pc)
        framebuffer.install(self.pc)
        answer = await self.pc.createAnswer()
        ice.secure_turn(self.pc, self._turn_tls)  # before setLocalDescription gathers
        ice.bound_gathering(self.pc)
        await self.pc.setLocalDescription(answer)
        self._after_gathering()
        return str(self.pc.localDescription.sdp)

    async def accept_answer(self, sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        self._watch_dtls()  # BUNDLE may have put the media on another transport

    def _after_gathering(self) -> None:
        self._watch_dtls()
        if self.pc.sctp is not None:
            self.pc.sctp.on(sctpguard.VIOLATION, self._on_violation)
        if self._impairment is not None:
            attach(ice.ice_connections(self.pc), self._impairment)

    def _on_violation(self, _kind: str) -> None:
        """The peer broke the data channel rules (media.sctpguard logged which)."""
        if not self._closed:
            self._events.on_failed("protocol")

    # -- transport states (for the connection log) ------------------------------

    def _watch_dtls(self) -> None:
        """aiortc's peer connection reports no DTLS state: listen on each transport."""
        transports = [t.sender.transport for t in self.pc.getTransceivers()]
        if self.pc.sctp is not None:
            transports.append(self.pc.sctp.transport)
        for transport in transports:
            if transport is None or id(transport) in self._watched:
                continue
            self._watched.add(id(transport))
            transport.on("statechange", lambda t=transport: self._report("dtls", t.state))

    def _on_ice_state(self) -> None:
        self._report("ice", self.pc.iceConnectionState)

    def _report(self, layer: str, state: str) -> None:
        # BUNDLE: several transports step through the same states; log each once.
        if self._closed or self._reported.get(layer) == state:
            return
        self._reported[layer] = state
        self._events.on_transport(layer, state)

    # -- channels -------------------------------------------------------------

    def _on_datachannel(self, channel: RTCDataChannel) -> None:
        if channel.label == "control" and self._control is None:
            self._bind_control(channel)
        elif channel.label == "heartbeat" and self._heartbeat is None:
            self._bind_heartbeat(channel)
        else:
            self.refusals.note("unexpected data channel")
            channel.close()

    def _bind_control(self, channel: RTCDataChannel) -> None:
        self._control = channel
        channel.on("message", self._on_control_message)
        channel.on("open", self._check_channels_open)
        if channel.readyState == "open":
            self._check_channels_open()

    def _bind_heartbeat(self, channel: RTCDataChannel) -> None:
        self._heartbeat = channel
        channel.on("message", self._on_heartbeat_message)
        channel.on("open", self._check_channels_open)
        if channel.readyState == "open":
            self._check_channels_open()

    def _check_channels_open(self) -> None:
        if self.channels_open and not any(t.get_name() == "hb" for t in self._tasks):
            self._spawn(self._send_heartbeats(), name="hb")
            self._events.on_channels_open()

    @property
    def channels_open(self) -> bool:
        return all(
            c is not None and c.readyState == "open" for c in (self._control, self._heartbeat)
        )

    def _on_control_message(self, data: str | bytes) -> None:
        try:
            message = decode_control(data)
        except VersionMismatch:
            self._events.on_failed("update")
            return
        except ControlInvalid as exc:
            self.refusals.note(f"control {exc.detail}")
            return
        self._events.on_life()
        self._events.on_control(message)

    def _on_heartbeat_message(self, data: str | bytes) -> None:
        try:
            decode_heartbeat(data)
        except VersionMismatch:
            self._events.on_failed("update")
            return
        except ControlInvalid:
            self.refusals.note("heartbeat")
            return
        self._events.on_life()

    async def _send_heartbeats(self) -> None:
        counter = 0
        while not self._closed:
            channel = self._heartbeat
            if channel is not None and channel.readyState == "open":
                counter += 1
                channel.send(encode_heartbeat(counter))
            await asyncio.sleep(HEARTBEAT_INTERVAL)

    def send_control(self, message: ControlMessage) -> bool:
        """Send on the control channel; False when it is not open (nothing queued)."""
        channel = self._control
        if self._closed or channel is None or channel.readyState != "open":
            return False
        channel.send(message.encode())
        return True

    async def drain_control(self) -> None:
        """Wait (bounded) until what was sent on the control channel has left: a bye
        sent just before close() must not die in SCTP's queue, as only the control
        channel may end a live call."""
        channel = self._control
        if channel is None or channel.readyState != "open" or channel.bufferedAmount == 0:
            return
        drained = asyncio.Event()
        channel.bufferedAmountLowThreshold = 0
        channel.once("bufferedamountlow", drained.set)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_LIMIT):
                await drained.wait()

    # -- media and state ------------------------------------------------------

    def _on_track(self, track: MediaStreamTrack) -> None:
        sink = self._events.video_sink if track.kind == "video" else self._events.audio_sink
        self._spawn(consume(track, sink, self._events.on_life), name=f"rx-{track.kind}")

    def _on_connection_state(self) -> None:
        state = self.pc.connectionState
        logger.debug("peer connection %s", state)
        if self._closed:
            return
        if state == "connected":
            self._events.on_connected()
        elif state == "failed":
            self._events.on_failed("ice")

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def candidate_type(self) -> str | None:
        return ice.selected_candidate_type(self.pc)

    @property
    def has_relay(self) -> bool:
        """Whether gathering got a relayed candidate (our TURN allocation)."""
        return ice.has_relay_candidate(self.pc)

    @property
    def relay_protocol(self) -> str | None:
        """udp / tcp / tls when our side of the selected pair is our relay, else None."""
        if self._relay_protocol is None or ice.selected_local_type(self.pc) != "relay":
            return None
        return self._relay_protocol

    def detach(self) -> None:
        """From now on this link reports nothing to its session (it is being closed)."""
        self._closed = True

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._closed = True
        self.refusals.close()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await self.pc.close()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
