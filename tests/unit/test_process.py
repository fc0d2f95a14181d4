"""Process settings applied at start."""

from __future__ import annotations

import sys

import pytest

from common.process import limit_malloc_arenas


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_malloc_arenas_are_limited_on_glibc() -> None:
    assert limit_malloc_arenas() is True
