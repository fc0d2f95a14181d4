"""GUI tests: Qt offscreen, pytest-qt's one ``qapp`` for the session, a fake device catalog."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from app.av.catalog import FakeDeviceCatalog


@pytest.fixture
def fake_catalog(qtbot: QtBot) -> FakeDeviceCatalog:
    """No devices until the test adds some (they map to synthetic media)."""
    return FakeDeviceCatalog()
