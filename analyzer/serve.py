"""``analyzer serve``: the analysis as Prometheus metrics, computed on scrape with a short cache.

The collector follows client_python's custom-collector pattern: ``collect()`` builds fresh
metric families each scrape from the cached report. A failed analysis (Prometheus down) sets
``perfstack_analyzer_analysis_success`` to 0 instead of failing the scrape.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily

from perfstack.config import PerformanceConfig

from .bottlenecks import SEVERITIES
from .objectives import FAIL, NO_DATA, PASS, WARNING
from .promql import PromClient, PrometheusUnreachable, PromQLError
from .runner import AnalysisRequest, analyze_prometheus

__all__ = ["AnalyzerCollector", "build_registry", "build_app", "serve_forever", "STATES"]

STATES = (PASS, WARNING, FAIL, NO_DATA)


class AnalyzerCollector:
    """Collect ``perfstack_health_score`` and friends from a cached analysis of the last window."""

    def __init__(self, *, client: PromClient, config: PerformanceConfig, window_seconds: float,
                 baseline_offset_seconds: float, job: str | None = None, cache_seconds: float = 15.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.client, self.config, self.clock = client, config, clock
        self.window_seconds, self.baseline_offset_seconds, self.job = window_seconds, baseline_offset_seconds, job
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, dict | None, float, int] | None = None

    def _analysis(self) -> tuple[dict | None, float, int]:
        now = self.clock()
        if self._cached is not None and now - self._cached[0] < self.cache_seconds:
            return self._cached[1:]
        started, sent = time.monotonic(), self.client.queries_sent
        req = AnalysisRequest(end=now, window_seconds=self.window_seconds,
                              baseline_offset_seconds=self.baseline_offset_seconds, job=self.job)
        try:
            report = analyze_prometheus(self.client, self.config, req)
        except (PrometheusUnreachable, PromQLError):
            report = None
        except Exception:  # a scrape must never fail on an analysis bug; the success gauge reports it
            report = None
        self._cached = (now, report, time.monotonic() - started, self.client.queries_sent - sent)
        return self._cached[1:]

    def collect(self):
        report, duration, queries = self._analysis()
        ok = GaugeMetricFamily("perfstack_analyzer_analysis_success",
                               "1 if the last analysis could query Prometheus, else 0.")
        ok.add_metric([], 1.0 if report else 0.0)
        yield ok
        dur = GaugeMetricFamily("perfstack_analyzer_analysis_duration_seconds", "Wall time of the last analysis.")
        dur.add_metric([], duration)
        yield dur
        qs = GaugeMetricFamily("perfstack_analyzer_queries", "PromQL queries sent by the last analysis.")
        qs.add_metric([], float(queries))
        yield qs
        if report is None:
            return
        for name, key, text in (
            ("perfstack_health_score", "system_health_score", "Keptn-style health score 0-100 over all objectives."),
            ("perfstack_performance_score", "performance_score", "Score 0-100 over the API objectives only."),
        ):
            if report[key] is not None:
                g = GaugeMetricFamily(name, text)
                g.add_metric([], float(report[key]))
                yield g
        state = GaugeMetricFamily("perfstack_objective_state",
                                  "1 for the objective's current state (pass, warning, fail, no_data), else 0.",
                                  labels=["objective", "state"])
        for o in report["objectives"]:
            for s in STATES:
                state.add_metric([o["id"], s], 1.0 if o["state"] == s else 0.0)
        yield state
        findings = GaugeMetricFamily("perfstack_analyzer_findings", "Bottlenecks found in the window, by severity.",
                                     labels=["severity"])
        for sev in SEVERITIES:
            findings.add_metric([sev], float(sum(f["severity"] == sev for f in report["bottlenecks"])))
        yield findings


def build_registry(collector: AnalyzerCollector) -> CollectorRegistry:
    """Return a fresh registry holding only ``collector`` (never the global REGISTRY)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def build_app(collector: AnalyzerCollector) -> Callable:
    """Return a WSGI app: ``/healthz`` answers at once, every other path serves the metrics.

    Health probes (compose, Kubernetes) hit ``/healthz`` every few seconds; sending them to
    ``/metrics`` would start an analysis, i.e. dozens of PromQL queries, each time the cache expires.
    """
    metrics_app = make_wsgi_app(build_registry(collector))

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return metrics_app(environ, start_response)

    return app


def serve_forever(collector: AnalyzerCollector, host: str, port: int) -> None:
    """Serve ``/metrics`` and ``/healthz`` on host:port until interrupted."""
    app = build_app(collector)
    server: WSGIServer = make_server(host, port, app, handler_class=_QuietHandler)
    try:
        server.serve_forever()
    finally:
        server.server_close()
