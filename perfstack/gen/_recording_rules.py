"""Recording rules: the pre-aggregated series that dashboards and alerts read.

Names follow the node-mixin convention ``level:metric:operations``; the level says which labels
survive (``instance:`` keeps job and instance, ``job:`` keeps job, ``job_route:`` job and route).
Ratios fill an absent numerator with 0 (``or denominator * 0``) so a service that has never
answered 5xx shows 0 % rather than "no data"; no traffic at all stays NaN, which no alert fires on.
"""

from __future__ import annotations

from perfstack.config import PerformanceConfig
from perfstack.gen._promrules import RecordingRule, RuleGroup, Timing

__all__ = ["recording_groups", "RECORDS"]

# Recorded series other parts of perfstack read (dashboards, analyzer, alerts): a contract.
RECORDS = (
    "instance:perfstack_cpu_utilisation:ratio_rate5m",
    "instance:perfstack_memory_utilisation:ratio",
    "instance:perfstack_disk_io_bytes:rate5m",
    "instance:perfstack_network_io_bytes:rate5m",
    "job:http_server_requests:rate5m",
    "job:http_server_request_duration_seconds:p95_rate5m",
    "job_route:http_server_request_duration_seconds:p95_rate5m",
    "job:http_server_request_errors:ratio_rate5m",
    "job_route:http_server_request_errors:ratio_rate5m",
    "job:loadgen_requests:rate5m",
    "job:perfstack_request_timeouts:ratio_rate5m",
    "job:db_client_operation_duration_seconds:p95_rate5m",
    "job:cache_requests:hit_ratio_rate5m",
)

_HTTP = "http_server_request_duration_seconds"
_IDLE_MODES = 'mode=~"idle|iowait|steal"'


def _sum_rate(selector: str, by: str, window: str) -> str:
    return f"sum by ({by}) (rate({selector}[{window}]))"


def _ratio(numerator: str, denominator: str) -> str:
    """Return numerator/denominator where a missing numerator counts as 0."""
    return f"({numerator} or {denominator} * 0) / {denominator}"


def _p95(bucket_selector: str, by: str, window: str) -> str:
    return f"histogram_quantile(0.95, sum by ({by}, le) (rate({bucket_selector}[{window}])))"


def _host(w: str) -> RuleGroup:
    rx, tx = ('perfstack_network_receive_bytes_total{device!="lo"}', 'perfstack_network_transmit_bytes_total{device!="lo"}')
    return RuleGroup(name="perfstack.host.recording", rules=[
        RecordingRule(
            record="instance:perfstack_cpu_utilisation:ratio_rate5m",
            expr=("1 - avg by (job, instance) (sum by (job, instance, cpu) "
                  f"(rate(perfstack_cpu_seconds_total{{{_IDLE_MODES}}}[{w}])))"),
        ),
        RecordingRule(
            record="instance:perfstack_memory_utilisation:ratio",
            expr=("1 - sum by (job, instance) (perfstack_memory_available_bytes) "
                  "/ sum by (job, instance) (perfstack_memory_total_bytes)"),
        ),
        RecordingRule(
            record="instance:perfstack_disk_io_bytes:rate5m",
            expr=(f"{_sum_rate('perfstack_disk_read_bytes_total', 'job, instance', w)} + "
                  f"{_sum_rate('perfstack_disk_written_bytes_total', 'job, instance', w)}"),
        ),
        RecordingRule(
            record="instance:perfstack_network_io_bytes:rate5m",
            expr=(f"{_sum_rate(rx, 'job, instance', w)} + {_sum_rate(tx, 'job, instance', w)}"),
        ),
    ])


def _http(w: str) -> RuleGroup:
    count = f"{_HTTP}_count"
    return RuleGroup(name="perfstack.http.recording", rules=[
        RecordingRule(record="job:http_server_requests:rate5m", expr=_sum_rate(count, "job", w)),
        RecordingRule(record="job:http_server_request_duration_seconds:p95_rate5m",
                      expr=_p95(f"{_HTTP}_bucket", "job", w)),
        RecordingRule(record="job_route:http_server_request_duration_seconds:p95_rate5m",
                      expr=_p95(f"{_HTTP}_bucket", "job, route", w)),
        RecordingRule(record="job:http_server_request_errors:ratio_rate5m",
                      expr=_ratio(_sum_rate(f'{count}{{status=~"5.."}}', "job", w), _sum_rate(count, "job", w))),
        RecordingRule(record="job_route:http_server_request_errors:ratio_rate5m",
                      expr=_ratio(_sum_rate(f'{count}{{status=~"5.."}}', "job, route", w),
                                  _sum_rate(count, "job, route", w))),
    ])


def _loadgen_and_timeouts(w: str) -> RuleGroup:
    """What the load generator saw (requests, failures of any kind) and timeouts on both sides.

    The client-side error ratio makes ApiErrorRateHigh work against targets that expose no
    metrics of their own. Timeouts are client timeouts and 504s at the load generator, 504s at
    instrumented servers.

    One record name for both sources: each yields series with its own ``job`` label, so the
    union is one rule (two rules with one name would be a promtool duplicate warning).
    """
    client_timeouts = (f'sum by (job) (rate(loadgen_requests_total{{outcome="timeout"}}[{w}]) '
                       f'or rate(loadgen_requests_total{{status="504"}}[{w}]))')
    client = _ratio(client_timeouts, _sum_rate("loadgen_requests_total", "job", w))
    server = _ratio(_sum_rate(f'{_HTTP}_count{{status="504"}}', "job", w), _sum_rate(f"{_HTTP}_count", "job", w))
    return RuleGroup(name="perfstack.loadgen.recording", rules=[
        RecordingRule(record="job:loadgen_requests:rate5m", expr=_sum_rate("loadgen_requests_total", "job", w)),
        RecordingRule(record="job:loadgen_request_errors:ratio_rate5m",
                      expr=_ratio(_sum_rate('loadgen_requests_total{outcome!="success"}', "job", w),
                                  _sum_rate("loadgen_requests_total", "job", w))),
        RecordingRule(record="job:perfstack_request_timeouts:ratio_rate5m", expr=f"({client}) or ({server})"),
    ])


def _dependencies(w: str) -> RuleGroup:
    db = "db_client_operation_duration_seconds"
    return RuleGroup(name="perfstack.dependencies.recording", rules=[
        RecordingRule(record="job:db_client_operations:rate5m", expr=_sum_rate(f"{db}_count", "job", w)),
        RecordingRule(record="job:db_client_operation_duration_seconds:p95_rate5m", expr=_p95(f"{db}_bucket", "job", w)),
        RecordingRule(record="job:cache_requests:rate5m", expr=_sum_rate("cache_requests_total", "job", w)),
        RecordingRule(record="job:cache_requests:hit_ratio_rate5m",
                      expr=_ratio(_sum_rate('cache_requests_total{result="hit"}', "job", w),
                                  _sum_rate("cache_requests_total", "job", w))),
    ])


def recording_groups(config: PerformanceConfig, timing: Timing) -> list[RuleGroup]:
    """Return every recording group; windows come from ``timing``, nothing else varies."""
    w = timing.rate_window
    return [_host(w), _http(w), _loadgen_and_timeouts(w), _dependencies(w)]
