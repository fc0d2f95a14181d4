"""First run: the technician sets up a device that is not enrolled yet.

1. The device's identity: its key is made (once) in the key store and its DeviceId
   shown. "Write enrollment request…" puts the request (a CSR naming the role) in a
   chosen folder, usually a USB stick for the operator.
2. "Install pairing file…": the bundle from the operator is checked against this
   device (pairing.device.inspect_bundle) and its CA fingerprint shown; only when
   the technician confirms it matches is it installed. A refusal shows the error's
   sentence in the banner and installs nothing.
3. The technician PIN, typed twice (skipped if one is already stored).

Then ``enrolled`` is emitted and the window switches to the call.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.banner import BannerKind, BannerWidget
from app.firstrun.codeflow import CodeEnrollWidget
from app.i18n import error_text
from app.settings import SettingsStore
from app.technician.pin import PinStore
from app.technician.pinpad import PinSetupWidget
from app.technician.widgets import (
    big_button,
    date_text,
    grouped_fingerprint,
    grouped_id,
    mono_label,
    role_text,
)
from common.errors import KlasgenootError
from common.paths import write_private_file
from pairing import device
from pairing.bundle import EXTENSION, MAX_BUNDLE
from pairing.deviceid import DeviceId
from pairing.enrollment import create_request
from pairing.errors import BundleInvalid, FileAccessFailed
from pairing.identity import device_id, load_or_create_device_key
from pairing.keystore import KeyStore, open_keystore
from pairing.roles import Role

logger = logging.getLogger(__name__)

STEPS = ("identity", "confirm", "pin", "code")


def removable_media_folder() -> Path:
    """Where a file dialog starts: the USB sticks' mount folder, if there is one."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    for candidate in (Path("/media") / user, Path("/run/media") / user, Path("/Volumes")):
        if user and candidate.is_dir():
            return candidate
    return Path.home()


