"""systemd's notify protocol (sd_notify(3)): readiness and the watchdog.

The documented few lines over ``$NOTIFY_SOCKET`` (a unix datagram socket; a name
starting with ``@`` is in the abstract namespace) rather than a library: nothing else
of libsystemd is needed, and the app runs on Windows too, where there is no socket
and every call here is a no-op.

The watchdog is fed only while every part that registered has shown a sign of life
since the last ping: the server's event loop, or in the kiosk app both the Qt event
loop and the engine's thread. A hung Qt loop or a stuck engine therefore stops the
pings, and systemd restarts the unit after ``WatchdogSec=``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

logger = logging.getLogger(__name__)


def notify(state: str) -> bool:
    """Send ``state`` (``READY=1``, ``WATCHDOG=1``, ``STOPPING=1``, ...) to systemd.
    False when not run by systemd with a notify socket, or when it cannot be reached
    (systemd gone: nothing to tell, and the app must go on)."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address or not hasattr(socket, "AF_UNIX"):
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    elif not address.startswith("/"):
        return False  # vsock and other forms are for VMs, not for these devices
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(state.encode(), address)
    except OSError as exc:
        logger.warning("systemd notify socket not reachable: %s", exc.strerror)
        return False
    return True


def watchdog_seconds(*, child_of_main: bool = False) -> float | None:
    """``WatchdogSec=`` of the unit that runs this process, or None when there is none.

    systemd names the main process in ``WATCHDOG_PID``; any other process must not feed
    the watchdog for it, unless the unit hands the job on: the kiosk app runs as a child
    of the compositor (``NotifyAccess=all``), and says so with ``child_of_main``.
    """
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and not child_of_main and pid != str(os.getpid()):
        return None
    return int(usec) / 1_000_000


class Heartbeat:
    """Feeds systemd's watchdog while every registered part is alive.

    Each part calls :meth:`beat` from its own thread (Qt's timer, the engine's loop);
    :meth:`ping` is called at half the watchdog interval, and sends ``WATCHDOG=1`` only
    when each part has beaten since the previous ping. Thread-safe.
    """

    def __init__(self, parts: tuple[str, ...]) -> None:
        if not parts:
            raise ValueError("a heartbeat needs at least one part")
        self._parts = frozenset(parts)
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._silent: frozenset[str] = frozenset()

    def beat(self, part: str) -> None:
        if part not in self._parts:
            raise ValueError(f"unknown heartbeat part: {part}")
        with self._lock:
            self._seen.add(part)

    def ping(self) -> bool:
        """Send ``WATCHDOG=1`` if every part beat since the last ping; True if sent."""
        with self._lock:
            missing = self._parts - self._seen
            self._seen.clear()
        if missing:
            if missing != self._silent:  # once per change, not every interval
                logger.warning("no sign of life from %s: not feeding the watchdog", sorted(missing))
            self._silent = frozenset(missing)
            return False
        self._silent = frozenset()
        return notify("WATCHDOG=1")
