"""The pupil's three big controls: microphone, camera, leave / join again."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from app.widgets.buttons import ActionButton, ToggleButton


class ControlsView(QFrame):
    """Passes on what the pupil asked for; the window decides what happens."""

    mic_toggled = Signal(bool)
    camera_toggled = Signal(bool)
    leave_requested = Signal()
    rejoin_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bar")
        self.mic = ToggleButton("mic", parent=self)
        self.camera = ToggleButton("camera", parent=self)
        self.leave = ActionButton(self)
        self._in_call = True
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(16)
        layout.addWidget(self.mic)
        layout.addWidget(self.camera)
        layout.addStretch(1)
        layout.addWidget(self.leave)
        self.mic.toggled.connect(self.mic_toggled)
        self.camera.toggled.connect(self.camera_toggled)
        self.leave.clicked.connect(self._leave_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        self.mic.set_texts(
            self.tr("Microphone"), self.tr("Microphone on"), self.tr("Microphone off")
        )
        self.camera.set_texts(self.tr("Camera"), self.tr("Camera on"), self.tr("Camera off"))
        self.show_in_call(self._in_call)

    def show_in_call(self, in_call: bool) -> None:
        """In a call (or trying to be): "Leave"; after it ended: "Join again"."""
        self._in_call = in_call
        if in_call:
            self.leave.show_action(
                "leave", self.tr("Leave lesson"), self.tr("Leave lesson"), "leave"
            )
        else:
            self.leave.show_action("join", self.tr("Join again"), self.tr("Join again"), "join")

    def set_camera_available(self, available: bool) -> None:
        self.camera.setEnabled(available)

    def _leave_clicked(self) -> None:
        if self._in_call:
            self.leave_requested.emit()
        else:
            self.rejoin_requested.emit()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
