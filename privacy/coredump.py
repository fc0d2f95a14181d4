"""No core dumps: a crashed process must not leave video frames or keys on disk.

Called first thing at start. ``RLIMIT_CORE`` 0 stops the kernel writing a core
file; on Linux ``PR_SET_DUMPABLE`` 0 also keeps systemd-coredump/apport (which pipe
the core through ``core_pattern`` and ignore the rlimit) and same-user debuggers out.
On Windows, Windows Error Reporting dumps are a machine policy (docs/privacy.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from dataclasses import dataclass

logger = logging.getLogger(__name__)

PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4


@dataclass(frozen=True, slots=True)
class CoreDumps:
    rlimit_zero: bool  # RLIMIT_CORE is 0 (or the platform has none)
    dumpable: bool | None  # Linux: the process may still be dumped; None elsewhere

    @property
    def disabled(self) -> bool:
        return self.rlimit_zero and not self.dumpable


def _prctl(option: int, arg: int = 0) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return int(libc.prctl(option, arg, 0, 0, 0))


def disable_core_dumps() -> CoreDumps:
    """Switch core dumps off for this process (and its children); never raises."""
    rlimit_zero = True
    if sys.platform != "win32":
        import resource  # noqa: PLC0415 (POSIX only)

        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except (ValueError, OSError):
            logger.warning("could not switch core dumps off (RLIMIT_CORE)")
        rlimit_zero = resource.getrlimit(resource.RLIMIT_CORE)[0] == 0
    dumpable: bool | None = None
    if sys.platform.startswith("linux"):
        try:
            _prctl(PR_SET_DUMPABLE, 0)
            dumpable = _prctl(PR_GET_DUMPABLE) != 0
        except (OSError, AttributeError):
            logger.warning("could not switch core dumps off (PR_SET_DUMPABLE)")
            dumpable = True
    return CoreDumps(rlimit_zero, dumpable)
