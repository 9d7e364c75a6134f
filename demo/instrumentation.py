"""The one place the demo touches the exporter library, exactly as a user's service would.

A :class:`PerformanceMonitor` on an injected registry provides ``track_query`` and the cache
counters; the exporter's aiohttp middleware records the HTTP metrics and its handler serves
/metrics (OpenMetrics when the scraper asks).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CollectorRegistry

from exporter import PerformanceMonitor, aiohttp_metrics_handler, aiohttp_middleware
from perfstack.config import PerformanceConfig

__all__ = ["Instrumentation", "instrument"]


@dataclass(frozen=True, kw_only=True)
class Instrumentation:
    """The monitor, the middleware list and the /metrics handler for one registry."""

    monitor: PerformanceMonitor
    middlewares: tuple
    metrics: Callable[[web.Request], Awaitable[web.StreamResponse]]


def instrument(registry: CollectorRegistry, config: PerformanceConfig | None = None) -> Instrumentation:
    """Return the instrumentation of a service whose metrics live on ``registry``."""
    monitor = PerformanceMonitor(registry=registry, config=config)
    return Instrumentation(monitor=monitor, middlewares=(aiohttp_middleware(monitor),),
                           metrics=aiohttp_metrics_handler(monitor))
