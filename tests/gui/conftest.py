"""GUI tests: Qt offscreen, pytest-qt's one ``qapp`` for the session, a fake device catalog."""

from __future__ import annotations

import gc
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import i18n
from app.av.catalog import FakeDeviceCatalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_catalog(qtbot: QtBot) -> FakeDeviceCatalog:
    """No devices until the test adds some (they map to synthetic media)."""
    return FakeDeviceCatalog()


@pytest.fixture(autouse=True)
def collect_garbage_after_the_test(qapp: QApplication) -> Iterator[None]:
    """Collect a test's leftovers once its windows and engine threads are gone.

    Autouse, so it is torn down after the test's own fixtures (the call rig, qtbot's
    widgets). Otherwise Python's collector may free a finished test's Qt wrappers
    at any moment inside the *next* test's nested event loop (qtbot.waitUntil),
    while Qt still delivers that test's events; one CI run died there (SIGSEGV
    while garbage-collecting in test_classroom_features).
    """
    yield
    gc.collect()  # no event processing here: a queued signal could reach a closed window


@pytest.fixture(scope="session")
def qm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .qm files built from the .ts sources in the repository, as set-up does."""
    out = tmp_path_factory.mktemp("qm")
    for ts in sorted((ROOT / "translations").glob("*.ts")):
        subprocess.run(
            [str(ROOT / ".venv/bin/pyside6-lrelease"), "-silent", str(ts),
             "-qm", str(out / f"{ts.stem}.qm")],
            check=True,
        )  # fmt: skip
    return out


@pytest.fixture
def language(qapp: object, qm_dir: Path) -> Iterator[Path]:
    """The translations at hand (``i18n.set_language(code, language)``); English after."""
    yield qm_dir
    i18n.remove_translators()  # other tests see the source strings again
