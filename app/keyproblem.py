"""The screen a device shows when its key cannot be read: for the technician, not a crash.

A classroom unit whose systemd-creds credential cannot be decrypted (another
machine's disk, a cleared or replaced TPM, a damaged file), a laptop whose keyring
stays locked, a damaged key store choice: the device cannot be itself, so it shows
why in one sentence (the error's own), where the key is kept, which file, and what
the technician does next. Technician mode stays reachable from this window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from app.i18n import error_text
from app.technician.widgets import key_store_text, mono_label
from common.errors import KlasgenootError
from pairing.credstore import CRED_DIR
from pairing.errors import (
    DeviceKeyInvalid,
    KeyStoreChoiceConflict,
    KeyStoreChoiceInvalid,
    KeyStoreInsecure,
    KeyStoreUnavailable,
)
from pairing.keychoice import KeyStoreChoice, KeyStoreKind, read_choice

KEY_PROBLEMS = (
    KeyStoreUnavailable,  # CredentialUnreadable, CredentialSealFailed, … are kinds of it
    KeyStoreInsecure,
    KeyStoreChoiceInvalid,
    KeyStoreChoiceConflict,
    DeviceKeyInvalid,
)


def is_key_problem(error: BaseException) -> bool:
    return isinstance(error, KEY_PROBLEMS)


def recorded_choice(config_dir: Path) -> KeyStoreChoice | None:
    try:
        return read_choice(config_dir)
    except KlasgenootError:
        return None  # the damaged record is the error shown above it


class KeyProblemView(QWidget):
    """Why the key cannot be read, where it is kept, and the technician's next steps."""

    def __init__(self, config_dir: Path, error: KlasgenootError, parent: QWidget | None = None):
        super().__init__(parent)
        self._error = error
        self._choice = recorded_choice(config_dir)
        creds = self._choice is not None and self._choice.kind is KeyStoreKind.SYSTEMD_CREDS
        self._file = str(config_dir / CRED_DIR / "device-key.cred") if creds else str(config_dir)
        self.title = QLabel(self)
        self.title.setFont(QFont(self.font().family(), 24, QFont.Weight.Bold))
        self.title.setWordWrap(True)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setFont(QFont(self.font().family(), 16))
        facts = QFormLayout()
        self._captions = [QLabel(self), QLabel(self)]
        self.store_label = QLabel(self)
        self.file_label = mono_label(self)
        facts.addRow(self._captions[0], self.store_label)
        facts.addRow(self._captions[1], self.file_label)
        self.steps = QLabel(self)
        self.steps.setWordWrap(True)
        body = QFont(self.font().family(), 14)  # read from a step away, like the rest
        for label in (*self._captions, self.store_label, self.steps):
            label.setFont(body)
        self.file_label.setFont(QFont(self.file_label.font().family(), 14))
        facts.setVerticalSpacing(12)
        layout = QVBoxLayout(self)
        layout.setSpacing(24)
        layout.setContentsMargins(48, 48, 48, 48)
        for widget in (self.title, self.reason):
            layout.addWidget(widget)
        layout.addLayout(facts)
        layout.addWidget(self.steps)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("This device's key cannot be read"))
        self.reason.setText(error_text(self._error))  # the error's own sentence
        self._captions[0].setText(self.tr("Key store"))
        self._captions[1].setText(self.tr("Where"))
        self.store_label.setText(key_store_text(self._choice))
        self.file_label.setText(self._file)
        self.steps.setText(
            self.tr(
                "For the technician: 1. Restart the device. 2. Still this screen? The key "
                "belongs to another machine, the TPM was cleared or replaced, or the file is "
                "damaged: wipe the device (klasgenoot wipe) and have it enrolled and paired "
                "again. See the deployment guide, 'Technician screen at boot'."
            )
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
