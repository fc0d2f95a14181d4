"""Technician screen "What this device keeps": generated from the log schema, so it
cannot drift from what is stored; the recent log; export, erase and wipe.

Thin: it reads privacy.overview for display, writes exports through privacy.export,
erases through privacy.erase, and asks the device session to wipe (which must stop
the call first). Every action that changes something asks for confirmation.
What it shows is kept as facts (the overview, the faults, the last result) and
rendered again in the new language when the technician switches it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.audit import AuditLog
from app.cli_logs import audit_key_lost, device_info, retention
from app.i18n import error_text, language
from app.retention_setting import read_retention
from app.technician.widgets import big_button
from app.widgets.file_dialog import ask, file_dialog, removable_media_folder
from common.errors import KlasgenootError
from pairing.keystore import KeyStore
from privacy.codes import AuditAction
from privacy.erase import erase_logs
from privacy.export import export_document, write_export
from privacy.files import state_dir
from privacy.health import LogFault, LogHealth
from privacy.overview import LogOverview, load_overview


@dataclass(frozen=True, slots=True)
class _Faults:
    """What the fault lines at the top are made of (read at each refresh)."""

    health: LogHealth | None
    audit_key_lost: bool
    default_days: int | None  # the stored retention is not valid: this default applies


class KeptDataView(QWidget):
    back_requested = Signal()
    wipe_requested = Signal()  # confirmed twice; the device session does the wipe

    def __init__(
        self, config: Path, store: KeyStore, parent: QWidget | None = None,
        audit: AuditLog | None = None,
        health: Callable[[], LogHealth | None] = lambda: None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._config, self._store, self._audit = config, store, audit
        self._health = health  # the running call's log (a broken log never stops a call)
        self._overview: LogOverview | None = None
        self._faults: _Faults | None = None
        self._result: Callable[[], str] | None = None  # the last action's outcome, in words
        self.health = QLabel(self)
        self.health.setWordWrap(True)
        self.title = QLabel(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.kept = QPlainTextEdit(self)
        self.kept.setReadOnly(True)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.export_button, self.erase_button = big_button(self), big_button(self)
        self.wipe_button, self.back_button = big_button(self), big_button(self)
        # clicked passes "checked": keep it away from the optional arguments
        self.export_button.clicked.connect(lambda _checked=False: self.export())
        self.erase_button.clicked.connect(lambda _checked=False: self.erase())
        self.wipe_button.clicked.connect(self._confirm_wipe)
        self.back_button.clicked.connect(self.back_requested)
        buttons = QHBoxLayout()
        for button in (self.export_button, self.erase_button, self.wipe_button,
                       self.back_button):  # fmt: skip
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.summary, self.health, self.kept, self.log, self.result):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("What this device keeps"))
        self.export_button.setText(self.tr("Export…"))
        self.erase_button.setText(self.tr("Erase logs"))
        self.wipe_button.setText(self.tr("Wipe device (service end)"))
        self.back_button.setText(self.tr("Back"))
        self.kept.setAccessibleName(self.tr("What is kept, field by field"))
        self.log.setAccessibleName(self.tr("Recent connection log"))
        for button in (self.export_button, self.erase_button, self.wipe_button,
                       self.back_button):  # fmt: skip
            button.setAccessibleName(button.text())

    def refresh(self) -> None:
        setting = read_retention(self._config)
        self._faults = _Faults(
            health=self._health(),
            audit_key_lost=audit_key_lost(self._config, self._store),
            default_days=setting.retention.connection_days if setting.problem else None,
        )
        self._show_faults(self._faults)
        try:
            overview = load_overview(state_dir(self._config), retention=retention(self._config))
        except KlasgenootError as exc:
            self._say(partial(error_text, exc))
            return
        self._overview = overview
        self._show(overview)

    def _say(self, text: Callable[[], str]) -> None:
        """The outcome line; a function, so a language switch can say it again."""
        self._result = text
        self.result.setText(text())

    def _show(self, overview: LogOverview) -> None:
        dutch = language() == "nl"
        self.summary.setText(self.tr(
            "Only technical connection data, never pictures, sound or names. "
            "Connection logs are kept {days} days, the audit trail {months} months. "
            "Now: {sessions} calls, {events} events, {audit} audit records."
        ).format(days=overview.retention_days, months=overview.audit_months,
                 sessions=overview.counts["sessions"], events=overview.counts["events"],
                 audit=overview.counts["audit"]))  # fmt: skip
        lines = []
        for table in overview.kept:
            lines.append(f"{table.nl if dutch else table.en} "
                         f"({table.retention_nl if dutch else table.retention_en})")  # fmt: skip
            lines += [f"  • {f.column}: {f.nl if dutch else f.en}" for f in table.fields]
        self.kept.setPlainText("\n".join(lines))
        self.log.setPlainText("\n".join(
            "  ".join(f"{key}={value}" for key, value in row.items() if value is not None)
            for row in overview.sessions[:20]
        ))  # fmt: skip

    def _fault_words(self, fault: LogFault) -> str:
        return {
            LogFault.UNAVAILABLE: self.tr("the log database cannot be opened or made"),
            LogFault.LOCKED: self.tr("another program kept the log database locked"),
            LogFault.FULL: self.tr("the disk is full"),
            LogFault.DAMAGED: self.tr("the log database is damaged"),
            LogFault.READ_ONLY: self.tr("the disk cannot be written to"),
            LogFault.BACKLOG: self.tr("more came in than the disk could take"),
            LogFault.REJECTED: self.tr("a record with a value outside the fixed lists was refused"),
            LogFault.CLOSED: self.tr("records came in after the log was closed"),
        }.get(fault, fault.value)

    def _health_line(self, health: LogHealth | None) -> str:
        if health is None or health.ok:
            return self.tr("Logging works.")
        if health.set_aside_at is not None:
            when = dt.datetime.fromtimestamp(health.set_aside_at).strftime("%d-%m-%Y %H:%M")
            kept = self.tr("The audit trail in it was intact and was kept.")
            if not health.audit_kept:
                kept = self.tr("The audit trail in it could not be read; a new one began.")
            text = self.tr("The log database was damaged. On {when} it was set aside (kept "
                           "as long as the logs, never exported) and a new log was started. "
                           "{kept}").format(when=when, kept=kept)  # fmt: skip
            return text if health.working else text + " " + self._fault_line(health)
        return self._fault_line(health)

    def _fault_line(self, health: LogHealth) -> str:
        text = self.tr("Logging has a fault: {fault}. The call is not affected; "
                       "{dropped} records were not written.")  # fmt: skip
        return text.format(fault=self._fault_words(health.fault), dropped=health.dropped)

    def _show_faults(self, faults: _Faults) -> None:
        """The running log's health, then faults outside it: a lost audit key, a bad
        retention value."""
        lines = [self._health_line(faults.health)]
        if faults.audit_key_lost:
            lines.append(self.tr(
                "The audit trail's key is missing: new actions are not recorded and the "
                "trail cannot be checked. No new key is made, so the old trail is not "
                "lost; call the helpdesk."
            ))  # fmt: skip
        if faults.default_days is not None:
            lines.append(self.tr("The stored retention setting is not valid; the default of "
                                 "{days} days applies.").format(
                days=faults.default_days))  # fmt: skip
        self.health.setText("\n".join(lines))

    def export_dialog(self) -> QFileDialog:
        """Where the export goes: a file on the USB stick, in the UI language."""
        start = removable_media_folder() / "klasgenoot-log.json"
        return file_dialog(self, self.tr("Export the connection log"), start, save=True,
                           name_filter="JSON (*.json)")  # fmt: skip

    def export(self, path: Path | None = None) -> bool:
        """Write the export (JSON) to ``path`` or a file the technician picks (USB)."""
        if path is None:
            chosen = ask(self.export_dialog())
            if chosen is None:
                return False
            path = chosen
        try:
            doc = export_document(
                state_dir(self._config),
                device=device_info(self._config, self._store),
                retention=retention(self._config),
            )
            written = write_export(path, doc)  # a folder gets a dated file in it
        except KlasgenootError as exc:
            self._say(partial(error_text, exc))
            return False
        except OSError:
            self._say(lambda: self.tr("The file could not be written."))
            return False
        if self._audit is not None:
            self._audit.action(AuditAction.LOGS_EXPORTED)
        self._say(lambda: self.tr("Exported to {path}").format(path=written))
        return True

    def erase(self, *, confirmed: bool = False) -> bool:
        if not confirmed and not self._ask(self.tr("Erase all connection and program logs?")):
            return False
        try:
            report = erase_logs(state_dir(self._config))
        except KlasgenootError as exc:
            self._say(partial(error_text, exc))
            return False
        if self._audit is not None:  # the audit trail is not erased: it says this happened
            self._audit.action(AuditAction.LOGS_ERASED)
        if report.database_replaced:
            self._say(lambda: self.tr("The damaged database was removed whole, with every "
                                      "call, event and the audit trail in it."))  # fmt: skip
        else:
            self._say(lambda: self.tr("Erased: {sessions} calls, {events} events.").format(
                sessions=report.sessions, events=report.events))  # fmt: skip
        self.refresh()
        return True

    def _confirm_wipe(self) -> None:
        if self._ask(self.tr("Wipe this device? Its key, pairing, settings and logs are "
                             "deleted; it starts at first run again.")) and self._ask(
            self.tr("Are you sure? This cannot be undone.")
        ):  # fmt: skip
            self.wipe_requested.emit()

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Please confirm"), question)
        return answer == QMessageBox.StandardButton.Yes

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            # What is on screen, again from the facts it was made of (no new reading).
            if self._faults is not None:
                self._show_faults(self._faults)
            if self._overview is not None:
                self._show(self._overview)
            if self._result is not None:
                self.result.setText(self._result())
        super().changeEvent(event)
