"""Running the tools the lab is made with, checking they exist, removing leftovers."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence

from netlab.errors import LabCommandFailed, LabUnavailable
from netlab.topology import namespace_tag, tag_pid

logger = logging.getLogger(__name__)

_TOOLS = (
    ("ip", "het programma ip (iproute2)"),
    ("tc", "het programma tc (iproute2)"),
    ("iptables", "het programma iptables"),
    ("iptables-restore", "het programma iptables-restore"),
    ("ss", "het programma ss (iproute2)"),
)


def missing_requirements(*, coturn: bool = True) -> list[str]:
    """What this machine lacks for the lab, in Dutch words, in a fixed order."""
    missing = [] if os.geteuid() == 0 else ["root-rechten"]
    missing += [words for tool, words in _TOOLS if shutil.which(tool) is None]
    if coturn and shutil.which("turnserver") is None:
        missing.append("coturn (het programma turnserver)")
    return missing


def check_requirements(*, coturn: bool = True) -> None:
    """Raise :class:`LabUnavailable` naming everything that is missing, else return."""
    missing = missing_requirements(coturn=coturn)
    if missing:
        words = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " en " + missing[-1]
        raise LabUnavailable(f"er ontbreekt {words}")


def run(argv: Sequence[str], *, stdin: str | None = None) -> str:
    """Run one lab command; its stdout, or :class:`LabCommandFailed` with its stderr."""
    done = subprocess.run(list(argv), input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LabCommandFailed(f"{' '.join(argv[:4])}: {done.stderr.strip()[:300]}")
    return done.stdout


def in_ns(ns: str, argv: Sequence[str]) -> list[str]:
    """``argv`` run inside the namespace ``ns``."""
    return ["ip", "netns", "exec", ns, *argv]


def list_namespaces() -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    # Lines look like "name (id: 3)" or just "name".
    return [line.split()[0] for line in out.stdout.splitlines() if line.strip()]


def pids_in(ns: str) -> list[int]:
    out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True, check=False)
    return [int(word) for word in out.stdout.split() if word.isdigit()]


def stop_pids(pids: Sequence[int], *, grace: float = 3.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds: for processes a lab started."""
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    for pid in pids:
        _signal(pid, signal.SIGKILL)


def delete_namespace(ns: str) -> None:
    """Stop what runs in it (never this process) and delete it; its veths go with it."""
    stop_pids([pid for pid in pids_in(ns) if pid != os.getpid()])
    subprocess.run(["ip", "netns", "delete", ns], capture_output=True, check=False)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == 0


def cleanup_stale() -> list[str]:
    """Delete the namespaces of lab runs whose building process is gone.

    A lab's tag carries its builder's pid, so leftovers of a killed run (SIGKILL,
    a crash of the machine's power aside) are found by name; a live run's
    namespaces are never touched. Returns the names removed.
    """
    removed = []
    for ns in list_namespaces():
        tag = namespace_tag(ns)
        pid = tag_pid(tag) if tag else None
        if pid is None or pid == os.getpid() or _pid_exists(pid):
            continue
        delete_namespace(ns)
        removed.append(ns)
    if removed:
        logger.info("removed %d namespaces of dead lab runs", len(removed))
    return removed


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
