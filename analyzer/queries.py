"""PromQL text for every measurement, built from raw metric names only.

No recording rule is referenced, so a Prometheus without perfstack's rules (or a window from
before they were loaded) gives the same answers. Every query aggregates in PromQL, so the
number of queries depends on the objectives, never on how many jobs, instances or routes exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfstack.units import format_duration

__all__ = ["Scope", "instant_queries", "baseline_queries", "range_queries", "route_queries", "run_window_query",
           "LATENCY_BUCKETS"]

HTTP = "http_server_request_duration_seconds"
DB = "db_client_operation_duration_seconds"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True, kw_only=True)
class Scope:
    """Which app job (None = every job exposing the metrics) and which range/offset to query."""

    job: str | None = None
    range_: str = "30m"
    offset: str | None = None

    def sel(self, metric: str, *matchers: str, app: bool = True) -> str:
        parts = ([f"job={_quote(self.job)}"] if app and self.job else []) + list(matchers)
        return metric + ("{" + ",".join(parts) + "}" if parts else "")

    def rng(self, metric: str, *matchers: str, app: bool = True) -> str:
        off = f" offset {self.offset}" if self.offset else ""
        return f"{self.sel(metric, *matchers, app=app)}[{self.range_}]{off}"

    def rate(self, metric: str, *matchers: str, app: bool = True) -> str:
        return f"rate({self.rng(metric, *matchers, app=app)})"


def _le_matcher(threshold: float) -> str:
    edge = next((b for b in LATENCY_BUCKETS if b >= threshold - 1e-12), LATENCY_BUCKETS[-1])
    forms = sorted({f"{edge:g}", repr(float(edge))})
    return "le=~" + _quote("|".join(f.replace(".", "\\.") for f in forms))


IDLE, ERR5XX, S504, TIMEOUT, HIT, NOT_LO = ('mode=~"idle|iowait|steal"', 'status=~"5.."', 'status="504"', 'outcome="timeout"',
                                          'result="hit"', 'device!="lo"')


def _measurements(s: Scope) -> dict[str, str]:
    req = s.rate(f"{HTTP}_count")
    cpu_busy = (f"1 - sum by (job, instance) ({s.rate('perfstack_cpu_seconds_total', IDLE, app=False)})"
                f" / sum by (job, instance) ({s.rate('perfstack_cpu_seconds_total', app=False)})")
    return {
        "api_latency_p95": f"histogram_quantile(0.95, sum by (le) ({s.rate(f'{HTTP}_bucket')}))",
        "api_error_ratio": (f"(sum({s.rate(f'{HTTP}_count', ERR5XX)}) or vector(0))"
                            f" / sum({req})"),
        "request_rate": f"sum({req})",
        "cpu_utilisation": f"max({cpu_busy})",
    }


def instant_queries(s: Scope) -> dict[str, str]:
    """Return measurement id → query for the window ending at the evaluation time."""
    q = _measurements(s)
    up_app = (f"avg(avg_over_time({s.rng('up')}))" if s.job else
              f"avg(avg_over_time({s.rng('up')}) and on (job, instance) "
              f"group by (job, instance) (last_over_time({s.rng(f'{HTTP}_count')})))")
    io = "sum by (job, instance) ({})"
    q.update({
        "availability": up_app,
        "api_timeout_ratio": (
            f"((sum({s.rate('loadgen_requests_total', TIMEOUT, app=False)}) or vector(0))"
            f" + (sum({s.rate(f'{HTTP}_count', S504)}) or vector(0)))"
            f" / (sum({s.rate('loadgen_requests_total', app=False)}) or sum({s.rate(f'{HTTP}_count')}))"),
        "memory_utilisation": (f"max(1 - avg_over_time({s.rng('perfstack_memory_available_bytes', app=False)})"
                               f" / avg_over_time({s.rng('perfstack_memory_total_bytes', app=False)}))"),
        "disk_io": (f"max({io.format(s.rate('perfstack_disk_read_bytes_total', app=False))}"
                    f" + {io.format(s.rate('perfstack_disk_written_bytes_total', app=False))})"),
        "network_io": (f"max({io.format(s.rate('perfstack_network_receive_bytes_total', NOT_LO, app=False))}"
                       f" + {io.format(s.rate('perfstack_network_transmit_bytes_total', NOT_LO, app=False))})"),
        "db_query_p95": f"histogram_quantile(0.95, sum by (le) ({s.rate(f'{DB}_bucket')}))",
        "cache_hit_ratio": (f"(sum({s.rate('cache_requests_total', HIT)}) or vector(0))"
                            f" / sum({s.rate('cache_requests_total')})"),
        "generator_schedule_lag_p99": (
            f"histogram_quantile(0.99, sum by (le) ({s.rate('loadgen_schedule_lag_seconds_bucket', app=False)}))"),
        "db_time_share": f"sum({s.rate(f'{DB}_sum')}) / sum({s.rate(f'{HTTP}_sum')})",
    })
    return q


def baseline_queries(s: Scope) -> dict[str, str]:
    """Return the trend measurements for the same window shifted by the scope's offset."""
    return _measurements(s)


def route_queries(s: Scope, latency_threshold: float, top: int = 5) -> dict[str, str]:
    """Return per-route queries: slow-request rate (above the threshold's bucket), route p95, errors."""
    le = _le_matcher(latency_threshold)
    slow = (f"(sum by (route) ({s.rate(f'{HTTP}_count')}) - sum by (route) ({s.rate(f'{HTTP}_bucket', le)}))")
    errors = f"sum by (route) ({s.rate(f'{HTTP}_count', ERR5XX)})"
    return {
        "slow_routes": f"topk({top}, {slow} / scalar(sum({slow})))",
        "route_p95": f"topk({top}, histogram_quantile(0.95, sum by (route, le) ({s.rate(f'{HTTP}_bucket')})))",
        "error_routes": f"topk({top}, {errors} / scalar(sum({errors})))",
        "route_error_ratio": f"topk({top}, {errors} / sum by (route) ({s.rate(f'{HTTP}_count')}))",
    }


def range_queries(job: str | None, step_seconds: float, scrape_interval_seconds: float = 15.0) -> dict[str, str]:
    """Return series id → query for charts, correlation, capacity and exhaustion slopes.

    The rate() range is the larger of two steps and four scrape intervals (Grafana's
    ``$__rate_interval`` rule): shorter ranges miss samples, longer ones flatten short runs.
    """
    r = format_duration(max(2 * step_seconds, 4 * scrape_interval_seconds))
    s = Scope(job=job, range_=r)
    q = _measurements(s)
    q.update({
        "memory_utilisation": ("max(1 - perfstack_memory_available_bytes / perfstack_memory_total_bytes)"),
        "disk_utilisation": ("max(1 - perfstack_filesystem_avail_bytes / perfstack_filesystem_size_bytes)"),
    })
    return q


def run_window_query(run_id: str, lookback: str) -> str:
    """Return the range selector whose raw sample timestamps bound a load-test run."""
    return f"loadgen_run_info{{run_id={_quote(run_id)}}}[{lookback}]"
