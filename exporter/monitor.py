"""PerformanceMonitor: the in-process API services use to record and judge their performance.

Every value goes two ways: into prometheus-client families on an injected registry (what
Prometheus scrapes) and into bounded in-memory windows (what ``get_metric_stats``,
thresholds and ``health_check`` read without a Prometheus server). Nothing is global: build
one monitor per process and pass it to the middlewares.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from exporter.app_metrics import AppMetrics
from exporter.fast_histogram import skip_fast_families
from exporter.health import HealthObservations, judge_health
from exporter.system_stats import SystemSampler
from exporter.thresholds import Threshold, ThresholdCallback, dispatch_callback
from exporter.timing import Timer
from exporter.window import SlidingWindow, summarize
from perfstack import units
from perfstack.config import PerformanceConfig, load_config

__all__ = ["PerformanceMonitor", "HTTP_STATS", "DB_STATS"]

HTTP_STATS = "http_server_request_duration_seconds"
DB_STATS = "db_client_operation_duration_seconds"

_LabelKey = tuple[tuple[str, str], ...]
_EOF = b"# EOF\n"


def _window_seconds(window: float | str | None) -> float | None:
    if window is None or isinstance(window, (int, float)):
        return window
    return units.parse_duration(window)


class PerformanceMonitor:
    """Record metrics, time operations, keep sliding-window stats and judge health."""

    def __init__(self, *, registry: CollectorRegistry | None = None, config: PerformanceConfig | None = None,
                 window_seconds: float = 300.0, max_samples: int = 10_000,
                 clock: Callable[[], float] = time.monotonic, timer: Callable[[], float] = time.perf_counter,
                 system_sampler: SystemSampler | None = None, logger: logging.Logger | None = None,
                 multiprocess_dir: str | None = None) -> None:
        self._multiprocess_dir = multiprocess_dir if multiprocess_dir is not None else \
            os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        self.registry = registry if registry is not None else CollectorRegistry()
        self.metrics = AppMetrics(self.registry, multiprocess=bool(self._multiprocess_dir))
        self._config = config
        self._window_seconds, self._max_samples = window_seconds, max_samples
        self._clock, self._timer = clock, timer
        self._sampler = system_sampler
        self._log = logger or logging.getLogger("exporter.monitor")
        self._windows: dict[tuple[str, _LabelKey], SlidingWindow] = {}
        self._windows_lock = threading.Lock()
        self._requests: deque[tuple[float, float, int]] = deque(maxlen=max_samples)
        self._queries: deque[tuple[float, float]] = deque(maxlen=max_samples)
        self._cache: deque[tuple[float, bool]] = deque(maxlen=max_samples)
        self._thresholds: dict[str, list[Threshold]] = {}
        self._operation_children: dict[str, tuple] = {}
        self._pending: set[asyncio.Task] = set()

    @property
    def config(self) -> PerformanceConfig:
        """Return the thresholds in use, loading the repository config on first use."""
        if self._config is None:
            self._config = load_config(None)
        return self._config

    # -- recording -------------------------------------------------------------------------

    def _window(self, name: str, labels: dict[str, str] | None) -> SlidingWindow:
        key = (name, tuple(sorted(labels.items())) if labels else ())
        window = self._windows.get(key)
        if window is None:
            with self._windows_lock:
                window = self._windows.setdefault(key, SlidingWindow(
                    max_age_seconds=self._window_seconds, max_samples=self._max_samples, clock=self._clock))
        return window

    def record_metric(self, name: str, value: float, labels: dict[str, str] | None = None) -> None:
        """Record one value of a custom metric (e.g. ``record_metric("api_response_time", 150.5)``).

        ``labels`` become Prometheus labels and window keys, so keep their values low-cardinality
        (a route template, not a raw URL): every distinct label set keeps its own window.
        """
        value = float(value)
        self.metrics.observe_recorded(name, value, labels)
        self._window(name, labels).add(value)
        self._evaluate_thresholds(name, value)

    def measure_time(self, name: str) -> Timer:
        """Time a block (``with``/``async with``) or a function (decorator) under ``name`` in seconds."""
        children = self._operation_children.get(name)
        if children is None:
            children = self._operation_children[name] = (
                (self.metrics.operation_duration.labels(name, "success"), self._window(name, {"outcome": "success"})),
                (self.metrics.operation_duration.labels(name, "error"), self._window(name, {"outcome": "error"})),
            )

        def done(seconds: float, failed: bool) -> None:
            histogram, window = children[failed]
            histogram.observe(seconds)
            window.add(seconds)
            self._evaluate_thresholds(name, seconds)

        return Timer(done, self._timer)

    def track_query(self, system: str, operation: str) -> Timer:
        """Time a database operation into ``db_client_operation_duration_seconds{system,operation}``."""
        child = self.metrics.db_duration.labels(system, operation)

        def done(seconds: float, failed: bool) -> None:
            child.observe(seconds)
            self._queries.append((self._clock(), seconds))

        return Timer(done, self._timer)

    def cache_hit(self, cache: str) -> None:
        """Count a cache hit in ``cache_requests_total{cache,result="hit"}``."""
        self.metrics.cache_requests.labels(cache, "hit").inc()
        self._cache.append((self._clock(), True))

    def cache_miss(self, cache: str) -> None:
        """Count a cache miss in ``cache_requests_total{cache,result="miss"}``."""
        self.metrics.cache_requests.labels(cache, "miss").inc()
        self._cache.append((self._clock(), False))

    def observe_request(self, method: str, route: str, status: int, seconds: float,
                        request_bytes: int = 0, response_bytes: int = 0) -> None:
        """Record a finished HTTP request; the middlewares call this once per request."""
        self.metrics.observe_request(method, route, str(status), seconds, request_bytes, response_bytes)
        self._requests.append((self._clock(), seconds, status))

    # -- reading ---------------------------------------------------------------------------

    def _recent(self, samples: deque, window: float | None) -> tuple[list, float]:
        span = self._window_seconds if window is None else min(window, self._window_seconds)
        horizon = self._clock() - span
        return [s for s in list(samples) if s[0] >= horizon], span

    def get_metric_stats(self, name: str, window: float | str | None = None,
                         labels: dict[str, str] | None = None) -> dict:
        """Return count, mean, min, max, p50/p90/p95/p99 of ``name`` over the last ``window``.

        ``window`` is seconds or a duration such as ``"1m"`` (default: the monitor's window);
        ``labels`` keeps only series carrying those label values. The HTTP and DB histogram
        names are accepted too and read the request/query windows.
        """
        seconds = _window_seconds(window)
        if name in (HTTP_STATS, DB_STATS):
            samples, span = self._recent(self._requests if name == HTTP_STATS else self._queries, seconds)
            return summarize((s[1] for s in samples), span if samples else 0.0)
        wanted = set(labels.items()) if labels else set()
        values: list[float] = []
        covered = 0.0
        for (key_name, key_labels), win in list(self._windows.items()):
            if key_name == name and wanted <= set(key_labels):
                vals, span = win.values(seconds)
                values.extend(vals)
                covered = max(covered, span)
        return summarize(values, covered)

    def get_system_stats(self) -> dict[str, float]:
        """Return CPU %, memory %, disk and network bytes/s since the previous call.

        Rates need two samples: the first call blocks for the sampler's minimum interval (0.2 s by
        default); in async code call it via ``asyncio.to_thread`` if that matters.
        """
        if self._sampler is None:
            self._sampler = SystemSampler(clock=self._clock)
        return self._sampler.stats()

    def health_check(self, *, include_system: bool = True, window: float | str | None = None) -> dict:
        """Return ``{"status": healthy|degraded|unhealthy, "reasons": [...], "checks": {...}}``."""
        seconds = _window_seconds(window)
        requests, span = self._recent(self._requests, seconds)
        durations = sorted(r[1] for r in requests)
        n = len(requests)
        queries, _ = self._recent(self._queries, seconds)
        lookups, _ = self._recent(self._cache, seconds)
        obs = HealthObservations(
            system=self.get_system_stats() if include_system else None,
            request_rate=n / span if span > 0 else 0.0,
            latency_p95_seconds=summarize(durations)["p95"],
            error_ratio=sum(1 for r in requests if r[2] >= 500) / n if n else None,
            timeout_ratio=sum(1 for r in requests if r[2] == 504) / n if n else None,
            db_p95_seconds=summarize(q[1] for q in queries)["p95"],
            cache_hit_ratio=sum(1 for c in lookups if c[1]) / len(lookups) if lookups else None,
        )
        return judge_health(self.config, obs)

    # -- thresholds ------------------------------------------------------------------------

    def add_threshold(self, metric: str, limit: float, callback: ThresholdCallback, *, direction: str = "above",
                      clear: float | None = None, statistic: str = "value",
                      window: float | str | None = None) -> Threshold:
        """Call ``callback`` once when ``metric`` crosses ``limit`` and once when it recovers past ``clear``.

        ``statistic`` is ``value`` (each recorded value) or a window statistic such as ``p95``; a
        window statistic re-sorts the window on every record, so keep such metrics low-rate.
        """
        threshold = Threshold(metric=metric, limit=limit, callback=callback, direction=direction, clear=clear,
                              statistic=statistic, window_seconds=_window_seconds(window))
        self._thresholds.setdefault(metric, []).append(threshold)
        return threshold

    def _evaluate_thresholds(self, name: str, value: float) -> None:
        for threshold in self._thresholds.get(name, ()):
            observed = value
            if threshold.statistic != "value":
                observed = self.get_metric_stats(name, threshold.window_seconds)[threshold.statistic]
            event = threshold.evaluate(observed)
            if event is not None:
                dispatch_callback(threshold.callback, event, logger=self._log, pending=self._pending)

    # -- exposition ------------------------------------------------------------------------

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """Return the exposition body and content type, OpenMetrics if ``accept`` asks for it.

        In multiprocess mode the body sums every worker's files, not just this process.
        """
        encoder, content_type = choose_encoder(accept or "")
        if self._multiprocess_dir:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=self._multiprocess_dir)
            return encoder(registry), content_type
        token = skip_fast_families.set(True)
        try:
            rest = encoder(self.registry)
        finally:
            skip_fast_families.reset(token)
        fast = "".join(f.render() for f in self.metrics.fast_families).encode("utf-8")
        if rest.endswith(_EOF):
            return rest[:-len(_EOF)] + fast + _EOF, content_type
        return rest + fast, content_type
