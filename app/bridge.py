"""EngineBridge: the one object through which the Qt GUI talks to the call engine.

The engine runs on its own thread with its own asyncio loop (PySide6's QtAsyncio
cannot run aiortc: it has no datagram endpoints). GUI → engine: only
``asyncio.run_coroutine_threadsafe`` / ``call_soon_threadsafe`` from the methods
below. Engine → GUI: Qt signals emitted on the engine thread, delivered queued to
the GUI thread because the bridge lives there. Only immutable values cross. For
video the latest frame wins: the engine overwrites one slot and signals only when
the GUI has taken the previous frame, so nothing ever queues up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from common.errors import KlasgenootError
from common.sdnotify import Heartbeat
from media.audio.ducking import Ducker
from media.control import ControlMessage
from media.engine import Engine
from media.state import StateChange
from media.stats import CallStats

logger = logging.getLogger(__name__)

EngineFactory = Callable[["EngineBridge"], Engine]
AudioSink = Callable[[Any], None]
# The GUI asks the engine thread for a sign of life this often; with no answer
# for STALL_AFTER seconds the bridge reports the engine unresponsive (LIVE stays on).
PING_INTERVAL_MS = 500
STALL_AFTER = 2.0


class EngineBridge(QObject):
    state_changed = Signal(object)  # StateChange
    stats_updated = Signal(object)  # CallStats
    control_received = Signal(object)  # ControlMessage
    signaling_changed = Signal(bool)
    peer_online_changed = Signal(bool)
    sending_changed = Signal(bool)  # media is (True) / is no longer (False) leaving
    video_frame_arrived = Signal()  # take it with take_video_frame()
    engine_responsive_changed = Signal(bool)
    failed = Signal(str)  # a person-facing sentence

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None
        self._frame_lock = threading.Lock()
        self._frame: Any = None
        self._frame_pending = False
        self.audio_sink: AudioSink | None = None  # thread-safe, called on the engine thread
        self._pong = 0.0
        self._responsive = True
        # systemd's watchdog (app.service_watchdog): beaten on the engine thread.
        self.heartbeat: Heartbeat | None = None
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(PING_INTERVAL_MS)
        self._watchdog.timeout.connect(self._ping)

    # -- lifecycle (GUI thread) --------------------------------------------------

    def start(self, factory: EngineFactory) -> None:
        """Start the engine thread and the engine built by ``factory`` on it."""
        if self._thread is not None:
            raise RuntimeError("bridge already started")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="engine", daemon=True)
        self._thread.start()

        async def build_and_start() -> None:
            self._engine = factory(self)
            await self._engine.start()

        self._submit(build_and_start())
        self._pong = time.monotonic()
        self._watchdog.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the engine and its thread; blocks the GUI at most ``timeout`` seconds."""
        self._watchdog.stop()
        loop, engine = self._loop, self._engine
        if loop is None:
            return
        if engine is not None:
            future = asyncio.run_coroutine_threadsafe(engine.stop(), loop)
            try:
                future.result(timeout)
            except Exception:  # a hung or failed engine must not block closing
                logger.warning("engine did not stop cleanly")
        try:  # aiortc leaves tasks behind (timers, transports): end them, then the loop
            asyncio.run_coroutine_threadsafe(_cancel_remaining(), loop).result(timeout)
            # aiortc encodes on the loop's default executor: without this its worker
            # threads outlive the engine (one set per engine started in a process).
            asyncio.run_coroutine_threadsafe(loop.shutdown_default_executor(), loop).result(timeout)
        except Exception:  # a hung loop must not block closing the window
            logger.warning("engine loop did not wind down cleanly")
        loop.call_soon_threadsafe(loop.stop)
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        if thread is None or not thread.is_alive():
            loop.close()  # its selector and self-pipe; a hung loop keeps them
        self._thread = self._loop = self._engine = None

    # -- commands (GUI thread) ---------------------------------------------------

    def hangup(self) -> None:
        self._call(lambda e: e.hangup())

    def rejoin(self) -> None:
        self._call(lambda e: e.rejoin())

    def set_media(self, *, mic: bool, camera: bool) -> None:
        self._call_soon(lambda e: e.set_media(mic=mic, camera=camera))

    def send_control(self, message: ControlMessage) -> None:
        self._call_soon(lambda e: e.send_control(message))

    def allow_sending(self) -> None:
        """Call only once LIVE is visibly on screen."""
        self._call_soon(lambda e: e.allow_sending())

    def report_device(self, kind: str, *, present: bool) -> None:
        """A camera, microphone or speaker went away or came back: for the log."""
        self._call_soon(lambda e: e.log_device(kind, present))

    def run(self, action: Callable[[Engine], Any]) -> None:
        """Run a plain function with the engine on the engine thread (features use it)."""
        self._call_soon(action)

    def take_video_frame(self) -> Any:
        """The newest remote frame (or None); allows the next video_frame_arrived."""
        with self._frame_lock:
            frame, self._frame = self._frame, None
            self._frame_pending = False
        return frame

    @property
    def responsive(self) -> bool:
        return self._responsive

    def log_health(self) -> Any:
        """The connection log's health (a frozen value: safe to read from the GUI)."""
        engine = self._engine
        log = engine.config.connection_log if engine is not None else None
        return getattr(log, "health", None)

    # -- EngineListener (engine thread) -----------------------------------------

    def on_state(self, change: StateChange) -> None:
        self.state_changed.emit(change)

    def on_stats(self, stats: CallStats) -> None:
        self.stats_updated.emit(stats)

    def on_control(self, message: ControlMessage) -> None:
        self.control_received.emit(message)

    def on_signaling(self, connected: bool) -> None:
        self.signaling_changed.emit(connected)

    def on_peer_online(self, online: bool) -> None:
        self.peer_online_changed.emit(online)

    def on_sending(self, sending: bool) -> None:
        self.sending_changed.emit(sending)

    def on_video_frame(self, frame: Any) -> None:
        with self._frame_lock:
            self._frame = frame
            if self._frame_pending:
                return  # the GUI has not taken the last one: it will get this one
            self._frame_pending = True
        self.video_frame_arrived.emit()

    def on_audio_frame(self, frame: Any) -> None:
        sink = self.audio_sink
        if sink is not None:
            sink(frame)

    def play_reference(self, samples: Any, volume: float) -> None:
        """Any thread (the speaker's, on the GUI thread): what the speaker plays, for
        the echo canceller. Engine.play_reference only queues it, under a lock."""
        engine = self._engine
        if engine is not None:
            engine.play_reference(samples, volume)

    def ducker(self) -> Ducker | None:
        """Any thread: the running engine's ducking (media.audio.ducking), which the
        speaker applies to what it plays; None while no engine runs."""
        engine = self._engine
        return engine.processor.ducker if engine is not None else None

    # -- internals ----------------------------------------------------------------

    def _submit(self, coro: Coroutine[Any, Any, Any]) -> None:
        if self._loop is None:
            coro.close()
            return
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        future.add_done_callback(self._report_failure)

    def _report_failure(self, future: concurrent.futures.Future[Any]) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if isinstance(exc, KlasgenootError):
            self.failed.emit(str(exc))
        elif exc is not None:
            logger.error("engine command failed", exc_info=exc)
            self.failed.emit(KlasgenootError.message())

    def _call(self, action: Callable[[Engine], Coroutine[Any, Any, Any]]) -> None:
        async def run() -> None:
            if self._engine is not None:
                await action(self._engine)

        self._submit(run())

    def _call_soon(self, action: Callable[[Engine], Any]) -> None:
        async def run() -> None:
            if self._engine is not None:
                action(self._engine)

        self._submit(run())

    def _ping(self) -> None:
        """GUI-side watchdog: the engine loop must answer; if not, say so (fail-safe)."""
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._pong_from_engine)
        responsive = time.monotonic() - self._pong < STALL_AFTER
        if responsive != self._responsive:
            self._responsive = responsive
            self.engine_responsive_changed.emit(responsive)

    def _pong_from_engine(self) -> None:
        self._pong = time.monotonic()  # a float store: atomic under the GIL
        heartbeat = self.heartbeat
        if heartbeat is not None:
            heartbeat.beat("engine")


async def _cancel_remaining() -> None:
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
