"""Live path: Prometheus scraping a synthetic app every second, with and without perfstack's rules.

The target's counters are linear in time (collected on scrape), so every rate is exact whatever the
scrape phase, and two Prometheus servers scraping it must give the analyzer identical answers —
one of them evaluating the repository's recording and alerting rules.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from analyzer import AnalysisRequest, PromClient, analyze_prometheus
from perfstack.config import load_config
from tests.conftest import REPO_ROOT, scrape_config, wait_until

pytestmark = pytest.mark.slow
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# route → (req/s, latency in seconds, 5xx ratio)
ROUTES = {"/ok": (10.0, 0.04, 0.0), "/broken": (10.0, 0.04, 0.4)}


class LinearApp:
    """Contract metrics whose counters grow at fixed rates since ``start``."""

    def __init__(self) -> None:
        self.start = time.time() - 60

    def collect(self):
        e = time.time() - self.start
        h = HistogramMetricFamily("http_server_request_duration_seconds", "req", labels=["method", "route", "status"])
        for route, (rps, lat, err) in ROUTES.items():
            for status, share in (("200", 1 - err), ("500", err)):
                n = rps * share * e
                if share:
                    h.add_metric(["GET", route, status], [(repr(b), n if lat <= b else 0.0) for b in BUCKETS]
                                 + [("+Inf", n)], sum_value=n * lat)
        yield h
        cpu = CounterMetricFamily("perfstack_cpu_seconds", "cpu", labels=["cpu", "mode"])
        for mode, share in (("idle", 0.6), ("user", 0.4)):
            cpu.add_metric(["0", mode], share * e)
        yield cpu
        total = GaugeMetricFamily("perfstack_memory_total_bytes", "mem")
        total.add_metric([], 8e9)
        yield total
        avail = GaugeMetricFamily("perfstack_memory_available_bytes", "mem")
        avail.add_metric([], 6e9)
        yield avail
        cache = CounterMetricFamily("cache_requests", "cache", labels=["cache", "result"])
        cache.add_metric(["users", "hit"], 18 * e)
        cache.add_metric(["users", "miss"], 2 * e)
        yield cache


def test_rules_loaded_or_not_the_answers_are_the_same(prometheus):
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LinearApp())
    server, _ = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        target = f"127.0.0.1:{server.server_address[1]}"
        rule_files = sorted(str(p) for p in (Path(REPO_ROOT) / "prometheus" / "rules").glob("*.yml"))
        assert rule_files, "the repository's generated rules are expected in prometheus/rules/"
        plain = prometheus(scrape_config({"app": [target]}))
        ruled = prometheus(scrape_config({"app": [target]}, rule_files=rule_files))
        config = load_config(None)

        def analysis(prom):
            end = time.time() - 1
            req = AnalysisRequest(end=end, window_seconds=8, baseline_offset_seconds=86400)
            report = analyze_prometheus(PromClient(prom.url), config, req)
            return report if report["objectives"][0]["observed"] is not None else None

        wait_until(lambda: analysis(plain) and analysis(ruled), 30, interval=0.5, what="10 s of scrapes")
        wait_until(lambda: PromClient(ruled.url).scalar("count(job:http_server_requests:rate5m)", time.time()),
                   20, interval=0.5, what="recording rules evaluated")
        end = time.time() - 1
        req = AnalysisRequest(end=end, window_seconds=8, baseline_offset_seconds=86400)
        a = analyze_prometheus(PromClient(plain.url), config, req)
        b = analyze_prometheus(PromClient(ruled.url), config, req)
    finally:
        server.shutdown()
    states = {o["id"]: o["state"] for o in a["objectives"]}
    observed = {o["id"]: o["observed"] for o in a["objectives"]}
    assert observed["api_error_ratio"] == pytest.approx(0.2, rel=1e-6)
    assert observed["cpu_utilisation"] == pytest.approx(0.4, rel=1e-6)
    assert observed["cache_hit_ratio"] == pytest.approx(0.9, rel=1e-6)
    assert observed["availability"] == 1.0
    assert states["api_error_ratio"] == "fail" and a["verdict"] == "fail"
    assert a["bottlenecks"][0]["id"] == "error_hotspot_route" and a["bottlenecks"][0]["subject"] == "/broken"
    for x, y in zip(a["objectives"], b["objectives"], strict=True):
        assert x["state"] == y["state"]
        assert x["observed"] == pytest.approx(y["observed"], rel=1e-6, abs=1e-9) if x["observed"] is not None \
            else y["observed"] is None
    assert [f["id"] for f in a["bottlenecks"]] == [f["id"] for f in b["bottlenecks"]]
    assert a["system_health_score"] == b["system_health_score"] and a["grade"] == b["grade"]
