"""coturn inside the lab's `internet` namespace: started, waited for, stopped."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from netlab.errors import CoturnNotListening
from netlab.system import in_ns, stop_pids
from netlab.topology import TURN_IP

# What a fleet's turnserver.conf opens (docs/network.md): UDP and TCP 3478, TLS 443.
TURN_SOCKETS = (("udp", 3478), ("tcp", 3478), ("tcp", 443))


def _listening(ns: str) -> set[tuple[str, str, int]]:
    """(protocol, address, port) of every listening socket in ``ns``."""
    out = subprocess.run(
        in_ns(ns, ["ss", "-H", "-n", "-l", "-t", "-u"]),
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        address, _, port = fields[4].rpartition(":")
        if port.isdigit():
            found.add((fields[0], address.strip("[]"), int(port)))
    return found


class Coturn:
    """One ``turnserver -c CONFIG`` running in ``ns``; its output goes to ``log``."""

    def __init__(self, ns: str, config: Path, workdir: Path) -> None:
        self.log = workdir / "turnserver.out"
        argv = ["turnserver", "-c", str(config), "--pidfile", str(workdir / "turnserver.pid")]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                in_ns(ns, argv), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        self.ns = ns

    def wait_listening(
        self, sockets: Iterable[tuple[str, int]] = TURN_SOCKETS, *, timeout: float = 10.0
    ) -> None:
        """Return once coturn listens on TURN_IP on every one of ``sockets``."""
        wanted = {(proto, TURN_IP, port) for proto, port in sockets}
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise CoturnNotListening(f"turnserver stopped: {self._tail()}")
            if wanted <= _listening(self.ns):
                return
            if time.monotonic() > deadline:
                self.stop()
                raise CoturnNotListening(f"not listening after {timeout:.0f} s: {self._tail()}")
            time.sleep(0.05)

    def _tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return " | ".join(lines[-3:])[:400]

    def stop(self) -> None:
        """Stop coturn and reap it."""
        if self.process.poll() is None:
            stop_pids([self.process.pid])
        self.process.wait(timeout=5)
