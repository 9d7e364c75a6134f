"""The default engine: an aiohttp ``ClientSession`` with keep-alive and per-request timeouts.

It serves every scenario (TLS, proxies from the environment, any body) at ~12k req/s per core;
``fast`` is the engine to pick when the client itself is the limit. Every failure becomes a
:class:`~loadgen.engines.base.Response` with an ``error_class`` from ``ERROR_CLASSES`` so the
pipeline never sees an exception other than cancellation.
"""

from __future__ import annotations

import asyncio
import errno

import aiohttp

from loadgen.engines.base import RequestSpec, Response
from loadgen.engines.deadlines import Deadlines

__all__ = ["AiohttpEngine", "classify_exception"]

_RESET_ERRNOS = {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED}


def _chain(exc: BaseException):
    """Yield ``exc`` and every exception it was raised from or during."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _classify_os_error(exc: OSError) -> str | None:
    if isinstance(exc, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED:
        return "refused"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)) or exc.errno in _RESET_ERRNOS:
        return "reset"
    return None


def classify_exception(exc: BaseException) -> str:
    """Return the ``ERROR_CLASSES`` key for an exception raised by aiohttp during one request."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "connect_timeout"
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "dns"
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError)):
        return "tls"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "protocol"  # status is never raised for (raise_for_status is off): this is a parse error
    for link in _chain(exc):
        if isinstance(link, OSError):
            found = _classify_os_error(link)
            if found:
                return found
        if isinstance(link, aiohttp.ClientConnectorError):
            found = _classify_os_error(link.os_error)
            if found:
                return found
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "closed"
    if isinstance(exc, aiohttp.ClientPayloadError):
        text = str(exc).lower()  # aiohttp keeps the underlying reset only in the message
        if "reset" in text:
            return "reset"
        return "protocol" if ("invalid" in text or "malformed" in text) else "closed"
    if isinstance(exc, aiohttp.ClientConnectionResetError):
        return "reset"
    if type(exc).__module__.startswith("aiohttp.http_exceptions") or "BadStatusLine" in type(exc).__name__:
        return "protocol"
    return "other"


class AiohttpEngine:
    """Send requests over one shared keep-alive ``ClientSession`` capped at ``max_connections``."""

    name = "aiohttp"

    def __init__(self, *, max_connections: int) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float, float], aiohttp.ClientTimeout] = {}
        self._deadlines = Deadlines()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # every engine is stateless between requests
                raise_for_status=False,
                auto_decompress=True,
            )
        return self._session

    def _timeout(self, spec: RequestSpec) -> aiohttp.ClientTimeout:
        key = (spec.timeout_total, spec.timeout_connect)
        timeout = self._timeouts.get(key)
        if timeout is None:
            # total is enforced by self._deadlines (one timer for all requests); connect stays per request
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=spec.timeout_connect)
            self._timeouts[key] = timeout
        return timeout

    async def send(self, spec: RequestSpec) -> Response:
        """Send one request; failures come back as ``Response(error_class=...)``."""
        session = self._get_session()
        task = self._deadlines.start(spec.timeout_total)
        try:
            async with session.request(
                spec.method, spec.url, headers=spec.headers or None, data=spec.body,
                timeout=self._timeout(spec), allow_redirects=False,
            ) as resp:
                status = resp.status
                headers = tuple(resp.headers.items()) if spec.keep_body else ()
                length = resp.content_length
                if length is not None and length > spec.max_body_bytes:
                    resp.close()
                    return Response(status=status, error_class="body_too_large", headers=headers)
                if length is not None:
                    body = await resp.read()
                    return Response(status=status, body=body if spec.keep_body else b"",
                                    bytes_received=len(body), headers=headers)
                return await self._read_unknown_length(resp, spec, status, headers)
        except asyncio.CancelledError:
            if self._deadlines.expired(task):
                task.uncancel()
                return Response(error_class="timeout")
            raise
        except Exception as exc:  # noqa: BLE001 - the seam promises never to raise for request failures
            return Response(error_class=classify_exception(exc))
        finally:
            self._deadlines.finish(task)

    @staticmethod
    async def _read_unknown_length(resp: aiohttp.ClientResponse, spec: RequestSpec, status: int,
                                   headers: tuple[tuple[str, str], ...]) -> Response:
        """Read a chunked or close-delimited body, stopping at ``max_body_bytes``."""
        chunks: list[bytes] = []
        received = 0
        async for chunk in resp.content.iter_chunked(65536):
            received += len(chunk)
            if received > spec.max_body_bytes:
                resp.close()
                return Response(status=status, bytes_received=received, error_class="body_too_large", headers=headers)
            if spec.keep_body:
                chunks.append(chunk)
        return Response(status=status, body=b"".join(chunks), bytes_received=received, headers=headers)

    async def aclose(self) -> None:
        """Close the session and its connections."""
        self._deadlines.close()
        if self._session is not None:
            await self._session.close()
            self._session = None
