"""First run through the UI, end to end with the real fleet tools: device key,
request on a "USB stick", fleet pairing, bundle checked and confirmed, PIN set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.banner import BannerKind
from app.firstrun import FirstRunView
from app.kiosk import KioskWindow
from app.settings import SettingsStore
from app.technician.pin import PinStore
from pairing.certificates import fingerprint, load_certificate
from pairing.device import InstalledDevice, load_device
from pairing.enrollment import create_request, load_request
from pairing.errors import BundleInvalid, BundleWrongDevice, NotEnrolled
from pairing.fleet import PairingResult, init_fleet, pair
from pairing.identity import load_or_create_device_key
from pairing.keystore import open_keystore
from pairing.roles import Role
from tests.support.a11y import assert_accessible

PASSPHRASE = "a long fleet passphrase"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def run_fleet(tmp_path: Path, student_request: bytes) -> PairingResult:
    """What the operator does with the stick: a classroom request of their own, then pair."""
    classroom = tmp_path / "classroom"
    key = load_or_create_device_key(open_keystore(classroom, dev=True))
    init_fleet(tmp_path / "fleet", PASSPHRASE, server_name="localhost")
    return pair(
        tmp_path / "fleet", PASSPHRASE, student_request, create_request(key, Role.CLASSROOM),
        until=dt.date.today() + dt.timedelta(days=60), out_dir=tmp_path / "bundles",
    )  # fmt: skip


@pytest.fixture
def view(qtbot: QtBot, tmp_path: Path) -> FirstRunView:
    first_run = FirstRunView(tmp_path / "student", Role.STUDENT, dev_keyring=True)
    qtbot.addWidget(first_run)
    first_run.resize(1024, 768)
    first_run.show()
    qtbot.waitExposed(first_run)
    return first_run


def test_enrollment_through_the_ui(qtbot: QtBot, view: FirstRunView, tmp_path: Path) -> None:
    folder = tmp_path / "student"
    with pytest.raises(NotEnrolled):
        load_device(folder, open_keystore(folder, dev=True))
    assert view.device_id is not None
    assert view.id_label.text().replace("\n", "") == view.device_id.text
    assert view.step == "identity"
    assert_accessible(view)

    usb = tmp_path / "usb"
    usb.mkdir()
    with qtbot.waitSignal(view.request_written) as written:
        view.write_request(usb)
    request_path = written.args[0]
    assert request_path.parent == usb
    request = load_request(request_path.read_bytes())
    assert (request.device_id, request.role) == (view.device_id, Role.STUDENT)

    result = run_fleet(tmp_path, request_path.read_bytes())
    preview = view.choose_bundle(result.student_bundle)
    assert preview is not None and view.step == "confirm"
    ca = load_certificate((tmp_path / "fleet" / "ca.pem").read_bytes())
    assert view.fingerprint_label.text().replace("\n", ":") == fingerprint(ca)
    assert not (folder / "certificate.pem").exists()  # nothing before the confirmation
    assert_accessible(view)

    qtbot.mouseClick(view.confirm_button, Qt.MouseButton.LeftButton)
    assert view.step == "pin"
    assert_accessible(view)
    with qtbot.waitSignal(view.enrolled) as enrolled:
        view.pin_setup.set_pin("864200", "864200")
    installed = enrolled.args[0]
    assert isinstance(installed, InstalledDevice)
    assert installed.pairing_id == result.pairing_id
    config = load_device(folder, open_keystore(folder, dev=True))
    assert config.info.device_id == view.device_id and config.role is Role.STUDENT
    assert config.ca_fingerprint == fingerprint(ca)
    assert PinStore(SettingsStore(folder)).check("864200").ok


def test_bundle_for_another_device_is_refused(
    qtbot: QtBot, view: FirstRunView, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    request = view.write_request(usb)
    assert request is not None
    result = run_fleet(tmp_path, request.read_bytes())
    before = snapshot(tmp_path / "student")
    assert view.choose_bundle(result.classroom_bundle) is None
    assert view.banner.text() == BundleWrongDevice.message()
    assert "ander apparaat" in view.banner.text()  # Dutch by default
    assert view.banner.kind is BannerKind.ERROR
    assert view.step == "identity"
    assert snapshot(tmp_path / "student") == before

    garbage = tmp_path / "garbage.klasgenoot"
    garbage.write_bytes(b"not a bundle")
    assert view.choose_bundle(garbage) is None
    assert view.banner.text() == BundleInvalid.message()
    assert snapshot(tmp_path / "student") == before


def test_cancel_at_the_fingerprint_installs_nothing(
    qtbot: QtBot, view: FirstRunView, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    request = view.write_request(usb)
    assert request is not None
    result = run_fleet(tmp_path, request.read_bytes())
    before = snapshot(tmp_path / "student")
    assert view.choose_bundle(result.student_bundle) is not None
    with qtbot.assertNotEmitted(view.enrolled):
        qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert view.step == "identity"
    assert snapshot(tmp_path / "student") == before


def test_request_into_an_unwritable_folder_says_so(
    qtbot: QtBot, view: FirstRunView, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    assert view.write_request(blocker) is None
    assert view.banner.text()  # a sentence, not a traceback
    assert "Traceback" not in view.banner.text()


def test_first_run_in_the_kiosk_window_switches_to_the_call(qtbot: QtBot, tmp_path: Path) -> None:
    """How a device window uses it: first run as content until ``enrolled``."""
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    first_run = FirstRunView(tmp_path / "student", Role.STUDENT, dev_keyring=True)
    window.set_content(first_run)
    PinStore(SettingsStore(tmp_path / "student")).set_pin("1111", "1111")  # PIN step skipped
    call_view = QLabel("call")
    first_run.enrolled.connect(lambda _installed: window.set_content(call_view))
    usb = tmp_path / "usb"
    usb.mkdir()
    request = first_run.write_request(usb)
    assert request is not None
    result = run_fleet(tmp_path, request.read_bytes())
    first_run.choose_bundle(result.student_bundle)
    with qtbot.waitSignal(first_run.enrolled):
        first_run.confirm_install()
    assert window.content() is call_view
