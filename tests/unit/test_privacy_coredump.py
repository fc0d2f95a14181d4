"""Core dumps are off after start: RLIMIT_CORE 0 and, on Linux, not dumpable."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import ctypes, ctypes.util, resource
from privacy.coredump import PR_GET_DUMPABLE, disable_core_dumps
state = disable_core_dumps()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
dumpable = libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)
print(state.disabled, resource.getrlimit(resource.RLIMIT_CORE), dumpable)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux prctl")
def test_core_dumps_are_off_in_a_fresh_process() -> None:
    # A subprocess: PR_SET_DUMPABLE cannot be undone and must not leak into pytest.
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=True, timeout=30)  # fmt: skip
    assert done.stdout.split() == ["True", "(0,", "0)", "0"]
