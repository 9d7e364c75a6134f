"""Host and application metrics for Prometheus: a standalone exporter and a library for services.

Instrument an aiohttp app::

    from aiohttp import web
    from exporter import PerformanceMonitor, aiohttp_middleware, add_aiohttp_metrics_route

    monitor = PerformanceMonitor()                 # own registry; pass registry=... to share one
    app = web.Application(middlewares=[aiohttp_middleware(monitor)])
    app.router.add_get("/users/{id}", get_user)    # recorded as route="/users/{id}"
    add_aiohttp_metrics_route(app, monitor)        # GET /metrics (excluded from the HTTP metrics)

Instrument any ASGI app (FastAPI/Starlette need no extra glue)::

    from exporter import PerformanceMonitor, PrometheusMiddleware, RouteMatcher

    monitor = PerformanceMonitor()
    fastapi_app.add_middleware(PrometheusMiddleware, monitor=monitor, metrics_path="/metrics")
    # a raw ASGI app has no router, so say which templates exist:
    app = PrometheusMiddleware(raw_app, monitor=monitor, route_matcher=RouteMatcher(["/users/{id}"]))

Inside handlers::

    async with monitor.track_query("postgresql", "select"):
        rows = await db.fetch(...)
    monitor.cache_hit("users") if cached else monitor.cache_miss("users")
    async with monitor.measure_time("render"):
        ...
    monitor.record_metric("api_response_time", 150.5)

Run the host exporter with ``python -m exporter --listen 127.0.0.1:9101``; see ``docs/metrics.md``
for every metric and ``--help`` for the flags.
"""

from exporter.aiohttp_middleware import add_aiohttp_metrics_route, aiohttp_metrics_handler, aiohttp_middleware
from exporter.app_metrics import UNMATCHED_ROUTE
from exporter.asgi import PrometheusMiddleware
from exporter.definitions import DB_DURATION_BUCKETS, HTTP_DURATION_BUCKETS, MetricDef
from exporter.health import HealthObservations, judge_health
from exporter.monitor import PerformanceMonitor
from exporter.routes import RouteMatcher
from exporter.thresholds import Threshold, ThresholdEvent

__all__ = [
    "PerformanceMonitor",
    "PrometheusMiddleware",
    "RouteMatcher",
    "aiohttp_middleware",
    "aiohttp_metrics_handler",
    "add_aiohttp_metrics_route",
    "Threshold",
    "ThresholdEvent",
    "HealthObservations",
    "judge_health",
    "MetricDef",
    "HTTP_DURATION_BUCKETS",
    "DB_DURATION_BUCKETS",
    "UNMATCHED_ROUTE",
]
