"""The ``fast`` engine: HTTP/1.1 on raw asyncio Protocols and llhttp, several times aiohttp's rate.

A request costs a cache lookup, a pooled connection, one ``transport.write`` of bytes serialized
once per distinct (method, url, headers, body), one future, and a few llhttp callbacks. It speaks
plain HTTP/1.1 only: scenarios that need redirects, cookies or proxies stay on aiohttp, and
:func:`unsupported_reason` says why so the CLI can tell the user.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable

from loadgen.engines.base import RequestSpec, Response
from loadgen.engines.fast_pool import Pool
from loadgen.engines.fast_protocol import RETRY
from loadgen.engines.fast_request import Origin, RequestSerializer

__all__ = ["FastEngine", "unsupported_reason"]

# Distinct requests kept serialized; past this (placeholders filled from a big data file) the cache
# starts over, so memory stays flat over long runs.
_CACHE_LIMIT = 4096

# Scenario options only aiohttp implements, as (attribute, why fast cannot serve it).
_AIOHTTP_ONLY = (
    ("follow_redirects", "follows redirects"),
    ("allow_redirects", "follows redirects"),
    ("cookies", "keeps cookies"),
    ("cookie_jar", "keeps cookies"),
    ("proxy", "goes through a proxy"),
    ("proxies", "goes through a proxy"),
)


def unsupported_reason(scenario: object) -> str | None:
    """Return why the fast engine cannot run ``scenario``, or None when it can.

    Reads the scenario's options by attribute name, so any scenario object (or a mapping) works.
    """
    get: Callable[[str], object]
    get = scenario.get if isinstance(scenario, dict) else (lambda name: getattr(scenario, name, None))
    for attribute, what in _AIOHTTP_ONLY:
        if get(attribute):
            return f"the scenario {what} ({attribute}), which only the aiohttp engine supports"
    return None


class FastEngine:
    """An :class:`~loadgen.engines.base.Engine` on asyncio Protocols (uvloop when the loop is uvloop)."""

    name = "fast"

    def __init__(self, *, max_connections: int, ssl_context: ssl.SSLContext | None = None) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self._ssl_context = ssl_context
        self._pools: dict[Origin, Pool] = {}
        self._cache: dict[tuple, tuple[Pool, bytes, bool]] = {}
        self._serializer = RequestSerializer()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def connections_opened(self) -> int:
        """Return how many connections are open now, over all origins."""
        return sum(pool.open for pool in self._pools.values())

    async def send(self, spec: RequestSpec) -> Response:
        """Send one request and return its Response; network and protocol failures set error_class."""
        prepared = self._cache.get((spec.method, spec.url, spec.headers, spec.body))
        if prepared is None:
            prepared = self._prepare(spec)
            if prepared is None:
                return Response(error_class="other")
        pool, payload, is_head = prepared
        loop = self._loop
        deadline = loop.time() + spec.timeout_total
        may_retry = True
        conn = pool.idle.pop() if pool.idle else None
        while True:
            if conn is None:
                conn = await pool.acquire(deadline, spec.timeout_connect)
                if conn.__class__ is Response:
                    return conn
            fut = loop.create_future()
            conn.start(fut, payload, is_head, spec.keep_body, spec.max_body_bytes, deadline, may_retry)
            try:
                response = await fut
            except asyncio.CancelledError:
                if conn.owns(fut):
                    conn.abort()
                raise
            if response is not RETRY:
                return response
            conn = None  # the server had closed this idle connection: send once more
            may_retry = False

    async def aclose(self) -> None:
        """Close every connection of every origin."""
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        self._cache.clear()
        self._loop = None
        await asyncio.sleep(0)  # let transports run connection_lost before the loop goes away

    def _prepare(self, spec: RequestSpec) -> tuple[Pool, bytes, bool] | None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        try:
            request = self._serializer.prepare(spec.method, spec.url, spec.headers, spec.body)
        except (ValueError, UnicodeError):
            return None
        pool = self._pools.get(request.origin)
        if pool is None:
            pool = Pool(request.origin, limit=self.max_connections, loop=self._loop,
                        ssl_context=self._ssl_for(request.origin))
            self._pools[request.origin] = pool
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        prepared = (pool, request.payload, request.is_head)
        self._cache[(spec.method, spec.url, spec.headers, spec.body)] = prepared
        return prepared

    def _ssl_for(self, origin: Origin) -> ssl.SSLContext | None:
        if not origin.tls:
            return None
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context
