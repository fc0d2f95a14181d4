"""An asyncio loop on its own thread inside a network namespace.

Network namespaces are per thread: the thread enters the namespace with
``setns`` before it makes its loop, so every socket the loop opens lives there
(a socket keeps the namespace it was made in), and so do the threads of the loop's
default executor, which the loop thread starts and which inherit its namespace.
The calling thread is never moved.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from netlab.errors import LabCommandFailed

T = TypeVar("T")

NETNS_DIR = Path("/run/netns")


class NamespaceLoop:
    """A running event loop whose thread sits in the namespace ``ns``."""

    loop: asyncio.AbstractEventLoop

    def __init__(self, ns: str) -> None:
        self.ns = ns
        ready: concurrent.futures.Future[asyncio.AbstractEventLoop] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._main, args=(ready,), name=f"netns-{ns}", daemon=True
        )
        self._thread.start()
        self.loop = ready.result(timeout=10)
        self._closed = False

    def _main(self, ready: concurrent.futures.Future[asyncio.AbstractEventLoop]) -> None:
        try:
            fd = os.open(NETNS_DIR / self.ns, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.setns(fd, os.CLONE_NEWNET)
            finally:
                os.close(fd)
            loop = asyncio.new_event_loop()
        except OSError as exc:
            ready.set_exception(LabCommandFailed(f"setns {self.ns}: {exc.strerror}"))
            return
        asyncio.set_event_loop(loop)
        ready.set_result(loop)
        try:
            loop.run_forever()
        finally:
            self._finish(loop)

    @staticmethod
    def _finish(loop: asyncio.AbstractEventLoop) -> None:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop; its result arrives in the returned future."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop and block for its result (or its exception).

        On a timeout the coroutine is cancelled and ``TimeoutError`` raised.
        """
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no result from the loop in {self.ns} in {timeout} s") from None

    def call(self, fn: Callable[..., object], *args: object) -> None:
        """Call ``fn(*args)`` on the loop's thread, soon."""
        self.loop.call_soon_threadsafe(fn, *args)

    def running(self) -> bool:
        """Whether the loop's thread is still alive."""
        return self._thread.is_alive()

    def close(self) -> None:
        """Cancel the loop's tasks, stop it and join its thread. Idempotent."""
        if self._thread is threading.current_thread():
            raise RuntimeError("a NamespaceLoop cannot close itself from its own thread")
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(RuntimeError):  # already closed
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
