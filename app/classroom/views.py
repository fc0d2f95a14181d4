"""What the class sees: the pupil, a friendly avatar when their camera is off, a calm
idle screen when they are not there (or when the server cannot be reached), a
"microphone off" sign on the pupil's picture, and the speaker volume."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.widgets import icons, theme
from app.widgets.buttons import ActionButton
from app.widgets.sign_card import SignCard

VOLUME_STEP = 10  # percent per press of − or +
BADGE_MARGIN = 24
BADGE_ICON = 32
IDLE_INK = "#8a94a3"  # nobody there: dim words, no figure (the pupil there is bright)
RING = 10  # px: the teal ring round the figure while the pupil is there


class AvatarWidget(QWidget):
    """A soft, friendly figure: a head and shoulders in a circle (no photo, no name)."""

    def __init__(self, diameter: int = 220, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(diameter, diameter)

    def paintEvent(self, event: QPaintEvent) -> None:
        d = self.width()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        circle = QPainterPath()
        circle.addEllipse(QRectF(0, 0, d, d))
        p.fillPath(circle, QColor(theme.CALM))  # the ring: someone is there
        inner = QPainterPath()
        inner.addEllipse(QRectF(RING, RING, d - 2 * RING, d - 2 * RING))
        p.fillPath(inner, QColor("#3b4a5c"))
        p.setClipPath(inner)  # the shoulders end at the circle's edge
        p.setBrush(QColor("#9fc9c3"))
        p.drawEllipse(QRectF(d * 0.33, d * 0.18, d * 0.34, d * 0.34))  # head
        p.drawEllipse(QRectF(d * 0.17, d * 0.58, d * 0.66, d * 0.62))  # shoulders
        p.end()


class _Message(QWidget):
    """A big title with a kinder line below, centred on the dark stage.

    Told apart from across the room: with the pupil there (listening, voice only,
    camera off) the figure has a teal ring and the title is bright; with nobody
    there (:meth:`set_empty`) there is no figure and the words are dim.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.avatar = AvatarWidget(parent=self)
        self.title = QLabel(self)
        self.title.setObjectName("stageTitle")
        self.title.setFont(theme.font(30, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.text = QLabel(self)
        self.text.setObjectName("stageText")
        self.text.setFont(theme.font(18))
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(18)
        layout.addStretch(1)
        layout.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def set_empty(self, empty: bool) -> None:
        self.avatar.setVisible(not empty)
        self.title.setObjectName("stageIdleTitle" if empty else "stageTitle")
        self.title.setStyleSheet(f"color: {IDLE_INK};" if empty else "")


class MicOffBadge(SignCard):
    """On the pupil's picture while their microphone is off: a crossed-out microphone and
    words (not colour alone), bottom left, clear of the hand (top left), the reaction
    (bottom centre) and LIVE (top right)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("micOff", radius=18, points=18, margins=(18, 8, 22, 8), spacing=10,
                         parent=parent)  # fmt: skip
        self.sign.setPixmap(icons.pixmap("mic", BADGE_ICON, theme.INK, off=True))
        self.retranslate()

    def retranslate(self) -> None:
        self.words.setText(self.tr("Microphone off"))
        self.setAccessibleName(self.tr("The pupil's microphone is off"))
        self.adjustSize()


class PupilView(QStackedWidget):
    """Idle (nobody there) → the pupil's video, or the avatar while their camera is off."""

    def __init__(self, video: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.video = video
        self.idle = _Message(self)
        self.idle.set_empty(True)
        self.avatar = _Message(self)
        self.addWidget(self.idle)
        self.addWidget(video)
        self.addWidget(self.avatar)
        self.mic_off = MicOffBadge(self)  # not a page: over the video page
        self._connected = False
        self._camera = self._mic = True
        self._signaling: bool | None = None  # None: not known yet (the engine is starting)
        self._presence = ""  # the pupil's chosen level (issue 5), "" before it is known
        self.retranslate()

    @property
    def showing(self) -> str:
        """What is shown: "idle", "video" or "avatar" (tests and the technician use it)."""
        current = self.currentWidget()
        return "video" if current is self.video else "avatar" if current is self.avatar else "idle"

    def set_presence(self, level: str) -> None:
        """ "listening" | "voice" | "video" as the pupil chose it; "" when unknown."""
        self._presence = level
        self.retranslate()

    def show_pupil(self, *, connected: bool, camera: bool, mic: bool) -> None:
        self._connected, self._camera, self._mic = connected, camera, mic
        if not connected:
            self.setCurrentWidget(self.idle)
        elif camera:
            self.setCurrentWidget(self.video)
        else:
            self.setCurrentWidget(self.avatar)
        # On the avatar the words say it; on the picture this sign does.
        self.mic_off.setVisible(connected and camera and not mic)
        self._place_badge()
        self.retranslate()

    def show_signaling(self, connected: bool) -> None:
        """Whether the signaling server is reachable: the idle screen says so when not."""
        self._signaling = connected
        self.retranslate()

    def retranslate(self) -> None:
        if self._signaling is False:
            # Calm: it is on a desk in class. Nobody there has to act at once.
            self.idle.title.setText(self.tr("No connection with the server"))
            self.idle.text.setText(
                self.tr(
                    "The pupil cannot join until it is back. Klasgenoot keeps trying by "
                    "itself; if it lasts, tell the technician."
                )
            )
        else:
            self.idle.title.setText(self.tr("Klasgenoot is ready"))
            self.idle.text.setText(self.tr("The pupil is not connected right now."))
        self.mic_off.retranslate()
        self._place_badge()
        if self._presence == "listening":
            self.avatar.title.setText(self.tr("Listening"))
            self.avatar.text.setText(self.tr("The pupil is listening along with the class."))
        elif self._presence == "voice":
            self.avatar.title.setText(self.tr("Voice only"))
            self.avatar.text.setText(self.tr("The pupil can talk. Their camera is off."))
        else:
            self.avatar.title.setText(self.tr("The pupil's camera is off"))
            self.avatar.text.setText(
                self.tr("The pupil is listening and can talk.")
                if self._mic
                else self.tr("The pupil is listening. Their microphone is off.")
            )
        self.setAccessibleName(self.tr("Pupil"))
        current = self.currentWidget()
        if isinstance(current, _Message):
            self.setAccessibleDescription(f"{current.title.text()} {current.text.text()}")
        elif self._mic:
            self.setAccessibleDescription(self.tr("The pupil's camera"))
        else:
            self.setAccessibleDescription(
                self.tr("The pupil's camera. The pupil's microphone is off.")
            )

    def _place_badge(self) -> None:
        badge = self.mic_off
        badge.move(BADGE_MARGIN, self.height() - badge.height() - BADGE_MARGIN)
        badge.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_badge()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class VolumeView(QFrame):
    """Speaker volume: − and + buttons and a slider (all keyboard- and touch-operable)."""

    volume_changed = Signal(float)  # 0.0 … 1.0

    def __init__(self, volume: float = 0.8, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bar")
        self._icon = QLabel(self)
        self._icon.setPixmap(icons.pixmap("speaker", 32, theme.INK))
        self.label = QLabel(self)
        self.label.setFont(theme.font(14, bold=True))
        self.down = ActionButton(self)
        self.up = ActionButton(self)
        for button in (self.down, self.up):
            button.set_target(theme.MIN_TARGET + 16, theme.MIN_TARGET + 8)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 100)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(VOLUME_STEP)
        self.slider.setMinimumSize(128, theme.MIN_TARGET)  # grows with the window
        self.slider.setMaximumWidth(320)
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.slider.setValue(round(volume * 100))
        self.percent = QLabel(self)
        self.percent.setFont(theme.font(14))
        self.percent.setMinimumWidth(64)
        self.no_speaker = QLabel(self)
        self.no_speaker.setFont(theme.font(14, bold=True))
        self.no_speaker.setStyleSheet(f"color: {theme.ALERT};")
        self.no_speaker.setWordWrap(True)  # two lines rather than a window wider than the screen
        self.no_speaker.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 10, 24, 10)
        layout.setSpacing(14)
        layout.addWidget(self._icon)
        layout.addWidget(self.label)
        layout.addWidget(self.down)
        layout.addWidget(self.slider, 2)
        layout.addWidget(self.up)
        layout.addWidget(self.percent)
        layout.addWidget(self.no_speaker, 2)  # wraps only when the screen is narrow
        layout.addStretch(0)  # takes what the slider (at most 320 px) leaves
        self.down.clicked.connect(lambda: self.slider.setValue(self.slider.value() - VOLUME_STEP))
        self.up.clicked.connect(lambda: self.slider.setValue(self.slider.value() + VOLUME_STEP))
        self.slider.valueChanged.connect(self._changed)
        self.retranslate()

    @property
    def volume(self) -> float:
        return self.slider.value() / 100

    def add_status(self, widget: QWidget) -> None:
        """A line about the sound (echo cancellation) at the row's end, before the spacer."""
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.insertWidget(layout.count() - 1, widget, 2)

    def set_speaker_available(self, available: bool) -> None:
        """No speaker: say so plainly; the rest of the call keeps working."""
        self.no_speaker.setVisible(not available)
        for widget in (self.down, self.up, self.slider):
            widget.setEnabled(available)

    def retranslate(self) -> None:
        self.label.setText(self.tr("Volume"))
        self.down.show_action("minus", "", self.tr("Volume down"), "volume")
        self.up.show_action("plus", "", self.tr("Volume up"), "volume")
        self.slider.setAccessibleName(self.tr("Volume"))
        self.no_speaker.setText(self.tr("No speaker found"))
        self._changed(self.slider.value())

    def _changed(self, value: int) -> None:
        text = self.tr("{percent} %").format(percent=value)
        self.percent.setText(text)
        self.slider.setAccessibleDescription(text)
        self.volume_changed.emit(value / 100)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
