"""Technician, both devices: the audio processing stages and whether they run (issue 11).

:class:`AudioProcessingView` is thin: four stage switches, two options that work
with the echo canceller (ducking, the leak guard), the loudness target and one
sentence about the state. :class:`AudioSettingsMode` stores each change (app.audio_settings), writes
the audit trail, applies it to the running engine through ``EngineBridge.run``
and asks the engine how the processing runs; the answer comes back as a queued
signal (Engine → GUI), never by reading the engine from the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.audio_settings import apply_to, load, save
from app.audit import AuditLog
from app.bridge import EngineBridge
from app.settings import SettingsStore
from app.technician.widgets import MIN_TARGET
from common.errors import KlasgenootError
from media.audio.gain import TARGET_MAX_DBFS, TARGET_MIN_DBFS
from media.audio.processor import ProcessingState
from media.audio.settings import OPTIONS, STAGES, TARGET, AudioSettings, AudioSettingsInvalid

logger = logging.getLogger(__name__)


TARGET_SETTLE_MS = 800  # one stored (and audited) change per adjustment, not per step


class AudioProcessingView(QGroupBox):
    stage_toggled = Signal(str, bool)
    target_chosen = Signal(int)  # dBFS, once the technician stopped stepping

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        self.checks: dict[str, QCheckBox] = {}
        for name in STAGES + OPTIONS:
            check = QCheckBox(self)
            check.setMinimumHeight(MIN_TARGET)
            check.clicked.connect(lambda on, n=name: self.stage_toggled.emit(n, bool(on)))
            layout.addWidget(check)
            self.checks[name] = check
        row = QHBoxLayout()
        self.target_label = QLabel(self)
        self.target_label.setWordWrap(True)
        self.target = QSpinBox(self)
        self.target.setRange(TARGET_MIN_DBFS, TARGET_MAX_DBFS)
        self.target.setSuffix(" dBFS")
        self.target.setMinimumHeight(MIN_TARGET)
        self.target_label.setBuddy(self.target)
        row.addWidget(self.target_label, 1)
        row.addWidget(self.target)
        layout.addLayout(row)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(TARGET_SETTLE_MS)
        self._settle.timeout.connect(lambda: self.target_chosen.emit(self.target.value()))
        self.target.valueChanged.connect(lambda _v: self._settle.start())
        self._state: ProcessingState | None = None
        self.retranslate()

    def show_settings(self, settings: AudioSettings) -> None:
        for name, check in self.checks.items():
            check.setChecked(bool(getattr(settings, name)))
        self.target.blockSignals(True)  # showing is not choosing
        self.target.setValue(settings.agc_target_dbfs)
        self.target.blockSignals(False)
        self.target.setEnabled(settings.auto_gain_control)

    def show_state(self, state: ProcessingState | None) -> None:
        self._state = state
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Sound processing"))
        texts = {
            "echo_cancellation": self.tr("Echo cancellation (the other side does not hear "
                                         "itself back)"),
            "noise_suppression": self.tr("Noise suppression (chairs, talking in class)"),
            "high_pass_filter": self.tr("Low rumble filter"),
            "auto_gain_control": self.tr("Automatic loudness (off by default: it also "
                                         "makes a leftover echo louder)"),
            "ducking": self.tr("Play the other side quieter while someone here talks "
                               "over them (needs echo cancellation)"),
            "leak_guard": self.tr("Catch short echo leaks while the other side talks "
                                  "(on by default; needs echo cancellation)"),
        }  # fmt: skip
        for name, check in self.checks.items():
            check.setText(texts[name])
            check.setAccessibleName(texts[name])
        self.target_label.setText(
            self.tr("Loudness target of this device (higher is louder; used when automatic "
                    "loudness is on)")
        )  # fmt: skip
        self.target.setAccessibleName(self.tr("Loudness target in dBFS"))
        states = {
            ProcessingState.ACTIVE: self.tr("Sound processing is on. Changes apply at once, "
                                            "also in a call."),
            ProcessingState.OFF: self.tr("Sound processing is off: the microphone is sent "
                                         "as it is."),
            ProcessingState.UNAVAILABLE: self.tr(
                "Sound processing could not start on this device. The call works, but "
                "the other side may hear an echo. Reinstall Klasgenoot or call the "
                "helpdesk."
            ),
        }  # fmt: skip
        self.state_label.setText(
            states[self._state]
            if self._state is not None
            else self.tr("Changes apply at once, also in a call.")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class AudioSettingsMode(QObject):
    """Stores, audits and applies the stages (see the module)."""

    failed = Signal(object)  # a KlasgenootError: the window shows it in the banner
    state_seen = Signal(object)  # ProcessingState, emitted on the engine thread (queued)

    def __init__(self, settings: SettingsStore, *, bridge: EngineBridge | None = None,
                 audit: AuditLog | None = None, parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._store, self._bridge, self._audit = settings, bridge, audit
        self.current = load(settings)
        self.view = AudioProcessingView()
        self.view.stage_toggled.connect(self.set_stage)
        self.view.target_chosen.connect(self.set_target)
        self.state_seen.connect(self.view.show_state)
        self.refresh()

    def refresh(self) -> None:
        """Show what is stored, and ask the running engine how processing runs."""
        self.current = load(self._store)
        self.view.show_settings(self.current)
        if self._bridge is not None:
            self._bridge.run(lambda engine: self.state_seen.emit(engine.processor.state))

    def set_stage(self, name: str, on: bool) -> bool:
        if name not in STAGES + OPTIONS:
            logger.warning("unknown audio stage %r ignored", name)
            return False
        return self._change(name, on)

    def set_target(self, dbfs: int) -> bool:
        """The automatic loudness stage's target for this device."""
        return self._change(TARGET, dbfs)

    def _change(self, name: str, value: bool | int) -> bool:
        old = self.current
        try:
            changes: dict[str, Any] = {name: value}  # AudioSettings checks the value
            new = replace(old, **changes)
            save(self._store, new)
        except AudioSettingsInvalid:
            logger.warning("audio setting %s out of range, ignored", name)
            self.view.show_settings(old)
            return False
        except KlasgenootError as exc:
            self.failed.emit(exc)
            self.view.show_settings(old)  # nothing changed
            return False
        self.current = new
        self.view.show_settings(new)
        if self._audit is not None and getattr(old, name) != value:
            self._audit.setting(f"audio.{name}", getattr(old, name), value)
        if self._bridge is not None:
            self._bridge.run(lambda engine: apply_to(engine, new))
            self._bridge.run(lambda engine: self.state_seen.emit(engine.processor.state))
        return True
