"""Shared fixtures: a throw-away fleet with real certificates."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pki import TestFleet


@pytest.fixture
def fleet(tmp_path: Path) -> TestFleet:
    return TestFleet(tmp_path / "fleet")
