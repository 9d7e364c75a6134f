"""The application metric families (HTTP server, DB client, cache, monitor) on one registry.

Names and buckets are cross-part contracts read by recording rules, dashboards and the
analyzer. Label children are cached per label tuple because ``.labels()`` is the dominant
cost of instrumenting a request.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary

from exporter.definitions import DB_DURATION_BUCKETS, HTTP_DURATION_BUCKETS, SIZE_BUCKETS, MetricDef
from exporter.fast_histogram import FastHistogram

__all__ = ["APP_METRICS", "AppMetrics", "UNMATCHED_ROUTE", "normalize_method"]

UNMATCHED_ROUTE = "__unmatched__"
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"})

HTTP_DURATION = MetricDef(
    name="http_server_request_duration_seconds", type="histogram", unit="seconds",
    labels=("method", "route", "status"),
    help="Time from receiving an HTTP request to finishing its response, by route template.")
HTTP_ACTIVE = MetricDef(
    name="http_server_active_requests", type="gauge", unit="requests", labels=("method",),
    help="HTTP requests currently being handled.")
HTTP_REQUEST_SIZE = MetricDef(
    name="http_server_request_size_bytes", type="histogram", unit="bytes", labels=("method", "route"),
    help="Size of HTTP request bodies (Content-Length, or bytes read when absent).")
HTTP_RESPONSE_SIZE = MetricDef(
    name="http_server_response_size_bytes", type="histogram", unit="bytes", labels=("method", "route"),
    help="Size of HTTP response bodies as sent.")
DB_DURATION = MetricDef(
    name="db_client_operation_duration_seconds", type="histogram", unit="seconds", labels=("system", "operation"),
    help="Duration of database client operations, successful or not.")
CACHE_REQUESTS = MetricDef(
    name="cache_requests", type="counter", unit="requests", labels=("cache", "result"),
    help="Cache lookups by outcome; result is hit or miss.")
OPERATION_DURATION = MetricDef(
    name="perfstack_operation_duration_seconds", type="histogram", unit="seconds", labels=("operation", "outcome"),
    help="Duration of blocks timed with PerformanceMonitor.measure_time; outcome is success or error.")
RECORDED = MetricDef(
    name="perfstack_recorded_<name>", type="summary", unit="as recorded", labels=("<caller's labels>",),
    help="Count and sum of values passed to PerformanceMonitor.record_metric(name, ...), one family per name.")

APP_METRICS: tuple[MetricDef, ...] = (HTTP_DURATION, HTTP_ACTIVE, HTTP_REQUEST_SIZE, HTTP_RESPONSE_SIZE,
                                      DB_DURATION, CACHE_REQUESTS, OPERATION_DURATION, RECORDED)


def normalize_method(method: str) -> str:
    """Return the method, or ``_OTHER`` for non-standard ones so the label stays bounded."""
    return method if method in _KNOWN_METHODS else "_OTHER"


class AppMetrics:
    """Create the application families on ``registry`` and record into them cheaply."""

    def __init__(self, registry: CollectorRegistry, *, multiprocess: bool = False) -> None:
        # Per-route families can hold thousands of series: render them with FastHistogram, except in
        # multiprocess mode where only prometheus-client's mmap-backed values are shared between workers.
        histogram = Histogram if multiprocess else FastHistogram
        self.request_duration = histogram(HTTP_DURATION.name, HTTP_DURATION.help, HTTP_DURATION.labels,
                                          buckets=HTTP_DURATION_BUCKETS, registry=registry)
        self.active_requests = Gauge(HTTP_ACTIVE.name, HTTP_ACTIVE.help, HTTP_ACTIVE.labels,
                                     multiprocess_mode="livesum", registry=registry)
        self.request_size = histogram(HTTP_REQUEST_SIZE.name, HTTP_REQUEST_SIZE.help, HTTP_REQUEST_SIZE.labels,
                                      buckets=SIZE_BUCKETS, registry=registry)
        self.response_size = histogram(HTTP_RESPONSE_SIZE.name, HTTP_RESPONSE_SIZE.help, HTTP_RESPONSE_SIZE.labels,
                                       buckets=SIZE_BUCKETS, registry=registry)
        self.fast_families: tuple[FastHistogram, ...] = () if multiprocess else (
            self.request_duration, self.request_size, self.response_size)
        self.db_duration = Histogram(DB_DURATION.name, DB_DURATION.help, DB_DURATION.labels,
                                     buckets=DB_DURATION_BUCKETS, registry=registry)
        self.cache_requests = Counter(CACHE_REQUESTS.name, CACHE_REQUESTS.help, CACHE_REQUESTS.labels,
                                      registry=registry)
        self.operation_duration = Histogram(OPERATION_DURATION.name, OPERATION_DURATION.help,
                                            OPERATION_DURATION.labels, buckets=HTTP_DURATION_BUCKETS,
                                            registry=registry)
        self._registry = registry
        self._request_children: dict[tuple[str, str, str], tuple] = {}
        self._active_children: dict[str, Gauge] = {}
        self._recorded: dict[str, tuple[Summary, tuple[str, ...]]] = {}

    def active(self, method: str) -> Gauge:
        """Return the active-requests gauge child for ``method`` (already normalised)."""
        child = self._active_children.get(method)
        if child is None:
            child = self._active_children[method] = self.active_requests.labels(method)
        return child

    def observe_request(self, method: str, route: str, status: str, seconds: float,
                        request_bytes: int, response_bytes: int) -> None:
        """Record one finished request in the duration and size histograms."""
        key = (method, route, status)
        children = self._request_children.get(key)
        if children is None:
            children = self._request_children[key] = (
                self.request_duration.labels(method, route, status),
                self.request_size.labels(method, route),
                self.response_size.labels(method, route),
            )
        children[0].observe(seconds)
        children[1].observe(request_bytes)
        children[2].observe(response_bytes)

    def observe_recorded(self, name: str, value: float, labels: dict[str, str] | None) -> None:
        """Add ``value`` to the summary family of a ``record_metric`` name."""
        label_names = tuple(sorted(labels)) if labels else ()
        entry = self._recorded.get(name)
        if entry is None:
            family = "perfstack_recorded_" + _sanitize(name)
            summary = Summary(family, f"Values recorded with record_metric({name!r}).", label_names,
                              registry=self._registry)
            entry = self._recorded[name] = (summary, label_names)
        summary, known = entry
        if known != label_names:
            raise ValueError(f"record_metric({name!r}): labels {list(label_names)} differ from the first call's "
                             f"{list(known)}; a metric keeps one set of label names")
        (summary.labels(**labels) if label_names else summary).observe(value)


def _sanitize(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not cleaned or cleaned[0].isdigit():
        cleaned = "_" + cleaned
    return cleaned
