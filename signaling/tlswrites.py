"""Large writes over TLS, one record at a time, so no connection keeps a large buffer.

asyncio's TLS protocol (``asyncio.sslproto.SSLProtocol``) encrypts everything the
application writes into its outgoing ``MemoryBIO`` before handing it to the socket.
OpenSSL's memory BIO keeps the capacity of the most it ever held (its ``BUF_MEM``
grows, never shrinks): a 160 kB CRL pushed to a device left 160 kB with that
connection for as long as it lived. Measured with the load benchmark: 264 instead of
90 kB per device with a CRL of 3,000 entries (docs/performance.md), and every later
CRL push to all devices would do the same to every connection at once.

Here a write larger than one TLS record is encrypted one record (16 KiB) at a time,
each handed to the socket before the next is made, so the BIO never holds more than
about one record. While the socket's own buffer is full (writing paused) the rest is
encrypted at once, as asyncio does: the bytes then wait in the BIO, in order, and
nothing is held back that a close could lose.

This overrides a private method of asyncio; ``signaling.handshakes.PINNED`` pins it
with the others, and without a match the listener uses asyncio's stock protocol.
"""

from __future__ import annotations

import asyncio.sslproto
import ssl
from typing import Any

RECORD = 16 * 1024  # TLS's largest record of plaintext

_SSLProtocol: Any = asyncio.sslproto.SSLProtocol  # private: typed loosely on purpose
_AGAIN = (ssl.SSLWantReadError, ssl.SSLSyscallError)  # as asyncio.sslproto treats them


class RecordWrites(_SSLProtocol):
    """asyncio's TLS protocol, writing large application data a record at a time."""

    def _do_write(self) -> None:
        try:
            while self._write_backlog:
                data = self._write_backlog[0]
                size = len(data)
                if size > RECORD and not self._ssl_writing_paused:
                    view = memoryview(data)
                    count = self._sslobj.write(view[:RECORD])
                    self._write_backlog[0] = view[count:]
                    self._write_buffer_size -= count
                    self._process_outgoing()  # this record leaves before the next is made
                    continue
                count = self._sslobj.write(data)
                if count < size:
                    self._write_backlog[0] = data[count:]
                    self._write_buffer_size -= count
                else:
                    del self._write_backlog[0]
                    self._write_buffer_size -= size
        except _AGAIN:
            pass
        self._process_outgoing()
