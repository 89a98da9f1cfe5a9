"""A TCP relay: what one side sends, the other receives.

Used between the host's loopback and a learner's jail, whose network namespace has no route to
the host (``learner_network.py``). Each accepted connection is paired with one the relay opens
through ``connect`` (an async callable returning a connected socket); bytes are copied as they
come, with back-pressure (a slow reader pauses the other side), half-closes passed on.

Relays run on an event loop of their own, on a thread of the hub's process (:func:`on_relay_loop`):
learners' traffic keeps flowing while the hub's own loop is busy (a login's password hash, a
database query), as it would through the proxy alone.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger("JupyterHub")

Connect = Callable[[], Awaitable[socket.socket]]
T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def relay_loop() -> asyncio.AbstractEventLoop:
    """The relays' event loop, started on a daemon thread on first use."""
    global _loop
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="nbcampus-relays", daemon=True).start()
            _loop = loop
        return _loop


async def on_relay_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the relays' loop and wait for it from the caller's loop."""
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, relay_loop()))


class _Side(asyncio.Protocol):
    """One end of a relayed connection; its peer is the other end."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.peer: _Side | None = None
        self.eof = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.write(data)

    def eof_received(self) -> bool:
        self.eof = True
        peer = self.peer
        if peer is None or peer.transport is None or peer.eof:
            return False  # both directions are done: close
        if peer.transport.can_write_eof():
            peer.transport.write_eof()
        return True  # keep the other direction open

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()

    # the peer cannot take more: stop reading until it can
    def pause_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.resume_reading()


class _Accepted(_Side):
    """An accepted connection: paused until the relay's own connection is made."""

    def __init__(self, connect: Connect, name: str) -> None:
        super().__init__()
        self._connect = connect
        self._name = name

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        transport.pause_reading()  # type: ignore[attr-defined]
        self._pairing = asyncio.ensure_future(self._pair())  # a reference keeps the task alive

    async def _pair(self) -> None:
        assert self.transport is not None
        try:
            sock = await self._connect()
            loop = asyncio.get_running_loop()
            _, other = await loop.create_connection(_Side, sock=sock)
        except OSError as e:
            log.debug("relay %s: cannot connect: %s", self._name, e)
            self.transport.close()
            return
        if self.transport.is_closing():
            other.transport.close()
            return
        self.peer, other.peer = other, self
        self.transport.resume_reading()


async def serve(listener: socket.socket, connect: Connect, name: str) -> asyncio.Server:
    """Accept connections on ``listener`` (bound and listening) and relay each to ``connect()``."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: _Accepted(connect, name), sock=listener)


async def connect_tcp(sock: socket.socket, host: str, port: int) -> socket.socket:
    """Connect the non-blocking ``sock`` to ``host:port``; close it if that fails."""
    try:
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
    except BaseException:
        sock.close()
        raise
    return sock
