"""The technician's device tests: does the camera give a picture, does the microphone
hear something, does the speaker play? Each test runs for a second on the GUI
thread (timers, no blocking) and reports one plain sentence."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

TEST_MS = 1000
SILENT_DBFS = -60.0


class _Camera(Protocol):
    @property
    def frames_converted(self) -> int: ...
    @property
    def is_synthetic(self) -> bool: ...


class _Microphone(Protocol):
    @property
    def level_dbfs(self) -> float | None: ...
    @property
    def is_synthetic(self) -> bool: ...


class _Speaker(Protocol):
    @property
    def available(self) -> bool: ...
    @property
    def status(self) -> str: ...
    def play_test_tone(self, seconds: float = 1.0) -> None: ...


class DeviceTester(QObject):
    finished = Signal(str, str)  # kind, a sentence for the technician

    def __init__(
        self, camera: _Camera, microphone: _Microphone, speaker: _Speaker,
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._camera, self._microphone, self._speaker = camera, microphone, speaker

    def run(self, kind: str) -> None:
        if kind == "camera":
            before = self._camera.frames_converted
            QTimer.singleShot(TEST_MS, self, lambda: self._camera_done(before))
        elif kind == "microphone":
            QTimer.singleShot(TEST_MS, self, self._microphone_done)
        elif kind == "speaker":
            if not self._speaker.available:
                self.finished.emit(kind, self._speaker.status)
                return
            self._speaker.play_test_tone(1.0)
            self.finished.emit(
                kind,
                QCoreApplication.translate(
                    "DeviceTester", "A test tone is playing. Do you hear it?"
                ),
            )

    def _camera_done(self, before: int) -> None:
        if self._camera.is_synthetic:
            text = QCoreApplication.translate(
                "DeviceTester", "No camera: a test picture is sent instead."
            )
        elif self._camera.frames_converted > before:
            per_second = (self._camera.frames_converted - before) * 1000 // TEST_MS
            text = QCoreApplication.translate(
                "DeviceTester", "The camera gives a picture ({fps} frames a second)."
            ).format(fps=per_second)
        else:
            text = QCoreApplication.translate(
                "DeviceTester",
                "No picture from the camera. Check the cable or choose another camera.",
            )
        self.finished.emit("camera", text)

    def _microphone_done(self) -> None:
        level = self._microphone.level_dbfs
        if self._microphone.is_synthetic:
            text = QCoreApplication.translate(
                "DeviceTester", "No microphone: the class hears nothing from this device."
            )
        elif level is None or level < SILENT_DBFS:
            text = QCoreApplication.translate(
                "DeviceTester", "The microphone hears nothing. Speak, or choose another microphone."
            )
        else:
            text = QCoreApplication.translate(
                "DeviceTester", "The microphone hears sound ({level} dB)."
            ).format(level=round(level))
        self.finished.emit("microphone", text)
