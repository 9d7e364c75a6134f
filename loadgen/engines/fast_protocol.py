"""One keep-alive HTTP/1.1 client connection as an asyncio Protocol, parsing responses with llhttp.

Why a hand-written Protocol: a client library spends most of its ~80 µs per request on layers a load
generator does not need (streams, header multidicts, cookie jars). Here a request is one
``transport.write`` of cached bytes, and a response is a few llhttp callbacks that count the body
and resolve one future. Response headers are only parsed into Python objects when the caller
keeps the body (checks need it); the total timeout is one lazily re-armed timer per connection,
not one per request.
"""

from __future__ import annotations

import asyncio
import errno
import re
import ssl
import zlib
from math import inf
from typing import TYPE_CHECKING

from httptools import HttpParserError, HttpParserUpgrade, HttpResponseParser

from loadgen.engines.base import Response

if TYPE_CHECKING:
    from loadgen.engines.fast_pool import Pool

__all__ = ["Connection", "MAX_HEAD_BYTES", "RETRY", "error_class_for"]

# Result a reused connection gives when it died before any byte of the response arrived: the
# server had closed the idle connection, so the request is sent again once on a fresh one.
RETRY = Response(error_class="closed")

_RESET_ERRNOS = frozenset({errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED})
_IDLE, _HEAD, _BODY = 0, 1, 2  # waiting for: nothing, the final response head, the end of the body
_FRAMED = re.compile(rb"\r\n(?:content-length|transfer-encoding)[ \t]*:", re.IGNORECASE)
# A response head longer than this is refused: llhttp itself sets no limit (aiohttp's is ~8 KiB a line).
MAX_HEAD_BYTES = 1024 * 1024
# Lets the timer fire a little early (loops round their clock) without re-arming in a busy loop.
_TIMER_SLACK = 0.001


class _Stop(Exception):
    """Raised inside a parser callback to abandon the response (too large, unsolicited)."""


def error_class_for(exc: BaseException | None) -> str:
    """Return the engine error class for an exception that ended a connection."""
    if exc is None:
        return "closed"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "tls"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "reset"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, OSError) and exc.errno in _RESET_ERRNOS:
        return "reset"
    return "other"  # e.g. EHOSTUNREACH, ENETUNREACH: as the aiohttp engine classifies them


def _has_framing(head: bytes) -> bool:
    """Return True when a response head declares Content-Length or Transfer-Encoding."""
    end = head.find(b"\r\n\r\n")
    return bool(_FRAMED.search(head, 0, len(head) if end < 0 else end + 2))


def _decode_body(body: bytes, headers: list[tuple[str, str]]) -> bytes:
    """Undo the content-coding (gzip, deflate, br) so checks see what aiohttp would show them.

    Raises ValueError when the body does not decode.
    """
    for name, value in headers:
        if name.lower() != "content-encoding" or not body:
            continue
        coding = value.strip().lower()
        try:
            if coding in ("gzip", "x-gzip"):
                return zlib.decompress(body, 16 + zlib.MAX_WBITS)
            if coding == "deflate":
                try:
                    return zlib.decompress(body)
                except zlib.error:
                    return zlib.decompress(body, -zlib.MAX_WBITS)
            if coding == "br":
                import brotli  # only advertised (fast_request.accepted_encodings) when installed

                return brotli.decompress(body)
        except Exception as exc:  # noqa: BLE001 - zlib.error, brotli.error: all mean "not decodable"
            raise ValueError(f"undecodable {coding} body") from exc
    return body


class _WithHeaders:
    """Parser callbacks that also collect headers; llhttp skips header callbacks without ``on_header``."""

    __slots__ = ("on_header", "on_headers_complete", "on_body", "on_message_complete")

    def __init__(self, conn: Connection) -> None:
        self.on_header = conn._on_header
        self.on_headers_complete = conn.on_headers_complete
        self.on_body = conn.on_body
        self.on_message_complete = conn.on_message_complete


