"""Issue 15, item 17 on the first-run screens: styled for a full-HD kiosk, a file
dialog wholly in Dutch that opens at the USB stick, the fingerprint on four lines of
eight pairs as the CLI prints it, and a .csr chosen for the bundle named as such."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.banner import BannerKind
from app.firstrun import FirstRunView
from app.widgets.file_dialog import removable_media_folder
from pairing.certificates import fingerprint_lines
from pairing.errors import BundleIsRequest
from pairing.roles import Role
from tests.gui.test_firstrun import run_fleet
from tests.support.a11y import cut_words

ENGLISH = {"Look in:", "Files of type:", "File name:", "Folder:", "Open", "Cancel", "Choose"}


@pytest.fixture
def hd(qtbot: QtBot, tmp_path: Path) -> FirstRunView:
    first_run = FirstRunView(tmp_path / "student", Role.STUDENT, dev_keyring=True)
    qtbot.addWidget(first_run)
    first_run.resize(1920, 1080)
    first_run.show()
    qtbot.waitExposed(first_run)
    return first_run


def _left(widget: QWidget, root: QWidget) -> int:
    return widget.mapTo(root, widget.rect().topLeft()).x()


def test_first_run_is_a_centred_column_in_large_type(hd: FirstRunView) -> None:
    heading = next(w for w in hd.findChildren(QLabel) if w.text() == "Set up this device")
    assert QFontInfo(heading.font()).pixelSize() >= 36
    assert QFontInfo(hd.request_button.font()).pixelSize() >= 22
    assert QFontInfo(hd.id_label.font()).pixelSize() >= 26
    left = _left(hd.request_button, hd)
    assert 300 < left < 1920 / 2  # in the middle column, not in the corner
    assert "firstRun" in hd.styleSheet()
    assert not cut_words(hd)
    # The PIN step (the technician panel's widget) is as large.
    for label in hd.pin_setup.findChildren(QLabel):
        assert QFontInfo(label.font()).pixelSize() >= 24, label.text()
    save = [b for b in hd.pin_setup.findChildren(QPushButton) if len(b.text()) > 1]
    assert save and all(QFontInfo(b.font()).pixelSize() >= 22 for b in save)


def test_the_usb_stick_is_where_the_dialog_opens(tmp_path: Path) -> None:
    media, run_media = tmp_path / "media", tmp_path / "run-media"
    (media / "pupil").mkdir(parents=True)  # a user folder, nothing mounted in it
    (run_media / "pupil" / "KLAS-USB").mkdir(parents=True)
    home = tmp_path / "home"
    mounted = {run_media / "pupil" / "KLAS-USB"}
    bases = [media / "pupil", run_media / "pupil", media]
    assert removable_media_folder(bases, is_mount=mounted.__contains__, home=home) == (
        run_media / "pupil" / "KLAS-USB"
    )
    assert removable_media_folder(bases, is_mount=lambda _p: False, home=home) == home
    assert removable_media_folder([tmp_path / "absent"], home=home) == home


def test_the_file_dialogs_speak_dutch(hd: FirstRunView, language: Path) -> None:
    assert i18n.set_language("nl", language)
    for dialog in (hd.request_dialog(), hd.bundle_dialog()):
        dialog.show()
        words = [w.text() for w in dialog.findChildren(QLabel)]
        words += [b.text() for b in dialog.findChildren(QPushButton)]
        english = [w for w in words if w.replace("&", "") in ENGLISH]
        assert english == [], english
        assert "Zoeken in:" in [w.replace("&", "") for w in words]
        dialog.close()


def test_the_fingerprint_is_grouped_as_the_cli_prints_it(hd: FirstRunView, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    request = hd.write_request(usb)
    assert request is not None
    result = run_fleet(tmp_path, request.read_bytes())
    preview = hd.choose_bundle(result.student_bundle)
    assert preview is not None
    shown = hd.fingerprint_label.text().split("\n")
    assert shown == fingerprint_lines(preview.ca_fingerprint)
    assert [len(line.split(":")) for line in shown] == [8, 8, 8, 8]


def test_choosing_the_request_instead_of_the_bundle_says_so(
    hd: FirstRunView, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    request = hd.write_request(usb)
    assert request is not None
    assert hd.choose_bundle(request) is None and hd.step == "identity"
    assert hd.banner.kind is BannerKind.ERROR
    assert hd.banner.text() == i18n.error_text(BundleIsRequest())
    assert ".csr" in hd.banner.text() and "beheerder" in hd.banner.text()  # Dutch source
