"""Language and access: Dutch by default, English live, complete catalogs, error
sentences in both languages, and the accessibility walker itself."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.error_messages import MESSAGES
from app.kiosk import KioskWindow
from app.settings import SettingsStore
from app.technician import TechnicianMode
from common.errors import KlasgenootError
from pairing.errors import BundleWrongDevice
from tests.support.a11y import assert_accessible, problems

ROOT = Path(__file__).resolve().parents[2]


def test_dutch_by_default(tmp_path: Path, language: Path) -> None:
    assert SettingsStore(tmp_path).load().language == "nl"
    assert i18n.set_language("nl", language)
    assert i18n.language() == "nl"
    assert QCoreApplication.translate("TechnicianView", "Exit to desktop") != "Exit to desktop"
    assert i18n.set_language("xx", language)  # unknown: Dutch
    assert i18n.language() == "nl"


def test_language_switch_retranslates_a_visible_label(
    qtbot: QtBot, tmp_path: Path, language: Path
) -> None:
    i18n.set_language("nl", language)
    window = KioskWindow(windowed=True)
    qtbot.addWidget(window)
    window.set_content(QLabel("call"))
    settings = SettingsStore(tmp_path)
    mode = TechnicianMode(window, settings)
    mode.open_panel()
    window.show_kiosk()
    qtbot.waitExposed(window)
    exit_button = mode.view.exit_button
    dutch = exit_button.text()
    assert exit_button.isVisible() and dutch == "Naar het bureaublad"
    assert mode.view.language_choice.currentData() == "nl"

    with qtbot.waitSignal(mode.language_changed):
        mode.view.language_choice.setCurrentIndex(mode.view.language_choice.findData("en"))
        mode.view.language_choice.activated.emit(mode.view.language_choice.currentIndex())
    qtbot.waitUntil(lambda: exit_button.text() == "Exit to desktop")
    assert settings.load().language == "en"
    assert i18n.language() == "en"

    i18n.set_language("nl", language)
    qtbot.waitUntil(lambda: exit_button.text() == dutch)
    assert mode.view.language_choice.currentData() == "nl"


def test_error_text_in_both_languages(language: Path) -> None:
    error = BundleWrongDevice("for ABCDEFG")
    i18n.set_language("nl", language)
    assert i18n.error_text(error) == BundleWrongDevice.message()
    assert i18n.error_text(str(error)) == BundleWrongDevice.message()  # detail left out
    assert i18n.error_text(ValueError("x")) == KlasgenootError.message()
    i18n.set_language("en", language)
    english = i18n.error_text(error)
    assert english != BundleWrongDevice.message() and "device" in english
    assert i18n.error_text(str(error)) == english
    assert i18n.generic_error_text() != KlasgenootError.message()
    assert i18n.error_text("Some other sentence.") == "Some other sentence."


def test_every_error_sentence_has_english(language: Path) -> None:
    i18n.set_language("en", language)
    missing = [m for m in MESSAGES if QCoreApplication.translate("errors", m) == m]
    assert not missing


def test_error_catalog_lists_every_error_class() -> None:
    done = subprocess.run(
        [str(ROOT / "tools/gen-error-messages"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_translations_are_complete() -> None:
    """pyside6-lupdate over app/ (into temporary copies) finds nothing unfinished.

    When this fails after new strings: tools/check-translations --update, translate
    what it lists, tools/build-translations.
    """
    done = subprocess.run(
        [str(ROOT / "tools/check-translations")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_accessibility_walker_finds_problems(qtbot: QtBot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    unnamed, tiny, good = QPushButton("?"), QPushButton("x"), QPushButton("OK")
    tiny.setAccessibleName("Close")
    tiny.setFixedSize(20, 20)
    good.setAccessibleName("Confirm")
    good.setMinimumSize(48, 48)
    unnamed.setMinimumSize(48, 48)
    for button in (unnamed, tiny, good):
        layout.addWidget(button)
    root.show()
    qtbot.waitExposed(root)
    found = problems(root)
    assert len(found) == 2
    assert any("no accessible name" in p and "'?'" in p for p in found)
    assert any("20×20" in p for p in found)
    with pytest.raises(AssertionError):
        assert_accessible(root)
