"""Limits and file layout of the signaling server and its client, with their numbers.

Every number here is documented in docs/operations.md; change them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pairing.turnfiles import PSEUDONYM_KEY, TURN_DIR, TURN_SECRET
from signaling.errors import ServerConfigError

KIB = 1024


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Server limits. The defaults suit one school board's fleet on a small machine."""

    # Connections between accept and the certificate check: a TLS handshake costs CPU,
    # so strangers may hold only this many at once.
    max_pending: int = 64
    # ... and one source address only this many of them, so one machine that opens
    # connections and says nothing cannot hold every slot (kept in memory, never logged).
    max_pending_per_address: int = 8
    # A device's ClientHello follows its TCP connect at once; a connection silent for
    # this long is closed before any TLS work, so a silent slot is freed quickly.
    first_byte_timeout: float = 2.0
    handshake_timeout: float = 10.0
    # Refused connections: the first is logged at once, then one summary line per
    # interval at most, so a flood of strangers cannot fill the log.
    refusal_log_interval: float = 60.0
    # Authenticated connections (each one a paired device): bounds file descriptors
    # (the unit raises LimitNOFILE above it). 10,000 devices per instance is the target,
    # so the limit sits above it, not at it.
    max_connections: int = 12_000
    # TLS handshakes started per second (a handshake costs the server 2-3.5 ms of CPU):
    # a reconnect storm of every device waits in the accept queue instead of stalling
    # the relays of the devices that are up. The rate starts at handshake_rate and
    # follows the loop's spare time (signaling.pace): it grows toward
    # handshake_rate_max while the loop wakes within handshake_lag of when it asked,
    # and halves when it wakes later, down to handshake_rate_min: never slower than
    # the fixed budget that was measured (a floor of 30/s halved the connect rate on
    # a shared 2-core machine, docs/performance.md). A burst of 64 held the loop for
    # 60-90 ms at the start of a storm: 8 at most. At most handshake_in_flight
    # devices that spoke (or were just accepted) are in their TLS handshake at once:
    # 32 let a storm's handshakes arrive, and be worked, in clumps that held the loop
    # (and the devices' side) for 100-450 ms; with 8, 1,000 devices moved in 5.4-5.9 s
    # with relay p99 67-70 ms on a shared 2-core machine (docs/performance.md). More
    # when the devices are far (signaling.pace.InFlight): a handshake waits a round
    # trip for the device, and 8 at 100 ms would be 80 per second.
    handshake_rate: float = 150.0
    handshake_rate_min: float = 150.0
    handshake_rate_max: float = 300.0
    handshake_lag: float = 0.02
    handshake_burst: int = 8
    handshake_in_flight: int = 8
    # Threads that do the OpenSSL work of handshakes (signaling.handshakes), so the
    # event loop's thread keeps relaying meanwhile; 0: on the loop's thread.
    handshake_threads: int = 1
    # Connections whose end (or reset) was read ended per pass of the loop, when a
    # network fails under many at once (signaling.tlsends): each costs ~0.2 ms, spread
    # over the next few passes, and epoll reports all ends of a failure in one pass. 4
    # kept relay round trips at 16-22 ms (p50) while 10,000 ended, against seconds
    # when all ended at once (docs/performance.md); ending takes as long either way.
    ends_per_pass: int = 4
    # Steps of starting connections run per pass of the loop (signaling.turns): an
    # OpenSSL step back from its thread, the WebSocket's upgrade and hello, 1-3 ms
    # each. A storm made a dozen ready at once, and passes of 10-25 ms that every
    # relay waited behind (docs/performance.md, "Starts taken in turn").
    starts_per_pass: int = 2
    max_message: int = 64 * KIB
    rate: float = 20.0  # messages per second per connection, sustained
    burst: int = 50
    # Refused messages per window before the connection is closed as abusive.
    abuse_limit: int = 100
    abuse_window: float = 10.0
    heartbeat: float = 20.0  # WebSocket ping interval; no pong in half of it closes
    close_timeout: float = 2.0  # wait for the peer's close frame
    outbox: int = 64  # frames queued for a slow reader before it is closed
    crl_poll: float = 0.5
    expiry_sweep: float = 30.0
    shutdown_timeout: float = 5.0
    # A pass of the event loop longer than this holds every device: logged with how
    # much of it was garbage collection (signaling.stalls); with stall_stacks, also
    # what the loop was running (a watchdog thread; for diagnosis).
    stall_threshold: float = 0.1
    stall_stacks: bool = False
    # Stopping (SIGTERM) drains (signaling.drain): with other instances alive, devices
    # are told to move as fast as the others take them (each is without signaling for
    # about a second; a receiving instance takes ~250-300 a second, so 10,000 need
    # ~35-40 s); with none, spread over drain_spread seconds or more (devices /
    # handshake_rate_max, up to half of drain_timeout). The instance ends once they
    # have gone or after drain_timeout (the unit's TimeoutStopSec= is above it).
    drain_spread: float = 2.0
    drain_timeout: float = 45.0
    # TURN credentials (when the fleet folder holds a TURN secret): each lives this
    # long, at most an hour, and is renewed after two thirds of it.
    turn_lifetime: float = 3600.0

    def __post_init__(self) -> None:
        if not 0 < self.turn_lifetime <= 3600:
            raise ServerConfigError("turn_lifetime must be within (0, 3600] seconds")
        if self.ends_per_pass < 1:
            raise ServerConfigError("ends_per_pass must be at least 1")
        if self.starts_per_pass < 1:
            raise ServerConfigError("starts_per_pass must be at least 1")

    @property
    def turn_renew(self) -> float:
        return self.turn_lifetime * 2 / 3


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Device side: reconnect pacing and how much the server may send in one frame."""

    backoff_initial: float = 0.5
    backoff_max: float = 10.0
    connect_timeout: float = 10.0
    heartbeat: float = 20.0
    # A pushed CRL may be up to 512 KiB of PEM (pairing.revocation.MAX_CRL_PEM).
    max_message: int = 1024 * KIB
    max_payload: int = 60 * KIB  # leaves room for the envelope within 64 KiB


@dataclass(frozen=True, slots=True)
class FleetFiles:
    """The files the server reads from its data folder (as `fleet init` lays them out)."""

    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server-key.pem"

    @property
    def crl(self) -> Path:
        return self.folder / "crl.pem"

    @property
    def issued(self) -> Path:
        """Optional: with it, the server can purge its log of any revoked device."""
        return self.folder / "issued.json"

    @property
    def turn_secret(self) -> Path:
        """Optional: with it, devices get TURN credentials (``fleet turn`` writes it)."""
        return self.folder / TURN_DIR / TURN_SECRET

    @property
    def pseudonym_key(self) -> Path:
        return self.folder / TURN_DIR / PSEUDONYM_KEY

    def check(self) -> None:
        """Raise ServerConfigError naming every missing file (reads and writes nothing)."""
        if not self.folder.is_dir():
            raise ServerConfigError(f"no folder {self.folder}")
        missing = [p.name for p in (self.ca, self.server_cert, self.server_key, self.crl)]
        missing = [name for name in missing if not (self.folder / name).is_file()]
        if missing:
            raise ServerConfigError("missing " + ", ".join(missing))
