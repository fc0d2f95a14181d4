"""First run, one visit: enroll with a code from the helpdesk.

The technician types the console's address and the code. "Check server" fetches the
fleet CA from the console and shows its fingerprint in four rows of eight, as the
helpdesk shows it; only after "It matches: enroll" is the request sent, over TLS
pinned to that CA (pairing/codeenroll.py). The first device of a pair waits until
the second has used its code (and consent is recorded), asking every few seconds.

Network work runs on a worker thread and reports back by queued signals; the
bundle is checked and installed on the GUI thread, like a bundle from a file.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from cryptography import x509
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.helpdesk_setting import save_helpdesk_url
from app.technician.widgets import MIN_TARGET, big_button, grouped_fingerprint, mono_label
from common.errors import KlasgenootError
from pairing import codeenroll, device
from pairing.certificates import fingerprint
from pairing.enrollcode import parse
from pairing.enrollment import create_request
from pairing.errors import BundleWrongRole, EnrollmentTimedOut
from pairing.identity import load_or_create_device_key
from pairing.keystore import KeyStore
from pairing.roles import Role

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
WAIT_SECONDS = 900.0


class _Worker(QObject):
    """Signals from the worker thread (queued to the GUI thread)."""

    ca_fetched = Signal(object)  # x509.Certificate
    waiting = Signal()
    bundle_ready = Signal(bytes)
    failed = Signal(object)  # KlasgenootError


class CodeEnrollWidget(QWidget):
    enrolled = Signal(object)  # pairing.device.InstalledDevice
    failed = Signal(object)  # KlasgenootError: the view shows its sentence
    cancelled = Signal()

    def __init__(self, config_dir: Path, role: Role, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dir, self._role = config_dir, role
        self._store: KeyStore | None = None
        self._ca: x509.Certificate | None = None
        self._url: codeenroll.ConsoleUrl | None = None
        self._code = ""
        self._stop = threading.Event()
        self._worker = _Worker()
        self._worker.ca_fetched.connect(self._show_ca)
        self._worker.waiting.connect(self._show_waiting)
        self._worker.bundle_ready.connect(self._install)
        self._worker.failed.connect(self._fail)
        self.url_edit, self.code_edit = QLineEdit(self), QLineEdit(self)
        self.code_edit.setMaxLength(20)
        for field in (self.url_edit, self.code_edit):
            field.setMinimumHeight(MIN_TARGET)
        self._captions = (QLabel(self), QLabel(self))
        form = QFormLayout()
        form.addRow(self._captions[0], self.url_edit)
        form.addRow(self._captions[1], self.code_edit)
        self.check_button, self.match_button = big_button(self), big_button(self)
        self.cancel_button = big_button(self)
        self.check_button.clicked.connect(self.check_server)
        self.match_button.clicked.connect(self.enroll)
        self.cancel_button.clicked.connect(self.cancel)
        self._compare, self.status = QLabel(self), QLabel(self)
        self._compare.setWordWrap(True)
        self.status.setWordWrap(True)
        self.fingerprint_label = mono_label(self)
        buttons = QHBoxLayout()
        for button in (self.cancel_button, self.check_button, self.match_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._compare)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.retranslate()
        self.reset()

    def start(self, store: KeyStore) -> None:
        self._store = store
        self.reset()
        self.url_edit.setFocus()

    def reset(self) -> None:
        self._stop.set()
        self._ca = None
        self.fingerprint_label.clear()
        self.status.clear()
        self._compare.hide()
        self.match_button.setEnabled(False)
        self.check_button.setEnabled(True)

    def _run(self, job: object) -> None:
        self._stop = threading.Event()
        stop = self._stop

        def work() -> None:
            try:
                job(stop)  # type: ignore[operator]
            except KlasgenootError as exc:
                if not stop.is_set():
                    self._worker.failed.emit(exc)

        threading.Thread(target=work, name="code-enroll", daemon=True).start()

    def check_server(self) -> None:
        """Parse what was typed (a typo is said at once), then fetch the CA."""
        try:
            self._code = parse(self.code_edit.text())
            self._url = codeenroll.ConsoleUrl.parse(self.url_edit.text())
        except KlasgenootError as exc:
            self._fail(exc)
            return
        self.check_button.setEnabled(False)
        url = self._url

        def job(stop: threading.Event) -> None:
            ca = codeenroll.fetch_ca(url)
            if not stop.is_set():
                self._worker.ca_fetched.emit(ca)

        self._run(job)

    def _show_ca(self, ca: x509.Certificate) -> None:
        self._ca = ca
        self.fingerprint_label.setText(grouped_fingerprint(fingerprint(ca)))
        self._compare.show()
        self.match_button.setEnabled(True)
        self.match_button.setFocus()

    def enroll(self) -> None:
        """The technician says the fingerprint matches: send the code and the request."""
        if self._ca is None or self._url is None or self._store is None:
            return
        self.match_button.setEnabled(False)
        ca, url, code, store, role, folder = (self._ca, self._url, self._code, self._store,
                                              self._role, self._dir)  # fmt: skip

        def job(stop: threading.Event) -> None:
            # Asked only the first time: once the code is used (this device waiting for
            # its peer) it is no longer open, and the recorded role says enough.
            if device.recorded_role(folder) is None and (
                codeenroll.role_for_code(url, ca, code) is not role
            ):
                raise BundleWrongRole(role.value)
            device.record_role(folder, role)
            request = create_request(load_or_create_device_key(store), role)
            bundle = codeenroll.request_bundle(url, ca, code, request)
            if bundle is None:
                self._worker.waiting.emit()
            waited = 0.0
            while bundle is None:
                if stop.wait(POLL_SECONDS):
                    return
                waited += POLL_SECONDS
                if waited >= WAIT_SECONDS:
                    raise EnrollmentTimedOut()
                bundle = codeenroll.request_bundle(url, ca, code, request)
            if not stop.is_set():
                self._worker.bundle_ready.emit(bundle)

        self._run(job)

    def _show_waiting(self) -> None:
        self.status.setText(
            self.tr("Registered. Waiting for the other device of the pair, and for the "
                    "consent to be recorded…")
        )  # fmt: skip

    def _install(self, bundle: bytes) -> None:
        if self._store is None:
            return
        try:
            installed = device.install_bundle(self._dir, self._store, bundle, self._role)
        except KlasgenootError as exc:
            self._fail(exc)
            return
        if self._url is not None:
            save_helpdesk_url(self._dir, self.url_edit.text())  # technician mode's reports
        logger.info("enrolled with a code")
        self.enrolled.emit(installed)

    def _fail(self, exc: KlasgenootError) -> None:
        self.reset()
        self.failed.emit(exc)

    def cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def retranslate(self) -> None:
        self._captions[0].setText(self.tr("Helpdesk address"))
        self._captions[1].setText(self.tr("Code"))
        self.url_edit.setPlaceholderText("https://helpdesk.example.nl:8445")
        self.url_edit.setAccessibleName(self.tr("Helpdesk address"))
        self.code_edit.setPlaceholderText("XXXXX-XXXXX")
        self.code_edit.setAccessibleName(self.tr("Code"))
        self.check_button.setText(self.tr("Check server"))
        self.check_button.setAccessibleName(self.tr("Check the helpdesk server"))
        self.match_button.setText(self.tr("It matches: enroll"))
        self.match_button.setAccessibleName(self.tr("The fingerprint matches: enroll"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Do not enroll"))
        self._compare.setText(
            self.tr("Compare this CA fingerprint with the one the helpdesk gave you. "
                    "Enroll only if every character matches.")
        )  # fmt: skip
        self.fingerprint_label.setAccessibleName(self.tr("CA fingerprint"))
