"""The loadgen's own Prometheus metrics, collected on scrape from the run's aggregated state.

Nothing on the request hot path touches prometheus_client: the collector reads the
:class:`~loadgen.aggregate.Aggregator` totals (updated once per interval) when /metrics is
scraped. Names and labels are a contract with the recording rules and dashboards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from loadgen.aggregate import Aggregator
from loadgen.stats import LAG_BUCKETS, LATENCY_BUCKETS, parse_count_key
from perfstack.cli import UsageError

__all__ = ["LoadgenCollector", "RunInfo", "make_registry", "serve_metrics"]


@dataclass(kw_only=True)
class RunInfo:
    """Mutable run identity shown by ``loadgen_run_info``; ``stage`` 0 means not running."""

    run_id: str
    profile: str
    stages: int
    stage: int = 0


def _buckets(edges: tuple[float, ...], counts: list[int]) -> list[tuple[str, float]]:
    out, running = [], 0
    for edge, n in zip((*edges, float("inf")), counts, strict=True):
        running += n
        out.append(("+Inf" if edge == float("inf") else repr(edge), float(running)))
    return out


class LoadgenCollector:
    """Yield the ``loadgen_*`` families from an aggregator and the run info."""

    def __init__(self, aggregator: Aggregator, info: RunInfo, live: Callable[[], tuple[int, float, float]]) -> None:
        self._agg = aggregator
        self._info = info
        self._live = live  # () -> (in_flight, virtual_users, target_rate) right now

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily("loadgen_requests", "Requests finished by the load generator, by result.",
                                       labels=["endpoint", "method", "status", "outcome"])
        duration = HistogramMetricFamily("loadgen_request_duration_seconds",
                                         "Request latency seen by the load generator (from the intended start).",
                                         labels=["endpoint"])
        lag = HistogramMetricFamily("loadgen_schedule_lag_seconds",
                                    "How late the generator started requests after their intended time.")
        with self._agg.lock:
            totals = self._agg.totals
            for name, ep in sorted(totals.endpoints.items()):
                grouped: Counter[tuple[str, str]] = Counter()
                for key, n in ep.counts.items():
                    status, outcome, _ = parse_count_key(key)
                    grouped[(status, outcome)] += n
                for (status, outcome), n in sorted(grouped.items()):
                    requests.add_metric([name, ep.method, status, outcome], float(n))
                duration.add_metric([name], _buckets(LATENCY_BUCKETS, ep.buckets), ep.sum)
            lag.add_metric([], _buckets(LAG_BUCKETS, totals.lag_buckets), totals.lag_sum)
            dropped = float(totals.dropped)
        in_flight, users, rate = self._live()
        yield requests
        yield duration
        yield lag
        yield CounterMetricFamily("loadgen_dropped_requests", "Open-model requests not started because the "
                                  "in-flight cap was reached.", value=dropped)
        yield GaugeMetricFamily("loadgen_in_flight_requests", "Requests sent and not yet finished.", value=in_flight)
        yield GaugeMetricFamily("loadgen_virtual_users", "Closed-model virtual users running.", value=users)
        yield GaugeMetricFamily("loadgen_target_rate", "Open-model target arrival rate in requests per second.",
                                value=rate)
        info = GaugeMetricFamily("loadgen_run_info", "1 for the stage the run is in, 0 for its other stages.",
                                 labels=["run_id", "profile", "stage"])
        for stage in range(1, self._info.stages + 1):
            info.add_metric([self._info.run_id, self._info.profile, str(stage)], 1.0 if stage == self._info.stage else 0.0)
        yield info


def make_registry(collector: LoadgenCollector) -> CollectorRegistry:
    """Return a fresh registry holding only ``collector`` (never the global one)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def serve_metrics(registry: CollectorRegistry, listen: str):
    """Serve ``registry`` on ``host:port`` in a thread; return the server (``.shutdown()`` to stop)."""
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise UsageError(f"--metrics-listen: expected HOST:PORT, got {listen!r}")
    try:
        server, _thread = start_http_server(int(port), addr=host.strip("[]") or "127.0.0.1", registry=registry)
    except OSError as exc:
        raise UsageError(f"--metrics-listen {listen}: {exc.strerror or exc}") from None
    return server
