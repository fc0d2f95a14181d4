"""The baseline: two bare aiortc peer connections on 127.0.0.1, nothing of ours around them.

Same synthetic sources and sizes as the demo, same offerer (the pupil), the same
receiver code (:func:`media.tracks.consume` into a :class:`FrameMeter`), but no
signaling server, no sealing, no data channels, no stats loop and no session
state machine: offer and answer are handed across in-process. What the demo costs
on top of this is what Klasgenoot adds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from aiortc import MediaStreamTrack, RTCPeerConnection

from app.demo.headless import FPS, SETUP_TIMEOUT, SIZES
from bench.window import MediaWindow, Metered, Receiver
from media import ice
from media.synthetic_audio import SyntheticAudioTrack
from media.synthetic_video import SyntheticVideoTrack
from media.tracks import consume
from pairing.roles import Role


class SetupFailed(RuntimeError):
    """Media did not flow both ways within the set-up timeout."""


def _peer(party: Receiver, tasks: set[asyncio.Task[None]]) -> RTCPeerConnection:
    # rtc_configuration([]) is RTCConfiguration(iceServers=[]): never None (Google STUN).
    pc = RTCPeerConnection(ice.rtc_configuration([]))

    @pc.on("track")
    def _on_track(track: MediaStreamTrack) -> None:
        sink = party.on_video_frame if track.kind == "video" else party.on_audio_frame
        task = asyncio.get_running_loop().create_task(consume(track, sink, lambda: None))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    return pc


def _add_tracks(pc: RTCPeerConnection, role: Role) -> None:
    width, height = SIZES[role]
    pc.addTrack(SyntheticAudioTrack())
    pc.addTrack(SyntheticVideoTrack(width, height, FPS))


async def _connect(offerer: RTCPeerConnection, answerer: RTCPeerConnection) -> None:
    """Offer/answer straight across, in the demo's order (media.peer.PeerLink).

    The answerer adds its tracks after the offer, so they ride the offered
    transceivers; aiortc gathers fully before it returns: no trickle, as in the demo.
    """
    _add_tracks(offerer, Role.STUDENT)
    await offerer.setLocalDescription(await offerer.createOffer())
    await answerer.setRemoteDescription(offerer.localDescription)
    _add_tracks(answerer, Role.CLASSROOM)
    await answerer.setLocalDescription(await answerer.createAnswer())
    await offerer.setRemoteDescription(answerer.localDescription)


async def run_raw(seconds: float, window: MediaWindow) -> dict[str, Any]:
    """Connect, wait for pictures both ways, measure ``seconds`` of media, close."""
    ice.set_loopback_only(True)  # this task and every task aiortc spawns from it
    parties = {role: Receiver() for role in (Role.CLASSROOM, Role.STUDENT)}
    tasks: set[asyncio.Task[None]] = set()
    started = time.monotonic()
    student = _peer(parties[Role.STUDENT], tasks)
    classroom = _peer(parties[Role.CLASSROOM], tasks)
    try:
        await _connect(student, classroom)
        both = asyncio.gather(*(p.media_started.wait() for p in parties.values()))
        try:
            await asyncio.wait_for(both, SETUP_TIMEOUT)
        except TimeoutError:
            raise SetupFailed() from None
        setup = max(p.first_frame or started for p in parties.values()) - started
        receivers: dict[Role, Metered] = dict(parties)
        window.begin(receivers, {Role.STUDENT: student, Role.CLASSROOM: classroom})
        measured = await window.result()
    finally:
        for pc in (student, classroom):
            with contextlib.suppress(Exception):
                await pc.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {"setup_s": round(setup, 3), **measured}
