"""The technician's device tests: does the camera give a picture, does the microphone
hear something, does the speaker play? Each test runs for a second on the GUI
thread (timers, no blocking) and reports one plain sentence, as a
:class:`DeviceTestResult` that says it again in another language after a switch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class DeviceTestResult:
    """A test's outcome for the technician; :meth:`text` says it in the current UI
    language (the sentence is translated when it is shown, not when the test ends)."""

    render: Callable[[], str]

    def text(self) -> str:
        return self.render()


class DeviceTester(QObject):
    finished = Signal(str, object)  # kind, DeviceTestResult

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
                speaker = self._speaker
                self._report(kind, lambda: speaker.status)  # the speaker says it in words
                return
            self._speaker.play_test_tone(1.0)
            self._report(
                kind,
                lambda: QCoreApplication.translate(
                    "DeviceTester", "A test tone is playing. Do you hear it?"
                ),
            )

    def _report(self, kind: str, render: Callable[[], str]) -> None:
        self.finished.emit(kind, DeviceTestResult(render))

    def _camera_done(self, before: int) -> None:
        if self._camera.is_synthetic:
            self._report("camera", lambda: QCoreApplication.translate(
                "DeviceTester", "No camera: a test picture is sent instead."))  # fmt: skip
        elif self._camera.frames_converted > before:
            per_second = (self._camera.frames_converted - before) * 1000 // TEST_MS
            self._report("camera", lambda: QCoreApplication.translate(
                "DeviceTester", "The camera gives a picture ({fps} frames a second)."
            ).format(fps=per_second))  # fmt: skip
        else:
            self._report("camera", lambda: QCoreApplication.translate(
                "DeviceTester",
                "No picture from the camera. Check the cable or choose another camera.",
            ))  # fmt: skip

    def _microphone_done(self) -> None:
        level = self._microphone.level_dbfs
        if self._microphone.is_synthetic:
            self._report("microphone", lambda: QCoreApplication.translate(
                "DeviceTester", "No microphone: the class hears nothing from this device."
            ))  # fmt: skip
        elif level is None or level < SILENT_DBFS:
            self._report("microphone", lambda: QCoreApplication.translate(
                "DeviceTester", "The microphone hears nothing. Speak, or choose another microphone."
            ))  # fmt: skip
        else:
            rounded = round(level)
            self._report("microphone", lambda: QCoreApplication.translate(
                "DeviceTester", "The microphone hears sound ({level} dB)."
            ).format(level=rounded))  # fmt: skip
