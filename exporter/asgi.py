"""ASGI middleware recording the HTTP server metrics, with no framework import.

The route label comes, in order, from ``scope["route"]`` (FastAPI sets it), from the
Starlette router in ``scope["router"]`` (matched again after the response, duck-typed), from
a ``route_matcher`` the caller passes, and otherwise is ``__unmatched__`` — never the raw
path, which would make the label unbounded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from exporter.app_metrics import UNMATCHED_ROUTE, normalize_method
from exporter.monitor import PerformanceMonitor

__all__ = ["PrometheusMiddleware"]

_FULL_MATCH = 2  # starlette.routing.Match.FULL


def _scope_route(scope: dict) -> str | None:
    route = scope.get("route")
    if route is not None:
        return getattr(route, "path_format", None) or getattr(route, "path", None)
    router = scope.get("router")
    for candidate in getattr(router, "routes", ()) or ():
        matches = getattr(candidate, "matches", None)
        if matches is None:
            continue
        try:
            match, _ = matches(scope)
        except Exception:
            continue
        if getattr(match, "value", match) == _FULL_MATCH:
            return getattr(candidate, "path_format", None) or getattr(candidate, "path", None)
    return None


class PrometheusMiddleware:
    """Wrap an ASGI app: ``app.add_middleware(PrometheusMiddleware, monitor=monitor)`` or call directly.

    ``exclude_paths`` are passed through unrecorded (default ``/metrics``); with
    ``metrics_path`` set the middleware answers that path itself with the monitor's metrics.
    """

    def __init__(self, app: Callable, *, monitor: PerformanceMonitor,
                 route_matcher: Callable[[str], str | None] | None = None,
                 exclude_paths: Iterable[str] = ("/metrics",), metrics_path: str | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.app, self.monitor, self.route_matcher = app, monitor, route_matcher
        self.exclude_paths = frozenset(exclude_paths)
        self.metrics_path, self._clock = metrics_path, clock

    def _route(self, scope: dict) -> str:
        route = _scope_route(scope)
        if route is None and self.route_matcher is not None:
            route = self.route_matcher(scope.get("path", ""))
        return route or UNMATCHED_ROUTE

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path == self.metrics_path:
            await self._serve_metrics(scope, send)
            return
        if path in self.exclude_paths:
            await self.app(scope, receive, send)
            return
        method = normalize_method(scope.get("method", ""))
        declared = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    pass
                break
        status = 500
        request_bytes = response_bytes = 0

        async def counting_receive() -> dict[str, Any]:
            nonlocal request_bytes
            message = await receive()
            if message["type"] == "http.request":
                request_bytes += len(message.get("body", b""))
            return message

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status, response_bytes
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
            elif kind == "http.response.body":
                response_bytes += len(message.get("body", b""))
            await send(message)

        active = self.monitor.metrics.active(method)
        active.inc()
        start = self._clock()
        try:
            await self.app(scope, receive if declared is not None else counting_receive, send_wrapper)
        finally:
            elapsed = self._clock() - start
            active.dec()
            self.monitor.observe_request(method, self._route(scope), status, elapsed,
                                         declared if declared is not None else request_bytes, response_bytes)

    async def _serve_metrics(self, scope: dict, send: Callable) -> None:
        accept = ""
        for name, value in scope.get("headers", ()):
            if name == b"accept":
                accept = value.decode("latin-1")
        body, content_type = self.monitor.render(accept)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type.encode("latin-1")),
                                (b"content-length", str(len(body)).encode("ascii"))]})
        await send({"type": "http.response.body", "body": body})
