"""Real HTTP servers on 127.0.0.1 for engine conformance tests.

Two kinds: an aiohttp app for well-formed behaviour (chunked, big bodies, HEAD, gzip, hangs) and a
scripted raw asyncio server for what no real framework sends (malformed heads, 1xx, resets,
closes at awkward moments). Both count the TCP connections they accepted, so tests can check
keep-alive reuse.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable

from aiohttp import web

__all__ = ["RawServer", "read_request", "serve_each", "rst_close", "start_app", "free_port", "BIG_SIZE"]

BIG_SIZE = 10 * 1024 * 1024
_BIG_BLOCK = b"x" * (1024 * 1024)


def free_port() -> int:
    """Return a loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def read_request(reader: asyncio.StreamReader) -> bytes | None:
    """Read one request (head and Content-Length body); None when the client closed first."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return head + body


def rst_close(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0) instead of a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


def serve_each(response: bytes, *, close_after: bool = False) -> Script:
    """Return a script answering every request on a connection with ``response``."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        while await read_request(reader) is not None:
            writer.write(response)
            await writer.drain()
            if close_after:
                return

    return script


class RawServer:
    """A scripted TCP server: each accepted connection runs ``script(reader, writer, index)``."""

    def __init__(self, script: Script, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._script = script
        self._ssl = ssl_context
        self.connections = 0
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        return f"{'https' if self._ssl else 'http'}://127.0.0.1:{self.port}"

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self._ssl)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = self.connections
        self.connections += 1
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            await self._script(reader, writer, index)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self._tasks.discard(task)
            if not writer.transport.is_closing():
                writer.close()


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="hello world\n")


async def _chunked(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    for i in range(int(request.query.get("n", "50"))):
        await response.write(f"chunk{i};".encode())
    await response.write_eof()
    return response


async def _big(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    response.content_length = BIG_SIZE
    await response.prepare(request)
    for _ in range(BIG_SIZE // len(_BIG_BLOCK)):
        await response.write(_BIG_BLOCK)
    await response.write_eof()
    return response


async def _status(request: web.Request) -> web.Response:
    return web.Response(status=int(request.match_info["code"]), text="status\n")


async def _echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read(), headers={"X-Method": request.method})


async def _hang(request: web.Request) -> web.Response:
    await asyncio.sleep(3600)
    return web.Response(text="never")


async def _gzip(request: web.Request) -> web.Response:
    response = web.Response(text='{"ok": true, "words": "' + "compress me " * 200 + '"}',
                            content_type="application/json")
    response.enable_compression(force=web.ContentCoding.gzip)
    return response


async def _close(request: web.Request) -> web.Response:
    return web.Response(text="bye\n", headers={"Connection": "close"})


async def start_app() -> tuple[web.AppRunner, str, set]:
    """Start the aiohttp target; return (runner, base URL, set of client ports seen)."""
    peers: set = set()

    @web.middleware
    async def count_peers(request: web.Request, handler):
        peers.add(request.transport.get_extra_info("peername"))
        return await handler(request)

    app = web.Application(middlewares=[count_peers])
    app.router.add_get("/ok", _ok)
    app.router.add_get("/chunked", _chunked)
    app.router.add_get("/big", _big)
    app.router.add_get("/status/{code}", _status)
    app.router.add_route("*", "/echo", _echo)
    app.router.add_get("/hang", _hang)
    app.router.add_get("/gzip", _gzip)
    app.router.add_get("/close", _close)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}", peers
