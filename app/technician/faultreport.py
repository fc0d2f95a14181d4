"""Technician mode: "Report a fault". Shows exactly what will be sent, then sends it.

The report is app.faultreport's technical JSON; sending (signed with the device key,
TLS pinned to the fleet CA) runs on a worker thread and reports back by signals.
Shown only when the device knows its helpdesk's address (app.helpdesk_setting).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.faultreport import build_report, report_bytes
from app.technician.widgets import big_button
from common.errors import KlasgenootError
from pairing.codeenroll import ConsoleUrl
from pairing.device import DeviceConfig
from pairing.faultsend import send_report

logger = logging.getLogger(__name__)


class _Worker(QObject):
    sent = Signal(int)
    failed = Signal(object)


class FaultReportSection(QGroupBox):
    failed = Signal(object)  # KlasgenootError: the window shows its sentence
    sent = Signal(int)  # the console's number for the report

    def __init__(
        self, config_dir: Path, device: DeviceConfig, url: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._dir, self._device, self._url = config_dir, device, url
        self._body: bytes | None = None
        self._worker = _Worker()
        self._worker.sent.connect(self._sent)
        self._worker.failed.connect(self._failed)
        self.report_button, self.send_button = big_button(self), big_button(self)
        self.cancel_button = big_button(self)
        self.report_button.clicked.connect(self.prepare)
        self.send_button.clicked.connect(self.send)
        self.cancel_button.clicked.connect(self.cancel)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self._explain, self.status = QLabel(self), QLabel(self)
        self._explain.setWordWrap(True)
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.report_button, self.cancel_button, self.send_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self._explain)
        layout.addWidget(self.preview)
        layout.addWidget(self.status)
        self.retranslate()
        self.cancel()

    def prepare(self) -> None:
        """Build the report and show it; nothing is sent yet."""
        try:
            self._body = report_bytes(build_report(self._dir, self._device))
        except KlasgenootError as exc:
            self._failed(exc)
            return
        self.preview.setPlainText(self._body.decode())
        for widget in (self._explain, self.preview, self.send_button, self.cancel_button):
            widget.show()
        self.send_button.setEnabled(True)
        self.status.clear()

    def send(self) -> None:
        body = self._body
        if body is None:
            return
        self.send_button.setEnabled(False)
        credentials, url = self._device.credentials, self._url

        def work() -> None:
            try:
                self._worker.sent.emit(send_report(ConsoleUrl.parse(url), credentials, body))
            except KlasgenootError as exc:
                self._worker.failed.emit(exc)

        threading.Thread(target=work, name="fault-report", daemon=True).start()

    def cancel(self) -> None:
        self._body = None
        for widget in (self._explain, self.preview, self.send_button, self.cancel_button):
            widget.hide()
        self.preview.clear()

    def _sent(self, number: int) -> None:
        self.cancel()
        logger.info("fault report %d sent", number)
        self.status.setText(self.tr("Fault report #{n} sent to the helpdesk.").format(n=number))
        self.sent.emit(number)

    def _failed(self, exc: KlasgenootError) -> None:
        self.send_button.setEnabled(self._body is not None)
        self.failed.emit(exc)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Helpdesk"))
        self.report_button.setText(self.tr("Report a fault…"))
        self.report_button.setAccessibleName(self.tr("Report a fault to the helpdesk"))
        self.send_button.setText(self.tr("Send"))
        self.send_button.setAccessibleName(self.tr("Send this report"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Do not send"))
        self._explain.setText(
            self.tr("This is exactly what will be sent: technical data only, no picture, "
                    "sound, addresses or names.")
        )  # fmt: skip
        self.preview.setAccessibleName(self.tr("The report"))
