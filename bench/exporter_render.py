"""/metrics render time for an app with 200 routes × 3 methods × 5 status codes (goal < 50 ms).

Peer: prometheus-client's ``generate_latest`` over the same families created directly with
prometheus-client (the code most services would otherwise write). Both registries hold
identical label sets and observation counts; the median of repeated renders is reported,
plus the OpenMetrics render of ours. The machine is shared, so read the ratio.

Run: ``.venv/bin/python bench/exporter_render.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest  # noqa: E402

from exporter import HTTP_DURATION_BUCKETS, PerformanceMonitor  # noqa: E402
from exporter.definitions import SIZE_BUCKETS  # noqa: E402

ROUTES = [f"/api/v1/resource{i}/{{id}}" for i in range(200)]
METHODS = ["GET", "POST", "DELETE"]
STATUSES = [200, 201, 404, 500, 503]


def fill_ours(rng: random.Random) -> PerformanceMonitor:
    monitor = PerformanceMonitor(registry=CollectorRegistry())
    for route in ROUTES:
        for method in METHODS:
            monitor.metrics.active(method)
            for status in STATUSES:
                monitor.observe_request(method, route, status, rng.random(), rng.randint(0, 5000), rng.randint(0, 10**5))
    return monitor


def fill_peer(rng: random.Random) -> CollectorRegistry:
    registry = CollectorRegistry()
    duration = Histogram("http_server_request_duration_seconds", "d", ["method", "route", "status"],
                         buckets=HTTP_DURATION_BUCKETS, registry=registry)
    active = Gauge("http_server_active_requests", "a", ["method"], registry=registry)
    req = Histogram("http_server_request_size_bytes", "q", ["method", "route"], buckets=SIZE_BUCKETS, registry=registry)
    resp = Histogram("http_server_response_size_bytes", "r", ["method", "route"], buckets=SIZE_BUCKETS,
                     registry=registry)
    for route in ROUTES:
        for method in METHODS:
            active.labels(method)
            for status in STATUSES:
                duration.labels(method, route, str(status)).observe(rng.random())
                req.labels(method, route).observe(rng.randint(0, 5000))
                resp.labels(method, route).observe(rng.randint(0, 10**5))
    return registry


def timed(fn, repeat: int) -> tuple[float, int]:
    sizes, times = 0, []
    for _ in range(repeat):
        start = time.perf_counter()
        body = fn()
        times.append(time.perf_counter() - start)
        sizes = len(body)
    return statistics.median(times), sizes


def main(repeat: int) -> None:
    ours = fill_ours(random.Random(1))
    peer = fill_peer(random.Random(1))
    ours_text, ours_bytes = timed(lambda: ours.render()[0], repeat)
    ours_om, om_bytes = timed(lambda: ours.render("application/openmetrics-text")[0], repeat)
    peer_text, peer_bytes = timed(lambda: generate_latest(peer), repeat)
    series = len(ROUTES) * len(METHODS) * len(STATUSES)
    print(f"{series} duration series ({len(ROUTES)} routes x {len(METHODS)} methods x {len(STATUSES)} statuses), "
          f"median of {repeat} renders")
    print(f"{'renderer':44} {'ms':>8} {'bytes':>10}")
    print(f"{'perfstack monitor.render() text':44} {ours_text * 1e3:8.1f} {ours_bytes:10d}")
    print(f"{'perfstack monitor.render() OpenMetrics':44} {ours_om * 1e3:8.1f} {om_bytes:10d}")
    print(f"{'prometheus_client generate_latest (peer)':44} {peer_text * 1e3:8.1f} {peer_bytes:10d}")
    print("load average during the run (2 shared cores): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"ratio perfstack / peer: {ours_text / peer_text:.2f}; goal < 50 ms: "
          f"{'met' if ours_text < 0.050 else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="renders per renderer")
    main(parser.parse_args().repeat)