class Connection(asyncio.Protocol):
    """One connection of a :class:`Pool`; serves one request at a time."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._loop = pool.loop
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self._lean = self._parser = HttpResponseParser(self)
        self._full: HttpResponseParser | None = None
        self._fut: asyncio.Future | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = inf
        self._deadline = inf
        self._served = False
        self._reset_request_state()

    def _reset_request_state(self) -> None:
        self._phase = _IDLE
        self._is_head = False
        self._reused = False
        self._got = False
        self._status = 0
        self._informational = False
        self._body_len = 0
        self._max_body = 0
        self._chunks: list[bytes] | None = None
        self._headers: list[tuple[str, str]] | None = None
        self._close_after = False
        self._eof_ok = False
        self._head_prefix = b""
        self._cur = b""
        self._error: str | None = None
        self._replace_parser = False

    # -- asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._fut is None:
            self.abort()  # bytes nobody asked for: the connection can no longer be trusted
            return
        self._got = True
        self._cur = data
        try:
            self._parser.feed_data(data)
        except HttpParserUpgrade:
            self._fail("protocol")
            return
        except HttpParserError:
            self._fail(self._error or "protocol")
            return
        if self._replace_parser:  # a HEAD response: llhttp still expects a body that will not come
            self._replace_parser = False
            self._new_parser(self._parser is self._full)
        elif self._phase == _HEAD:
            self._head_prefix += data
            if len(self._head_prefix) > MAX_HEAD_BYTES:
                self._fail("protocol")

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost decides what the EOF meant

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pool.discard(self)
        if self._fut is None:
            return
        if exc is None and self._phase == _BODY and self._eof_ok:
            self._finish()  # body delimited by the end of the connection
        elif self._reused and not self._got:
            self._resolve(RETRY)
        else:
            self._fail(error_class_for(exc))

    # -- llhttp callbacks -------------------------------------------------------------------

    def _on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        if self._fut is None or self._phase != _HEAD:
            raise _Stop
        parser = self._parser
        status = parser.get_status_code()
        if status < 200:  # 100 Continue, 103 Early Hints: llhttp ends them as bodiless messages
            self._informational = True
            if self._headers:
                self._headers.clear()
            return
        self._status = status
        self._phase = _BODY
        if not parser.should_keep_alive():
            self._close_after = True
            self._eof_ok = not _has_framing(self._head_prefix + self._cur)
        if self._is_head:
            self._replace_parser = True
            self._finish()

    def on_body(self, body: bytes) -> None:
        if self._fut is None:
            raise _Stop
        n = self._body_len + len(body)
        self._body_len = n
        if n > self._max_body:
            self._error = "body_too_large"
            raise _Stop
        if self._chunks is not None:
            self._chunks.append(body)

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        fut = self._fut
        if fut is None:
            if self._is_head:
                return  # a HEAD response already finished at its head
            raise _Stop
        if self._chunks is not None or self._close_after:
            self._finish()
            return
        # The common case, inlined: body counted not kept, connection reusable.
        self._fut = None
        self._phase = _IDLE
        self._head_prefix = b""
        pool = self._pool
        if pool.waiters:
            pool.release(self)
        else:
            pool.idle.append(self)
        try:
            fut.set_result(Response(self._status, b"", self._body_len))
        except asyncio.InvalidStateError:
            pass  # the caller was cancelled meanwhile

    # -- request lifecycle ------------------------------------------------------------------

    def start(self, fut: asyncio.Future, payload: bytes, is_head: bool, keep_body: bool, max_body: int,
              deadline: float, may_retry: bool) -> None:
        """Send one request; ``fut`` gets its :class:`Response`.

        With ``may_retry``, a connection that had served earlier requests and dies before any
        byte of this response arrives gives :data:`RETRY` instead, so the caller sends again once.
        """
        reused = may_retry and self._served
        self._served = True
        if self.lost or self.transport.is_closing():  # dropped while handed over, before connection_lost
            fut.set_result(RETRY if reused else Response(error_class="closed"))
            return
        self._fut = fut
        self._phase = _HEAD
        self._got = False
        self._body_len = 0
        self._is_head = is_head
        self._reused = reused
        self._max_body = max_body
        self._deadline = deadline
        if deadline < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = deadline
            self._timer = self._loop.call_at(deadline, self._on_timer)
        if keep_body:
            self._chunks = []
            self._headers = []
            if self._full is None or self._parser is not self._full:
                self._new_parser(True)
        elif self._parser is not self._lean:
            self._parser = self._lean
        self.transport.write(payload)

    def abort(self) -> None:
        """Drop the connection at once (RST); a request in flight fails with ``closed``.

        An idle connection leaves the pool now, not when ``connection_lost`` runs later, so no
        request can pick a transport that is already closing.
        """
        if self.transport is not None:
            self.transport.abort()
        if self in self._pool.idle:
            self._pool.idle.remove(self)

    def owns(self, fut: asyncio.Future) -> bool:
        """Return True while ``fut`` is this connection's request in flight."""
        return self._fut is fut

    def _new_parser(self, with_headers: bool) -> None:
        if with_headers:
            self._full = self._parser = HttpResponseParser(_WithHeaders(self))
        else:
            self._lean = self._parser = HttpResponseParser(self)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = inf
        if self._fut is None:
            return
        deadline = self._deadline
        if self._loop.time() + _TIMER_SLACK >= deadline:
            self._fail("timeout")
        else:
            self._timer_at = deadline
            self._timer = self._loop.call_at(deadline, self._on_timer)

    def _finish(self) -> None:
        chunks = self._chunks
        if chunks is None:
            response = Response(self._status, b"", self._body_len)
        else:
            headers = self._headers
            body = b"".join(chunks)
            try:
                body = _decode_body(body, headers)
            except ValueError:
                self._fail("protocol")
                return
            response = Response(self._status, body, self._body_len, None, tuple(headers))
        fut = self._fut
        close = self._close_after
        self._fut = None
        self._phase = _IDLE
        self._chunks = self._headers = None
        self._head_prefix = b""
        if close:
            self.transport.close()
        else:
            self._pool.release(self)
        if not fut.done():
            fut.set_result(response)

    def _fail(self, error_class: str) -> None:
        """End the request in flight with ``error_class`` and drop the connection."""
        fut = self._fut
        self._fut = None
        self._phase = _IDLE
        self._chunks = self._headers = None
        self._head_prefix = b""
        if not self.lost:
            self.abort()
        if fut is not None:
            self._resolve(Response(error_class=error_class), fut)

    def _resolve(self, response: Response, fut: asyncio.Future | None = None) -> None:
        fut = fut or self._fut
        self._fut = None
        self._phase = _IDLE
        if fut is not None and not fut.done():
            fut.set_result(response)
