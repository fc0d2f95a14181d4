"""Accepting TCP connections ourselves, so strangers cost as little as possible.

``loop.create_server(ssl=...)`` starts a TLS handshake for every accepted socket and
reports a failed one to nobody. Accepting here and handing each socket to
``loop.connect_accepted_socket`` instead lets us (1) close a socket beyond the
pending-handshake limit before any TLS work, and (2) count handshakes exactly:
the await ends when the handshake succeeds, fails or times out.

Silent connections (TCP open, no ClientHello) were the cheap way to hold every slot.
Two things stop that: a connection whose first byte does not come within
``first_byte_timeout`` is closed before TLS starts, and one source address holds at
most ``max_pending_per_address`` slots. The address is kept only as a dictionary key
while its connections are pending (an IPv6 source counts per /64, the block one
machine gets); it is never logged, stored or passed on.

A reconnect storm of real devices is paced, not refused: handshakes start at a
rate that follows the loop's spare time (:mod:`signaling.pace`, from
``handshake_rate`` per second between its floor and ceiling), and while
``handshake_in_flight`` devices that spoke are in their TLS work (the CPU is the
limit) nothing more is accepted; the others wait in the kernel's accept queue and
are served in turn. Few at a time keeps the handshakes from arriving, and being
worked, in clumps: a pass of the loop that works many holds every relay.

The handshake itself (:func:`signaling.handshakes.accept_tls`) does its OpenSSL work
in ``handshake_threads`` worker threads, so the loop keeps relaying meanwhile. What
is left on the loop of starting a connection (wrapping the socket and reading the
ClientHello, each step back from the thread, the WebSocket's upgrade and hello)
waits its turn with the other connections' steps, ``starts_per_pass`` a pass
(:mod:`signaling.turns`): in a storm they are ready together.

A slot is taken at accept time, not when the handshake task first runs: awaiting
``sock_accept`` does not yield while connections are queued, so a burst would
otherwise be accepted whole before any task had counted itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from signaling.config import ServerConfig
from signaling.handshakes import accept_tls, supported
from signaling.pace import HandshakePace, InFlight
from signaling.refusals import RefusalLog, tls_reason
from signaling.tlsends import PacedEnds
from signaling.turns import Turns

logger = logging.getLogger(__name__)

ACCEPT_BACKOFF = 1.0  # after EMFILE and the like, as asyncio's own server does
BACKLOG = 1024  # connections waiting for the handshake budget stay in the kernel's queue
# Accepts in a row before the loop lets other tasks run: a flood of connections must
# not starve the connections that are already up.
ACCEPT_BATCH = 64
# How long an accepted connection that has not spoken counts as a handshake coming:
# a device sends its ClientHello at once; a silent one must not hold the budget.
FRESH = 0.1
# The name of the handshake worker threads (signaling.handshakes); a pool starts one at
# the first handshake, so a server started before looks at its threads has one more after.
HANDSHAKE_THREADS = "tls-handshake"


class Listener:
    def __init__(
        self,
        factory: Callable[[], asyncio.Protocol],
        ssl_context: ssl.SSLContext,
        config: ServerConfig,
        refusals: RefusalLog,
    ) -> None:
        self._factory = factory
        self._ssl = ssl_context
        self._config = config
        self._refusals = refusals  # TLS-level refusals, shared with the gate's
        self._busy = RefusalLog(logging.WARNING, config.refusal_log_interval)
        self._sockets: list[socket.socket] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.pending = 0  # accepted, TLS handshake not finished
        # ... of which the client has spoken: the TLS work itself, bound by our CPU
        self.working = 0
        # ... and those accepted in the last FRESH seconds that have not spoken yet: a
        # device speaks at once, and a burst is accepted before any of them could
        self.fresh = 0
        # at least handshake_in_flight, more for far devices (signaling.pace.InFlight),
        # never more than half the pending slots: the rest are for the first-byte check
        self.in_flight = InFlight(config.handshake_in_flight, config.max_pending // 2)
        self._by_source: dict[str, int] = {}  # pending per source; emptied as they end
        # the OpenSSL work of handshakes, off the loop's thread (signaling.handshakes)
        self._pool = (
            ThreadPoolExecutor(config.handshake_threads, thread_name_prefix=HANDSHAKE_THREADS)
            if config.handshake_threads > 0 and supported()  # else says so, once
            else None
        )
        # connections whose end (or reset) was read, ended a few per pass
        # (signaling.tlsends)
        self.ends: PacedEnds | None = None
        # the steps of starting connections, a few per pass (signaling.turns): the
        # first after the first byte, each OpenSSL step back from the pool, the
        # WebSocket's upgrade (signaling.server)
        self.starts: Turns | None = None
        self.pace = HandshakePace(
            config.handshake_rate,
            floor=config.handshake_rate_min,
            ceiling=config.handshake_rate_max,
            burst=config.handshake_burst,
            lag_target=config.handshake_lag,
        )

    def _ends(self) -> PacedEnds:
        if self.ends is None:
            self.ends = PacedEnds(asyncio.get_running_loop(), self._config.ends_per_pass)
        return self.ends

    def _starts(self) -> Turns:
        if self.starts is None:
            loop, per_pass = asyncio.get_running_loop(), self._config.starts_per_pass
            self.starts = Turns(loop, per_pass, "starting a connection")
        return self.starts

    async def turn(self) -> None:
        """Wait for a turn among the steps of starting connections."""
        await self._starts().turn()

    @property
    def serving(self) -> bool:
        return bool(self._sockets)

    async def start(self, host: str, port: int) -> int:
        """Bind every address ``host`` resolves to; return the bound port."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in infos:
            where = address
            if self._sockets:  # later addresses take the first one's port (matters for 0)
                where = (address[0], self._sockets[0].getsockname()[1], *address[2:])
            self._sockets.append(_bind(family, kind, proto, where))
        for sock in self._sockets:
            self._spawn(self._accept_loop(sock))
        return int(self._sockets[0].getsockname()[1])

    def _spawn(self, coro: object) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept_loop(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        in_a_row = 0
        while True:
            # The handshake budget (signaling.pace): a token comes back every 1/rate
            # seconds, so polling at that pace is exact and cheap, and how late each
            # poll wakes tells the pace how busy the loop is. While handshake_in_flight
            # devices are in their TLS work the CPU is the limit (a reconnect storm):
            # the rest wait in the kernel's queue rather than be accepted and closed,
            # and the handshakes do not pile up into passes that hold every relay.
            # A silent connection counts for FRESH at most: those are refused.
            while (
                self.working + self.fresh >= self.in_flight.bound(self.pace.rate)
                or not self.pace.take()
            ):
                await self._poll(loop)
            try:
                conn, address = await loop.sock_accept(sock)
            except OSError as exc:
                logger.warning("accept failed: %s", exc.strerror or type(exc).__name__)
                await asyncio.sleep(ACCEPT_BACKOFF)
                continue
            source = _source(address)
            if self.pending >= self._config.max_pending:
                conn.close()
                self._busy.note(f"too many handshakes ({self._config.max_pending} pending)")
            elif self._by_source.get(source, 0) >= self._config.max_pending_per_address:
                conn.close()
                self._busy.note("too many handshakes from one address")
            else:
                self.pending += 1  # counted now: see the module docstring
                self.fresh += 1
                self._by_source[source] = self._by_source.get(source, 0) + 1
                self._spawn(self._handshake(conn, source))
            in_a_row += 1
            if self.pending >= self._config.max_pending // 2:
                # a moment for the new ones' first-byte check: a device that spoke
                # counts as working above, and the loop then waits for the CPU
                in_a_row = 0
                await self._poll(loop)
            elif in_a_row >= ACCEPT_BATCH:
                in_a_row = 0
                await asyncio.sleep(0)

    async def _poll(self, loop: asyncio.AbstractEventLoop) -> None:
        wait = self.pace.wait
        asked, cpu = loop.time(), time.thread_time()
        await asyncio.sleep(wait)
        # the CPU this thread used meanwhile tells our own work from a busy machine
        self.pace.woke(loop.time() - asked - wait, busy=time.thread_time() - cpu)

    async def _handshake(self, conn: socket.socket, source: str) -> None:
        fresh = True

        def stale() -> None:  # spoke, or silent for FRESH: no longer counted as coming
            nonlocal fresh
            if fresh:
                fresh = False
                self.fresh -= 1

        timer = asyncio.get_running_loop().call_later(FRESH, stale)
        try:
            try:
                spoke = await _first_byte(conn, self._config.first_byte_timeout)
            except BaseException:  # cancelled at shutdown: asyncio does not own it yet
                conn.close()
                raise
            finally:
                timer.cancel()
                stale()
            if not spoke:
                conn.close()
                self._refusals.note("silent connection")
                return
            self.working += 1
            try:
                try:
                    await self.turn()  # wrapping it and reading the ClientHello
                except BaseException:  # cancelled at shutdown: asyncio does not own it yet
                    conn.close()
                    raise
                began = time.monotonic()
                await accept_tls(
                    self._factory, conn, self._ssl, self._config.handshake_timeout, self._pool,
                    ends=self._ends(), starts=self._starts(),
                )  # fmt: skip
                self.in_flight.took(time.monotonic() - began)
            finally:
                self.working -= 1
        except (OSError, EOFError) as exc:  # SSLError is an OSError; asyncio closed the socket
            self._refusals.note(tls_reason(exc))
        finally:
            self.pending -= 1
            left = self._by_source.pop(source, 1) - 1
            if left > 0:
                self._by_source[source] = left

    async def close(self) -> None:
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()
        self._busy.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # a task cancelled before it ran never gave back
        self.pending = self.working = self.fresh = 0
        self._by_source.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _source(address: object) -> str:
    """The key a source's pending handshakes are counted under: the IPv4 address, or
    the /64 of an IPv6 one (a single machine often holds a whole /64)."""
    host = address[0] if isinstance(address, tuple) and address else address
    try:
        ip = ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return str(host)  # e.g. a Unix socket: one source
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


async def _first_byte(conn: socket.socket, within: float) -> bool:
    """True once the client has sent something; False on silence or a close.

    Waits for readability without reading, so TLS later sees the ClientHello whole.
    """
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    try:
        loop.add_reader(conn.fileno(), readable)
    except NotImplementedError:  # an event loop without readers (Windows' proactor)
        return True
    try:
        async with asyncio.timeout(within):
            await ready
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(conn.fileno())
    try:
        return bool(conn.recv(1, socket.MSG_PEEK))  # b"": closed before saying anything
    except BlockingIOError:
        return True
    except OSError:
        return False


def _bind(family: int, kind: int, proto: int, address: tuple[object, ...]) -> socket.socket:
    sock = socket.socket(family, kind, proto)
    try:
        if hasattr(socket, "SO_REUSEADDR") and socket.SO_REUSEADDR and family != socket.AF_UNIX:
            # restart on the same port while old connections sit in TIME_WAIT
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock
