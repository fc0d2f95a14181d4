"""Shared fixtures: a throw-away fleet with real certificates; a cheap CA-key KDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from pairing import cakey
from tests.support.pki import TestFleet


@pytest.fixture(autouse=True)
def _cheap_ca_key_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process fleets seal their CA key with scrypt N = 2^10 instead of 2^17, so a
    test that pairs many times stays fast. Subprocesses (the CLI tests) use the real
    cost, and tests/unit/test_cakey.py checks the production value."""
    monkeypatch.setattr(cakey, "COST", cakey.KdfCost(log_n=10, r=8, p=1))


@pytest.fixture
def fleet(tmp_path: Path) -> TestFleet:
    return TestFleet(tmp_path / "fleet")
