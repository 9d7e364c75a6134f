"""A fault-injecting HTTP target on 127.0.0.1 for loadgen tests, run in a background thread.

Paths: ``/ok``, ``/json``, ``/echo`` (returns the request body), ``/slow?ms=N``, ``/hang`` (never
answers within any test timeout), ``/reset`` (headers and part of the body, then a TCP RST),
``/malformed`` (a garbage status line), ``/burst?period=S`` (503 in the first half of every
period), ``/status/{code}`` and ``/stall?period=S&length=S&offset=S`` (answers normally except
during ``length`` seconds of every ``period``, starting ``offset`` after the first request with the same ``key``, when
it holds every request until the stall ends). ``hits`` counts requests per path.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections import Counter

from aiohttp import web

__all__ = ["FaultTarget"]


class FaultTarget:
    """Start with ``with FaultTarget() as target:``; ``target.url`` is the base URL."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.bodies: list[bytes] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-target", daemon=True)
        self._runner: web.AppRunner | None = None
        self._stall_origin: dict[str, float] = {}

    def __enter__(self) -> FaultTarget:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        q = request.query
        if path == "/ok":
            return web.Response(text="ok")
        if path == "/json":
            return web.json_response({"status": "ok", "n": 1, "items": [{"id": 7}]})
        if path == "/echo":
            body = await request.read()
            self.bodies.append(body)
            return web.Response(body=body, headers={"X-Path-Query": request.path_qs})
        if path == "/slow":
            await asyncio.sleep(float(q.get("ms", "100")) / 1000.0)
            return web.Response(text="slow")
        if path == "/hang":
            await asyncio.sleep(3600)
        if path == "/reset":
            return await self._reset(request)
        if path == "/malformed":
            request.transport.write(b"HTTP/1.1 ABC this is not a status line\r\n\r\n")
            request.transport.close()
            return web.Response()
        if path == "/burst":
            period = float(q.get("period", "1"))
            if (time.monotonic() % period) < period / 2:
                return web.Response(status=503, text="busy")
            return web.Response(text="ok")
        if path.startswith("/status/"):
            return web.Response(status=int(path.rsplit("/", 1)[1]), text="status")
        if path == "/stall":
            return await self._stall(q)
        return web.Response(status=404, text="not found")

    async def _reset(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(status=200)
        resp.content_length = 100_000
        await resp.prepare(request)
        await resp.write(b"x" * 1000)
        sock = request.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        request.transport.abort()
        return resp

    async def _stall(self, q) -> web.Response:
        period, length, offset = float(q.get("period", "5")), float(q.get("length", "1")), float(q.get("offset", "1"))
        now = time.monotonic()
        origin = self._stall_origin.setdefault(q.get("key", ""), now)
        phase = (now - origin - offset) % period
        if now - origin >= offset and phase < length:
            await asyncio.sleep(length - phase)
        return web.Response(text="ok")
