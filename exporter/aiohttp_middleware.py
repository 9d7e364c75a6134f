"""aiohttp middleware recording the HTTP server metrics, plus a ``/metrics`` handler.

The route label is the resource's canonical template (``/users/{id}``); requests no
resource matched (404/405 from the router) are ``__unmatched__``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from aiohttp import web

from exporter.app_metrics import UNMATCHED_ROUTE, normalize_method
from exporter.monitor import PerformanceMonitor

__all__ = ["aiohttp_middleware", "aiohttp_metrics_handler", "add_aiohttp_metrics_route"]


def _route(request: web.Request) -> str:
    match_info = request.match_info
    route = getattr(match_info, "route", None)
    resource = getattr(route, "resource", None)
    if resource is None or getattr(match_info, "http_exception", None) is not None:
        return UNMATCHED_ROUTE
    return resource.canonical


def aiohttp_middleware(monitor: PerformanceMonitor, *, exclude_paths: Iterable[str] = ("/metrics",),
                       clock: Callable[[], float] = time.perf_counter) -> Callable:
    """Return a middleware for ``web.Application(middlewares=[...])`` that records every request."""
    excluded = frozenset(exclude_paths)

    @web.middleware
    async def middleware(request: web.Request, handler: Callable) -> web.StreamResponse:
        if request.path in excluded:
            return await handler(request)
        method = normalize_method(request.method)
        active = monitor.metrics.active(method)
        active.inc()
        status, response_bytes = 500, 0
        start = clock()
        try:
            response = await handler(request)
            status = response.status
            response_bytes = response.content_length or getattr(response, "body_length", 0) or 0
            return response
        except web.HTTPException as exc:
            status = exc.status
            response_bytes = len(exc.text or "") if exc.text else 0
            raise
        finally:
            elapsed = clock() - start
            active.dec()
            monitor.observe_request(method, _route(request), status, elapsed,
                                    request.content_length or 0, response_bytes)

    return middleware


def aiohttp_metrics_handler(monitor: PerformanceMonitor) -> Callable:
    """Return a handler serving the monitor's metrics (OpenMetrics when the scraper asks)."""

    async def handler(request: web.Request) -> web.Response:
        body, content_type = monitor.render(request.headers.get("Accept"))
        return web.Response(body=body, headers={"Content-Type": content_type})

    return handler


def add_aiohttp_metrics_route(app: web.Application, monitor: PerformanceMonitor, path: str = "/metrics") -> None:
    """Mount the monitor's metrics at ``path`` on ``app``."""
    app.router.add_get(path, aiohttp_metrics_handler(monitor))
