"""The link-quality indicator: CallStats → good / fair / poor, shown as bars *and* words.

The link is rated on what it does to the call: packets lost, the round trip, and
whether the frames the other side sends arrive (a freeze, no frame for over half a
second while the sender keeps sending, means they did not; so does each second of a
picture that stopped and has not come back; during the teacher's pause the class
unit keeps sending frames, those of the pause picture). Not on bitrate: a still
picture (the teacher's pause, a quiet class) needs little, and every call starts
low while the encoder ramps up, so bitrate alone showed "weak" when nothing was.

The rating is deliberately calm: the first seconds of a link (loss over a handful
of packets says little) never show worse than "unknown"; afterwards it drops at
once when the link gets worse, but climbs back only after a few better seconds in a
row, so it does not flicker.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.widgets import theme
from media.stats import CallStats

STALLED_FPS = 1.0  # fewer frames a second than this, after frames came: the picture stopped


class Quality(enum.IntEnum):
    UNKNOWN = 0
    POOR = 1
    FAIR = 2
    GOOD = 3


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where a link stops being good (fair) and stops being usable (poor)."""

    fair_loss_pct: float = 2.0
    poor_loss_pct: float = 8.0
    fair_rtt_ms: float = 250.0
    poor_rtt_ms: float = 600.0
    poor_freezes: int = 2  # freezes within ``freeze_span`` seconds; one is fair
    freeze_span: int = 5
    warmup: int = 3  # seconds of a new link that never show worse than unknown


def classify(stats: CallStats, limits: Thresholds = Thresholds(), new_freezes: int = 0) -> Quality:
    """One second of stats on its own: the worst of loss, round trip and frames lost.

    ``new_freezes``: freezes of received video within the last ``freeze_span``
    seconds (the rater counts them; stats.freezes adds up over the call).
    """
    rtt = stats.rtt_ms if stats.rtt_ms is not None else 0.0
    loss = stats.packet_loss_pct
    if (
        loss >= limits.poor_loss_pct
        or rtt >= limits.poor_rtt_ms
        or new_freezes >= limits.poor_freezes
    ):
        return Quality.POOR
    if loss >= limits.fair_loss_pct or rtt >= limits.fair_rtt_ms or new_freezes >= 1:
        return Quality.FAIR
    return Quality.GOOD


class QualityRater:
    """Successive ratings with hysteresis: down at once, up after ``climb`` better seconds."""

    def __init__(self, climb: int = 3, limits: Thresholds = Thresholds()) -> None:
        self._climb, self._limits = climb, limits
        self.quality = Quality.UNKNOWN
        self._better = 0
        self._seen = 0
        self._freezes: int | None = None  # stats.freezes at the last update
        self._recent: deque[int] = deque(maxlen=limits.freeze_span)
        self._frames_seen = False  # this link has delivered frames

    def update(self, stats: CallStats) -> Quality:
        self._seen += 1
        last, self._freezes = self._freezes, stats.freezes
        # A freeze is counted when the next frame comes; a picture that stopped and
        # has not come back yet counts each second it stays away.
        stalled = self._frames_seen and stats.fps_in < STALLED_FPS
        self._frames_seen = self._frames_seen or stats.fps_in >= STALLED_FPS
        frozen = 0 if last is None else max(0, stats.freezes - last)
        self._recent.append(frozen + int(stalled))
        rated = classify(stats, self._limits, sum(self._recent))
        if self._seen <= self._limits.warmup and rated is not Quality.GOOD:
            return self.quality  # too early to blame the link
        if self.quality is Quality.UNKNOWN or rated <= self.quality:
            self.quality, self._better = rated, 0
        else:
            self._better += 1
            if self._better >= self._climb:
                self.quality, self._better = rated, 0
        return self.quality

    def reset(self) -> None:
        self.quality, self._better, self._seen, self._freezes = Quality.UNKNOWN, 0, 0, None
        self._recent.clear()
        self._frames_seen = False


def quality_text(quality: Quality) -> str:
    return {
        Quality.UNKNOWN: QCoreApplication.translate("LinkQuality", "Connection quality unknown"),
        Quality.POOR: QCoreApplication.translate("LinkQuality", "Weak connection"),
        Quality.FAIR: QCoreApplication.translate("LinkQuality", "Fair connection"),
        Quality.GOOD: QCoreApplication.translate("LinkQuality", "Good connection"),
    }[quality]


_BAR_COLORS = {Quality.POOR: theme.ALERT, Quality.FAIR: theme.WARM, Quality.GOOD: theme.CALM}


class _Bars(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quality = Quality.UNKNOWN
        self.setFixedSize(QSize(30, 24))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        lit = QColor(_BAR_COLORS.get(self.quality, theme.MUTED))
        for i in range(3):
            height = 8 + 8 * i
            p.setBrush(lit if i < int(self.quality) else QColor("#8a8f98"))
            p.drawRoundedRect(QRectF(i * 10 + 1, 24 - height, 7, height), 2, 2)
        p.end()


class LinkQualityWidget(QWidget):
    """Three bars plus the words; the details (bitrate, loss, RTT) in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rater = QualityRater()
        self._bars = _Bars(self)
        self._label = QLabel(self)
        self._label.setFont(theme.font(12))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self._bars)
        layout.addWidget(self._label)
        self.retranslate()

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Connection quality"))
        self._show(self._rater.quality)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def quality(self) -> Quality:
        return self._rater.quality

    def set_label_color(self, color: str) -> None:
        self._label.setStyleSheet(f"color: {color};")

    def update_stats(self, stats: CallStats) -> None:
        self._show(self._rater.update(stats))
        rtt = "–" if stats.rtt_ms is None else f"{stats.rtt_ms:.0f}"
        self.setToolTip(
            self.tr("{kbps} kbit/s in, {loss} % lost, round trip {rtt} ms").format(
                kbps=f"{stats.bitrate_in_kbps:.0f}", loss=f"{stats.packet_loss_pct:.1f}", rtt=rtt
            )
        )

    def reset(self) -> None:
        self._rater.reset()
        self.setToolTip("")
        self._show(Quality.UNKNOWN)

    def text(self) -> str:
        return self._label.text()

    def _show(self, quality: Quality) -> None:
        self._bars.quality = quality
        self._bars.update()
        text = quality_text(quality)
        self._label.setText(text)
        self.setAccessibleDescription(text)
