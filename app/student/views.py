"""What the pupil sees: the class filling the window, a small self-view, the state in words.

Thin: the window feeds it the connection and the stats; the view only renders
them and passes the pupil's presses on (through :class:`ControlsView`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.av.video_view import SelfView, VideoView
from app.student.controls import ControlsView
from app.student.features import FeaturesView
from app.student.lookaround import LookAroundController, LookAroundView
from app.student.status import Connection, detail, headline
from app.widgets import theme
from app.widgets.quality import LinkQualityWidget
from media.stats import CallStats

SELF_VIEW_SIZE = (240, 180)  # 4:3, like the pupil's camera


class StatusPill(QFrame):
    """Top-left: the connection in plain words and the link quality."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pill")
        self.setStyleSheet(
            "QFrame#pill { background: rgba(246, 244, 239, 235); border-radius: 18px; }"
        )
        self.headline = QLabel(self)
        self.headline.setFont(theme.font(16, bold=True))
        self.quality = LinkQualityWidget(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 10, 20, 10)
        layout.setSpacing(20)
        layout.addWidget(self.headline)
        layout.addWidget(self.quality)


class WaitingCard(QWidget):
    """Centre of the stage while there is no class picture: a calm, kind message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setObjectName("stageTitle")
        self.title.setFont(theme.font(30, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(640)
        self.text = QLabel(self)
        self.text.setObjectName("stageText")
        self.text.setFont(theme.font(16))
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addWidget(self.title)
        layout.addWidget(self.text)


class SelfViewFrame(QFrame):
    """Bottom-right: the pupil's own camera (mirrored), or its "camera off" placeholder."""

    def __init__(self, preview: SelfView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("self")
        self.setStyleSheet(
            "QFrame#self { background: #2a313c; border: 3px solid #f6f4ef; border-radius: 10px; }"
        )
        self.setFixedSize(*SELF_VIEW_SIZE)
        self.preview = preview
        preview.setParent(self)
        layout = QGridLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.addWidget(preview, 0, 0)


class PauseNoticeView(QLabel):
    """Over the class picture while the teacher has paused: calm, not an error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pauseNotice")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setFont(theme.font(22, bold=True))
        self.setStyleSheet(
            "QLabel#pauseNotice { background: rgba(29, 35, 44, 215); color: #f2efe8;"
            " border-radius: 18px; padding: 32px; }"
        )
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.setText(
            self.tr(
                "Paused by the teacher\n"
                "The lesson goes on in a moment. You do not need to do anything."
            )
        )
        self.setAccessibleName(self.tr("Paused by the teacher"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class StudentCallView(QWidget):
    """The whole call screen; ``controls`` carries the pupil's presses as signals."""

    def __init__(self, video: VideoView, preview: SelfView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.video = video
        self.connection = Connection.STARTING
        self._camera_on = True
        self._look_allowed = True
        stage = QWidget(self)
        stage.setObjectName("stage")
        stage.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.stage = stage
        self.waiting = WaitingCard(stage)
        self.pill = StatusPill(stage)
        self.self_view = SelfViewFrame(preview, stage)
        self.pause_notice = PauseNoticeView(stage)
        self.look = LookAroundController(video, self)
        self.look_pad = LookAroundView(self.look, stage)
        grid = QGridLayout(stage)
        grid.setContentsMargins(24, 24, 24, 24)
        grid.setHorizontalSpacing(16)
        video.setParent(stage)
        # The look-around pad and the reactions have a column of their own, left of
        # the picture: the class picture is 16:9 and the stage wider than that on a
        # laptop, so they take the letterbox's room and never cover the class
        # (issue 15, item 14).
        grid.addWidget(video, 0, 1)
        grid.setColumnStretch(1, 1)
        over = (0, 0, 1, 2)  # over the picture and the pad's column alike
        grid.addWidget(self.waiting, *over, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.pill, *over, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(
            self.self_view, *over, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight
        )
        grid.addWidget(self.pause_notice, 0, 1, Qt.AlignmentFlag.AlignCenter)
        self.features = FeaturesView(stage, self)
        side = QVBoxLayout()  # the reactions over the pad, at the bottom of the column
        side.setSpacing(16)
        side.addStretch(1)
        side.addWidget(self.features.reactions, 0, Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.look_pad, 0, Qt.AlignmentFlag.AlignLeft)
        grid.addLayout(side, 0, 0)
        self.controls = ControlsView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(stage, 1)
        layout.addWidget(self.features)
        layout.addWidget(self.controls)
        self.setAccessibleName(self.tr("Lesson"))
        theme.apply(self)
        self.show_connection(Connection.STARTING)
        self.show_camera(True)

    def show_connection(self, connection: Connection) -> None:
        self.connection = connection
        connected = connection is Connection.CONNECTED
        if not connected:
            self.video.clear()  # no stale class picture when the call comes back
        self.video.setVisible(connected)
        self.look_pad.setVisible(connected and self._look_allowed)
        self.features.show_in_call(connected)
        if not connected:
            self.pause_notice.hide()
        self.waiting.setVisible(not connected)
        self.pill.headline.setText(headline(connection))
        self.pill.setAccessibleName(self.tr("Connection"))
        self.pill.setAccessibleDescription(headline(connection))
        self.waiting.title.setText(headline(connection))
        self.waiting.text.setText(detail(connection))
        self.waiting.text.setVisible(bool(detail(connection)))
        self.pill.setVisible(connected)  # otherwise the centre of the screen says it
        if not connected:
            self.pill.quality.reset()
        self.self_view.raise_()
        self.pill.raise_()
        self.look_pad.raise_()
        self.pause_notice.raise_()

    def show_paused(self, paused: bool) -> None:
        """The teacher's pause: the picture is the engine's pause frame, this says it."""
        self.pause_notice.setVisible(paused and self.connection is Connection.CONNECTED)
        self.pause_notice.raise_()

    def allow_looking(self, allowed: bool) -> None:
        self._look_allowed = allowed
        self.look.enabled = allowed
        self.look_pad.setVisible(allowed and self.connection is Connection.CONNECTED)

    def show_waiting_detail(self, text: str) -> None:
        """Replace the kind line under the headline (e.g. when the next lesson starts)."""
        self.waiting.text.setText(text)
        self.waiting.text.setVisible(bool(text))

    def show_stats(self, stats: CallStats) -> None:
        if self.connection is Connection.CONNECTED:
            self.pill.quality.update_stats(stats)

    def show_camera(self, on: bool) -> None:
        self._camera_on = on
        if not on:
            self.self_view.preview.clear()  # its placeholder says the camera is off

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Lesson"))
        self.show_connection(self.connection)
        self.show_camera(self._camera_on)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
