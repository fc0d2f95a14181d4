"""The technician panel's "Connection" box: signaling, the other device, call, last stats.

Kept apart from app.technician.view so each file stays small; it follows an
EngineBridge's signals and only shows them. A fact that is no longer fresh says so
(issue 15, item 17): the other device's presence is unknown while the signaling
server is not reached (the last "online" would be a guess), and the last
measurement names its age once it is older than STALE_S, or that it is from a
call that has ended.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from app.bridge import EngineBridge
from media.state import CallState, StateChange
from media.stats import CallStats

KEYS = ("signaling", "peer", "state", "stats")
STALE_S = 5.0  # stats come once a second: older than this, something stopped them
TICK_MS = 1000


class ConnectionStatusBox(QGroupBox):
    def __init__(
        self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self._signaling = self._peer = False
        self._state: CallState | None = None
        self._stats: CallStats | None = None
        self._clock = clock
        self._stats_at = 0.0
        form = QFormLayout(self)
        self._values: dict[str, QLabel] = {}
        self._captions: dict[str, QLabel] = {}
        for key in KEYS:
            value = QLabel(self)
            value.setWordWrap(True)
            self._values[key], self._captions[key] = value, QLabel(self)
            form.addRow(self._captions[key], value)
        self._ticker = QTimer(self)  # the age of the last measurement moves on
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._show)
        self._ticker.start()
        self.retranslate()

    def connect_bridge(self, bridge: EngineBridge) -> None:
        bridge.signaling_changed.connect(self.set_signaling)
        bridge.peer_online_changed.connect(self.set_peer_online)
        bridge.state_changed.connect(self.set_call_state)
        bridge.stats_updated.connect(self.set_stats)

    def set_signaling(self, connected: bool) -> None:
        self._signaling = connected
        self._show()

    def set_peer_online(self, online: bool) -> None:
        self._peer = online
        self._show()

    def set_call_state(self, change: StateChange) -> None:
        self._state = change.state
        self._show()

    def set_stats(self, stats: CallStats) -> None:
        self._stats, self._stats_at = stats, self._clock()
        self._show()

    def text(self, key: str) -> str:
        return self._values[key].text()

    def _show(self) -> None:
        signaling = self.tr("connected") if self._signaling else self.tr("not connected")
        self._values["signaling"].setText(signaling)
        if not self._signaling:
            peer = self.tr("unknown (no connection with the server)")
        else:
            peer = self.tr("online") if self._peer else self.tr("offline")
        self._values["peer"].setText(peer)
        self._values["state"].setText(self._state_text(self._state))
        self._values["stats"].setText(self._stats_text(self._stats) + self._stats_age())

    def _stats_age(self) -> str:
        """ "" while fresh; else how old, or that the call it measured has ended."""
        if self._stats is None:
            return ""
        if self._state is not CallState.LIVE:
            return "\n" + self.tr("(from the last call, which has ended)")
        age = self._clock() - self._stats_at
        if age <= STALE_S:
            return ""
        return "\n" + self.tr("(not fresh: {seconds} s old)").format(seconds=int(age))

    def _state_text(self, state: CallState | None) -> str:
        texts = {
            None: self.tr("unknown"),
            CallState.IDLE: self.tr("idle"),
            CallState.WAITING: self.tr("waiting for the other device"),
            CallState.CONNECTING: self.tr("connecting"),
            CallState.LIVE: self.tr("live"),
            CallState.RECONNECTING: self.tr("reconnecting"),
            CallState.ENDED: self.tr("ended"),
        }
        return texts[state]

    def _stats_text(self, stats: CallStats | None) -> str:
        if stats is None:
            return self.tr("no call yet")
        rtt = "—" if stats.rtt_ms is None else f"{stats.rtt_ms:.0f}"
        return self.tr(
            "in {kin:.0f} kbit/s, out {kout:.0f} kbit/s, loss {loss:.1f} %, "
            "round trip {rtt} ms, {fps:.0f} frames/s, route {route}"
        ).format(kin=stats.bitrate_in_kbps, kout=stats.bitrate_out_kbps,
                 loss=stats.packet_loss_pct, rtt=rtt, fps=stats.fps_in,
                 route=stats.candidate_type or "—")  # fmt: skip

    def retranslate(self) -> None:
        self.setTitle(self.tr("Connection"))
        captions = {"signaling": self.tr("Signaling server"), "peer": self.tr("Other device"),
                    "state": self.tr("Call"), "stats": self.tr("Last measurement")}  # fmt: skip
        for key, caption in captions.items():
            self._captions[key].setText(caption)
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
