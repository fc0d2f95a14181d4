"""Small shared pieces of the technician and first-run screens: touch-sized widgets
and how ids, fingerprints, roles and dates are written for a technician."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QLocale,
    Qt,
)
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QScrollArea,
    QWidget,
)

from app.widgets.buttons import TouchButton
from pairing.certificates import fingerprint_lines
from pairing.deviceid import DeviceId
from pairing.keychoice import KeyStoreChoice, KeyStoreKind
from pairing.roles import Role

MIN_TARGET = 48


def grouped_id(device_id: DeviceId) -> str:
    """The DeviceId on two lines of four groups: easier to read aloud."""
    groups = device_id.text.split("-")
    return "-".join(groups[:4]) + "-\n" + "-".join(groups[4:])


def grouped_fingerprint(fingerprint: str) -> str:
    return "\n".join(fingerprint_lines(fingerprint))  # as the CLI prints it


def role_text(role: Role) -> str:
    if role is Role.STUDENT:
        return QCoreApplication.translate("Roles", "pupil's laptop")
    return QCoreApplication.translate("Roles", "classroom unit")


def key_store_text(choice: KeyStoreChoice | None) -> str:
    """Where the device keeps its key, as the technician panel says it."""
    if choice is None:
        return "—"
    if choice.kind is KeyStoreKind.KEYRING:
        return QCoreApplication.translate("KeyStores", "OS keyring (unlocked by the user's login)")
    if choice.kind is KeyStoreKind.DEV_FILE:
        return QCoreApplication.translate("KeyStores", "Developer file (not for real use)")
    if choice.sealed_with == "host+tpm2":
        return QCoreApplication.translate(
            "KeyStores", "systemd-creds, sealed with the TPM2 and the host key"
        )
    if choice.sealed_with == "host":
        return QCoreApplication.translate(
            "KeyStores", "systemd-creds, sealed with the host key (no TPM2)"
        )
    return QCoreApplication.translate("KeyStores", "systemd-creds (not sealed yet)")


def date_text(when: Any) -> str:
    return QLocale().toString(QDate(when.year, when.month, when.day), QLocale.FormatType.LongFormat)


def mono_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def big_button(parent: QWidget) -> QPushButton:
    return TouchButton(parent, width=MIN_TARGET * 2, height=MIN_TARGET)


def scroll_area(parent: QWidget, inner: QWidget) -> QScrollArea:
    """A panel's long body, scrolling; the area itself takes no focus (its fields do)."""
    scroll = QScrollArea(parent)
    scroll.setWidget(inner)
    scroll.setWidgetResizable(True)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return scroll
