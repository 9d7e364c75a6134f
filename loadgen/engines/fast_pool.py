"""A per-origin pool of fast-engine connections: reuse idle ones, open up to a limit, queue past it.

Idle connections are a LIFO list (the warmest socket first); a released connection goes straight
to the oldest waiter, and a closed one hands its slot to a waiter, so nothing waits on a timer.
Connect failures become engine error classes here, the only place sockets are opened.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import deque

from loadgen.engines.base import Response
from loadgen.engines.fast_protocol import Connection, error_class_for
from loadgen.engines.fast_request import Origin

__all__ = ["Pool", "connect_error_class"]

_SLOT = object()     # a waiter's result: a connection closed, open a new one in its place
_EXPIRED = object()  # a waiter's result: the request's total deadline passed while queued


def connect_error_class(exc: BaseException) -> str:
    """Return the engine error class for an exception raised while opening a connection."""
    if isinstance(exc, socket.gaierror):
        return "dns"
    return error_class_for(exc)


def _expire(fut: asyncio.Future) -> None:
    if not fut.done():
        fut.set_result(_EXPIRED)


class Pool:
    """Connections to one origin, at most ``limit`` open (or opening) at a time."""

    def __init__(self, origin: Origin, *, limit: int, loop: asyncio.AbstractEventLoop,
                 ssl_context: ssl.SSLContext | None) -> None:
        self.origin = origin
        self.limit = limit
        self.loop = loop
        self.idle: list[Connection] = []
        self.open = 0
        self.connections: set[Connection] = set()
        self.waiters: deque[asyncio.Future] = deque()  # requests queued for a connection, oldest first
        self._ssl = ssl_context
        self._addresses: list[tuple] | None = None

    async def acquire(self, deadline: float, timeout_connect: float) -> Connection | Response:
        """Return an idle or new connection, or a Response carrying the error that prevented one."""
        if self.idle:
            return self.idle.pop()
        if self.open < self.limit:
            self.open += 1
            return await self._connect(deadline, timeout_connect)
        fut = self.loop.create_future()
        self.waiters.append(fut)
        timer = self.loop.call_at(deadline, _expire, fut)
        try:
            got = await fut
        except asyncio.CancelledError:
            self._pass_on(fut)
            raise
        finally:
            timer.cancel()
        if got is _EXPIRED:
            try:
                self.waiters.remove(fut)
            except ValueError:
                pass
            return Response(error_class="timeout")
        if got is _SLOT:
            return await self._connect(deadline, timeout_connect)
        return got

    def release(self, conn: Connection) -> None:
        """Take back a connection that finished a response and can be reused."""
        waiters = self.waiters
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(conn)
                return
        self.idle.append(conn)

    def discard(self, conn: Connection) -> None:
        """Forget a connection that closed, and let a waiter open a new one instead."""
        if conn not in self.connections:
            return
        self.connections.discard(conn)
        self.open -= 1
        try:
            self.idle.remove(conn)
        except ValueError:
            pass
        self._grant_slot()

    def close(self) -> None:
        """Abort every connection (requests in flight end with ``closed``)."""
        for conn in list(self.connections):
            conn.abort()

    def _grant_slot(self) -> None:
        waiters = self.waiters
        while waiters and self.open < self.limit:
            fut = waiters.popleft()
            if not fut.done():
                self.open += 1
                fut.set_result(_SLOT)
                return

    def _pass_on(self, fut: asyncio.Future) -> None:
        """Give back what a cancelled waiter was handed, so no connection or slot leaks."""
        if not fut.done() or fut.cancelled():
            try:
                self.waiters.remove(fut)
            except ValueError:
                pass
            return
        got = fut.result()
        if got is _SLOT:
            self.open -= 1
            self._grant_slot()
        elif isinstance(got, Connection):
            if got.lost:
                return
            self.release(got)

    async def _connect(self, deadline: float, timeout_connect: float) -> Connection | Response:
        """Open one connection (TCP, then TLS for https); the caller already counted it in ``open``."""
        loop = self.loop
        connect_deadline = min(loop.time() + timeout_connect, deadline)
        conn = Connection(self)
        try:
            async with asyncio.timeout_at(connect_deadline):
                await self._open(conn)
        except TimeoutError:
            self._abandon(conn)
            return Response(error_class="connect_timeout" if connect_deadline < deadline else "timeout")
        except asyncio.CancelledError:
            self._abandon(conn)
            raise
        except (OSError, ssl.CertificateError) as exc:
            self._abandon(conn)
            return Response(error_class=connect_error_class(exc))
        self.connections.add(conn)
        return conn

    def _abandon(self, conn: Connection) -> None:
        conn.lost = True
        if conn.transport is not None:
            conn.transport.abort()
        self.open -= 1
        self._grant_slot()

    async def _open(self, conn: Connection) -> None:
        origin = self.origin
        loop = self.loop
        if self._addresses is None:
            infos = await loop.getaddrinfo(origin.host, origin.port, type=socket.SOCK_STREAM)
            self._addresses = [info[4][:2] for info in infos]
        errors: list[OSError] = []
        for host, port in self._addresses:
            try:
                await loop.create_connection(
                    lambda: conn, host, port, ssl=self._ssl,
                    server_hostname=origin.host if self._ssl is not None else None)
                return
            except OSError as exc:
                errors.append(exc)
        refused = [e for e in errors if isinstance(e, ConnectionRefusedError)]
        raise refused[0] if len(refused) == len(errors) else errors[-1]
