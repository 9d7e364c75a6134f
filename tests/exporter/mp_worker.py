"""A worker process for the multiprocess test: serve N requests through the ASGI middleware.

Run as ``python -m tests.exporter.mp_worker N`` with PROMETHEUS_MULTIPROC_DIR set.
"""

import asyncio
import sys

from exporter import PerformanceMonitor, PrometheusMiddleware, RouteMatcher
from tests.exporter.helpers import asgi_request


async def ok(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def main(n: int) -> None:
    monitor = PerformanceMonitor()
    app = PrometheusMiddleware(ok, monitor=monitor, route_matcher=RouteMatcher(["/users/{id}"]))
    for i in range(n):
        await asgi_request(app, "GET", f"/users/{i}")
    monitor.cache_hit("users")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
