"""The benchmark's devices do their TLS handshakes' OpenSSL work in a thread
(``--device-tls-threads``), as the server does its side (signaling.handshakes).

Why: in the field every device is a machine of its own, and one device's
handshake never holds another device's relays. Here 2,000 devices share one
event loop, and during a move the handshakes of the 1,000 that move held the
benchmark's loop (25-40 stalls over 20 ms), and so the round trips of the pairs
that stayed, which the storm target measures (docs/performance.md). Off the loop,
those round trips say more about the server and less about the benchmark. The
CPU is the same, on the same two cores.

How: aiohttp's connector calls ``loop.create_connection(factory, ssl=context,
server_hostname=..., sock=sock)``; this loop's ``create_connection`` is wrapped so
that such a call gets a plain connection whose protocol is the threaded TLS
protocol, and returns what asyncio would: the TLS transport and the app protocol.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from signaling.handshakes import ThreadedTLS, supported

HANDSHAKE_TIMEOUT = 60.0  # asyncio's default for a client


def thread_device_handshakes(loop: asyncio.AbstractEventLoop, threads: int) -> bool:
    """From now on, TLS connections this loop makes do their handshakes in ``threads``
    threads. False (nothing changed) if asyncio is not the one the server's
    threaded handshake was written for."""
    if threads <= 0 or not supported():
        return False
    pool = ThreadPoolExecutor(threads, thread_name_prefix="device-tls")
    plain = loop.create_connection

    async def create_connection(
        factory: Callable[[], asyncio.BaseProtocol], *args: Any, **kwargs: Any
    ) -> tuple[asyncio.BaseTransport, asyncio.BaseProtocol]:
        context = kwargs.pop("ssl", None)
        if not isinstance(context, ssl.SSLContext) or kwargs.get("sock") is None:
            return await plain(factory, *args, ssl=context, **kwargs)
        hostname = kwargs.pop("server_hostname", None)
        kwargs.pop("ssl_handshake_timeout", None)
        kwargs.pop("ssl_shutdown_timeout", None)
        waiter: asyncio.Future[None] = loop.create_future()
        app = factory()
        tls = ThreadedTLS(
            loop, app, context, waiter, pool=pool,
            handshake_timeout=HANDSHAKE_TIMEOUT, server_hostname=hostname or "localhost",
        )  # fmt: skip
        transport, _ = await plain(lambda: tls, *args, **kwargs)
        try:
            await waiter
        except BaseException:
            transport.abort()
            raise
        return tls._app_transport, app

    loop.create_connection = create_connection  # type: ignore[method-assign,assignment]
    return True