class FirstRunView(QWidget):
    enrolled = Signal(object)  # pairing.device.InstalledDevice
    request_written = Signal(object)  # the request file's Path

    def __init__(
        self,
        config_dir: Path,
        role: Role,
        *,
        keystore: KeyStore | None = None,
        dev_keyring: bool | None = None,
        settings: SettingsStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._dir, self._role = config_dir, role
        self._settings = settings or SettingsStore(config_dir)
        self._store = keystore
        self._dev_keyring = dev_keyring
        self._bundle: bytes | None = None
        self._installed: device.InstalledDevice | None = None
        self.device_id: DeviceId | None = None
        self.banner = BannerWidget(self)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._identity_page())
        self._pages.addWidget(self._confirm_page())
        self.pin_setup = PinSetupWidget(PinStore(self._settings), self)
        self.pin_setup.pin_set.connect(self._finish)
        self._pages.addWidget(self.pin_setup)
        self.code_flow = CodeEnrollWidget(config_dir, role, self)  # one visit, with a code
        self.code_flow.enrolled.connect(self._code_enrolled)
        self.code_flow.failed.connect(self._fail)
        self.code_flow.cancelled.connect(self.cancel_install)
        self._pages.addWidget(self.code_flow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self._pages, 1)
        self.retranslate()
        self._load_identity()

    # -- pages ----------------------------------------------------------------------

    def _identity_page(self) -> QWidget:
        page = QWidget(self)
        self._heading = QLabel(page)
        self._heading.setFont(QFont(self.font().family(), 22, QFont.Weight.Bold))
        self._intro = QLabel(page)
        self._intro.setWordWrap(True)
        self._id_caption = QLabel(page)
        self.id_label = mono_label(page)
        self.id_label.setFont(QFont(self.id_label.font().family(), 18))
        self._request_status = QLabel(page)
        self._request_status.setWordWrap(True)
        self.request_button = big_button(page)
        self.request_button.clicked.connect(self._request_clicked)
        self.install_button = big_button(page)
        self.install_button.clicked.connect(self._install_clicked)
        self.code_button = big_button(page)
        self.code_button.clicked.connect(self.enroll_with_code)
        buttons = QHBoxLayout()
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.install_button)
        buttons.addWidget(self.code_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        for widget in (self._heading, self._intro, self._id_caption, self.id_label):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self._request_status)
        layout.addStretch(1)
        return page

    def _confirm_page(self) -> QWidget:
        page = QWidget(self)
        self._confirm_heading = QLabel(page)
        self._confirm_heading.setFont(QFont(self.font().family(), 22, QFont.Weight.Bold))
        self._details = QFormLayout()
        self._detail: dict[str, QLabel] = {}
        self._detail_captions: list[QLabel] = []
        for key in ("role", "pairing", "peer", "expiry", "server"):
            value = mono_label(page) if key == "peer" else QLabel(page)
            self._detail[key] = value
            self._detail_captions.append(QLabel(page))
            self._details.addRow(self._detail_captions[-1], value)
        self._compare = QLabel(page)
        self._compare.setWordWrap(True)
        self.fingerprint_label = mono_label(page)
        self.fingerprint_label.setFont(QFont(self.fingerprint_label.font().family(), 16))
        self.confirm_button = big_button(page)
        self.confirm_button.clicked.connect(self.confirm_install)
        self.cancel_button = big_button(page)
        self.cancel_button.clicked.connect(self.cancel_install)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self._confirm_heading)
        layout.addLayout(self._details)
        layout.addWidget(self._compare)
        layout.addWidget(self.fingerprint_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    # -- steps ----------------------------------------------------------------------

    @property
    def step(self) -> str:
        return STEPS[self._pages.currentIndex()]

    def _load_identity(self) -> None:
        try:
            if self._store is None:
                self._store = open_keystore(self._dir, dev=self._dev_keyring)
            self.device_id = device_id(load_or_create_device_key(self._store))
        except KlasgenootError as exc:
            logger.warning("no device key: %s", exc.detail or type(exc).__name__)
            self._fail(exc)
        self.id_label.setText(grouped_id(self.device_id) if self.device_id else "—")
        self.request_button.setEnabled(self.device_id is not None)
        self.install_button.setEnabled(self.device_id is not None)
        self.code_button.setEnabled(self.device_id is not None)

    def _request_clicked(self) -> None:
        self.write_request()

    def _install_clicked(self) -> None:
        self.choose_bundle()

    def write_request(self, folder: Path | None = None) -> Path | None:
        """Write the enrollment request into ``folder`` (asked for when None)."""
        if self._store is None or self.device_id is None:
            return None
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(
                self, self.tr("Where should the request go?"), str(removable_media_folder())
            )
            if not chosen:
                return None
            folder = Path(chosen)
        path = folder / f"klasgenoot-{self._role.value}-{self.device_id.short}.csr"
        try:
            device.record_role(self._dir, self._role)
            request = create_request(load_or_create_device_key(self._store), self._role)
            try:
                write_private_file(path, request)
            except OSError as exc:
                raise FileAccessFailed(str(path)) from exc
        except KlasgenootError as exc:
            self._fail(exc)
            return None
        logger.info("enrollment request written (%s)", self._role.value)
        self._request_status.setText(
            self.tr("Request written to {path}. Give it to the administrator; install the "
                    "pairing file you get back.").format(path=str(path))
        )  # fmt: skip
        self.banner.dismiss()
        self.request_written.emit(path)
        return path

    def choose_bundle(self, path: Path | None = None) -> device.InstalledDevice | None:
        """Check a pairing file (asked for when None) and show it for confirmation."""
        if self._store is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, self.tr("Choose the pairing file"), str(removable_media_folder()),
                self.tr("Pairing files (*{ext});;All files (*)").format(ext=EXTENSION),
            )  # fmt: skip
            if not chosen:
                return None
            path = Path(chosen)
        try:
            data = _read_bundle(path)
            preview = device.inspect_bundle(self._dir, self._store, data, self._role)
        except KlasgenootError as exc:
            self._fail(exc)
            return None
        self._bundle = data
        self._show_preview(preview)
        self.banner.dismiss()
        self._pages.setCurrentIndex(STEPS.index("confirm"))
        self.confirm_button.setFocus()
        return preview

    def confirm_install(self) -> None:
        """The technician says the fingerprint matches: install the checked bundle."""
        if self._store is None or self._bundle is None:
            return
        try:
            self._installed = device.install_bundle(
                self._dir, self._store, self._bundle, self._role
            )
        except KlasgenootError as exc:
            self.cancel_install()
            self._fail(exc)
            return
        self._bundle = None
        if PinStore(self._settings).is_set():
            self._finish()
            return
        self._pages.setCurrentIndex(STEPS.index("pin"))
        self.pin_setup.first.setFocus()

    def enroll_with_code(self) -> None:
        """The code page: address, code, fingerprint check (app/firstrun/codeflow.py)."""
        if self._store is None:
            return
        self.banner.dismiss()
        self.code_flow.start(self._store)
        self._pages.setCurrentIndex(STEPS.index("code"))

    def _code_enrolled(self, installed: device.InstalledDevice) -> None:
        self._installed = installed
        self.banner.dismiss()
        if PinStore(self._settings).is_set():
            self._finish()
            return
        self._pages.setCurrentIndex(STEPS.index("pin"))
        self.pin_setup.first.setFocus()

    def cancel_install(self) -> None:
        self._bundle = None
        self._pages.setCurrentIndex(STEPS.index("identity"))
        self.banner.show_message(self.tr("Not installed; nothing was changed."), BannerKind.INFO)

    def _finish(self) -> None:
        if self._installed is not None:
            logger.info("first run complete")
            self.enrolled.emit(self._installed)

    def _fail(self, exc: KlasgenootError) -> None:
        logger.info("first run: %s %s", type(exc).__name__, exc.detail)
        self.banner.show_message(error_text(exc), BannerKind.ERROR)

    def _show_preview(self, preview: device.InstalledDevice) -> None:
        self._detail["role"].setText(role_text(preview.role))
        self._detail["pairing"].setText(preview.pairing_id)
        self._detail["peer"].setText(grouped_id(preview.peer_device_id))
        self._detail["expiry"].setText(date_text(preview.not_after))
        self._detail["server"].setText(preview.signaling_url)
        self.fingerprint_label.setText(grouped_fingerprint(preview.ca_fingerprint))

    # -- language -------------------------------------------------------------------

    def retranslate(self) -> None:
        self._heading.setText(self.tr("Set up this device"))
        self._intro.setText(
            self.tr("This device ({role}) is not paired yet. Write an enrollment request "
                    "for the administrator, then install the pairing file you get back."
                    ).format(role=role_text(self._role))
        )  # fmt: skip
        self._id_caption.setText(self.tr("Device code:"))
        self.id_label.setAccessibleName(self.tr("Device code"))
        self.request_button.setText(self.tr("Write enrollment request…"))
        self.request_button.setAccessibleName(self.tr("Write enrollment request"))
        self.install_button.setText(self.tr("Install pairing file…"))
        self.install_button.setAccessibleName(self.tr("Install pairing file"))
        self.code_flow.retranslate()
        self.code_button.setText(self.tr("Enroll with a code…"))
        self.code_button.setAccessibleName(self.tr("Enroll with a code from the helpdesk"))
        self._confirm_heading.setText(self.tr("Check the pairing file"))
        labels = (self.tr("Role"), self.tr("Pairing"), self.tr("Paired with"),
                  self.tr("Valid until"), self.tr("Server"))  # fmt: skip
        for caption, text in zip(self._detail_captions, labels, strict=True):
            caption.setText(text)
        self._compare.setText(
            self.tr("Compare this CA fingerprint with the one the administrator gave you. "
                    "Install only if every character matches.")
        )  # fmt: skip
        self.fingerprint_label.setAccessibleName(self.tr("CA fingerprint"))
        self.confirm_button.setText(self.tr("It matches: install"))
        self.confirm_button.setAccessibleName(self.tr("The fingerprint matches: install"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Do not install"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _read_bundle(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BUNDLE + 1)
    except OSError as exc:
        raise FileAccessFailed(path.name) from exc
    if len(data) > MAX_BUNDLE:
        raise BundleInvalid("too large")
    return data
