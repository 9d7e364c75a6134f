"""Per-request overhead of perfstack's ASGI middleware vs starlette-exporter and prometheus-fastapi-instrumentator.

Method (identical for all): one Starlette app with a single route ``/users/{id}``; each variant
adds its middleware with ``app.add_middleware``; requests are driven in-process by calling
the ASGI app directly (no sockets, so only the middleware differs). Rounds are interleaved
and the median round is reported; overhead = variant minus the bare app, in µs per request.

Run: ``.venv/bin/python bench/exporter_middleware.py [--requests N] [--rounds R]``
(needs the ``bench`` extra). The machine is shared, so read ratios, not absolute µs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from prometheus_client import CollectorRegistry  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import PlainTextResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from exporter import PerformanceMonitor, PrometheusMiddleware, RouteMatcher  # noqa: E402


async def user(request):
    return PlainTextResponse("ok")


def bare() -> Starlette:
    return Starlette(routes=[Route("/users/{id}", user)])


def with_perfstack() -> Starlette:
    app = bare()
    app.add_middleware(PrometheusMiddleware, monitor=PerformanceMonitor(registry=CollectorRegistry()))
    return app


def with_perfstack_matcher() -> Starlette:
    app = bare()
    app.add_middleware(PrometheusMiddleware, monitor=PerformanceMonitor(registry=CollectorRegistry()),
                       route_matcher=RouteMatcher(["/users/{id}"]))
    return app


def with_starlette_exporter() -> Starlette:
    from starlette_exporter import PrometheusMiddleware as StarletteExporterMiddleware

    app = bare()
    app.add_middleware(StarletteExporterMiddleware)
    return app


def with_instrumentator() -> Starlette:
    from prometheus_fastapi_instrumentator import Instrumentator

    app = bare()
    Instrumentator(registry=CollectorRegistry()).instrument(app)
    return app


async def drive(app, n: int) -> float:
    """Send ``n`` GET /users/{i} requests through ``app``; return seconds per request."""
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    start = time.perf_counter()
    for i in range(n):
        path = f"/users/{i % 1000}"
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                 "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
        await app(scope, receive, send)
    return (time.perf_counter() - start) / n


async def main(requests: int, rounds: int) -> None:
    variants = {"bare Starlette app": bare(), "perfstack PrometheusMiddleware": with_perfstack(),
                "perfstack + RouteMatcher": with_perfstack_matcher(),
                "starlette-exporter": with_starlette_exporter(),
                "prometheus-fastapi-instrumentator": with_instrumentator()}
    for app in variants.values():
        await drive(app, 500)  # warm up: build middleware stacks, create label children
    per_request = {name: [] for name in variants}
    for _ in range(rounds):
        for name, app in variants.items():
            per_request[name].append(await drive(app, requests))
    base = statistics.median(per_request["bare Starlette app"]) * 1e6
    print(f"requests per round: {requests}, rounds: {rounds} (median round shown)")
    print(f"{'variant':36} {'µs/request':>11} {'overhead µs':>12}")
    overhead = {}
    for name, samples in per_request.items():
        us = statistics.median(samples) * 1e6
        overhead[name] = us - base
        print(f"{name:36} {us:11.1f} {us - base:12.1f}")
    print("load average during the run (2 shared cores): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    ours = overhead["perfstack PrometheusMiddleware"]
    for peer in ("starlette-exporter", "prometheus-fastapi-instrumentator"):
        print(f"overhead ratio perfstack / {peer}: {ours / overhead[peer]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="requests per variant per round")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.rounds))
