"""Alerting rules: one per threshold in ``performance_config.yaml``, names fixed by contract.

Each rule reads a recorded series (see :mod:`perfstack.gen._recording_rules`) so the alert,
the dashboard panel and the analyzer agree on what "p95" or "error ratio" means. Ratio and
latency alerts are guarded by ``alerts.min_request_rate``: a p95 or a ratio over a handful of
requests is noise, not an incident. ``for:`` holds are design decisions explained per alert in
docs/runbook.md (``HOLDS`` below is the single place they are set).
"""

from __future__ import annotations

from perfstack.config import PerformanceConfig
from perfstack.gen._humanize import humanize, humanize_duration, humanize_percentage
from perfstack.gen._promrules import AlertRule, RuleGroup, Timing, number
from perfstack.units import format_duration

__all__ = ["alert_groups", "ALERT_NAMES", "HOLDS", "degradation_floor_seconds", "capacity_window_seconds"]

ALERT_NAMES = (
    "ApiLatencyP95High", "ApiErrorRateHigh", "ApiTimeoutRateHigh", "HostCpuHigh", "HostMemoryHigh",
    "HostDiskIoHigh", "HostNetworkIoHigh", "DbQueryLatencyP95High", "CacheHitRatioLow", "ApiLatencyDegraded",
    "HostMemoryExhaustionPredicted", "HostDiskExhaustionPredicted", "TargetDown",
)

_M = 60.0
# (alert, severity) → designed ``for:`` in seconds; docs/runbook.md explains each choice.
HOLDS: dict[tuple[str, str], float] = {
    ("ApiLatencyP95High", "warning"): 10 * _M,
    ("ApiErrorRateHigh", "warning"): 10 * _M,
    ("ApiErrorRateHigh", "critical"): 5 * _M,
    ("ApiTimeoutRateHigh", "warning"): 10 * _M,
    ("HostCpuHigh", "warning"): 15 * _M,
    ("HostCpuHigh", "critical"): 10 * _M,
    ("HostMemoryHigh", "warning"): 15 * _M,
    ("HostMemoryHigh", "critical"): 5 * _M,
    ("HostDiskIoHigh", "warning"): 15 * _M,
    ("HostNetworkIoHigh", "warning"): 15 * _M,
    ("DbQueryLatencyP95High", "warning"): 10 * _M,
    ("CacheHitRatioLow", "warning"): 15 * _M,
    ("ApiLatencyDegraded", "warning"): 15 * _M,
    ("HostMemoryExhaustionPredicted", "warning"): 30 * _M,
    ("HostDiskExhaustionPredicted", "warning"): 30 * _M,
    ("TargetDown", "critical"): 2 * _M,
}

# Filesystems whose size says nothing about capacity (memory-backed or read-only images).
_PSEUDO_FS = 'fstype!~"tmpfs|ramfs|devtmpfs|squashfs|iso9660"'


def degradation_floor_seconds(config: PerformanceConfig) -> float:
    """Return the p95 below which ApiLatencyDegraded stays silent: a tenth of the p95 objective.

    Below it a jump of one histogram bucket alone moves the interpolated p95 by more than 50 %,
    so "degraded" would be bucket noise rather than a slower service.
    """
    return config.api.latency_p95_seconds / 10


def capacity_window_seconds(config: PerformanceConfig) -> float:
    """Return the predict_linear lookback: a quarter of the horizon, at least 1h."""
    return max(3600.0, config.alerts.capacity_horizon_seconds / 4)


def _pct(ratio: float) -> str:
    return humanize_percentage(ratio)


def _guard(min_rate: float, *records: str) -> str:
    alternatives = " or ".join(f"{r} >= {number(min_rate)}" for r in records)
    return f"and on (job) ({alternatives})"


def _rule(alert: str, severity: str, expr: str, op: str, threshold: float, summary: str, description: str,
          timing: Timing) -> AlertRule:
    hold = HOLDS[(alert, severity)]
    held = format_duration(timing.hold(hold))
    return AlertRule(alert=alert, severity=severity, expr=expr, for_seconds=hold, op=op, threshold=threshold,
                     summary=summary, description=description.replace("{for}", held))


def _api(c: PerformanceConfig, t: Timing) -> list[AlertRule]:
    http_guard = _guard(c.alerts.min_request_rate, "job:http_server_requests:rate5m")
    loadgen_guard = _guard(c.alerts.min_request_rate, "job:loadgen_requests:rate5m")
    any_guard = _guard(c.alerts.min_request_rate, "job:http_server_requests:rate5m", "job:loadgen_requests:rate5m")
    lat, err_w, err_c, tmo = c.api.latency_p95_seconds, c.api.error_ratio, c.alerts.error_critical_ratio, c.api.timeout_ratio
    rules = [_rule(
        "ApiLatencyP95High", "warning",
        f"job:http_server_request_duration_seconds:p95_rate5m > {number(lat)} {http_guard}", ">", lat,
        f"API p95 latency above {humanize_duration(lat)} on job {{{{ $labels.job }}}}",
        (f"p95 request latency of job {{{{ $labels.job }}}} is {{{{ $value | humanizeDuration }}}} and has been "
         f"above {humanize_duration(lat)} for {{for}} (thresholds.api.latency_p95)."),
        t)]
    for severity, level, key in (("warning", err_w, "thresholds.api.error_rate"),
                                 ("critical", err_c, "alerts.error_rate_critical")):
        rules.append(_rule(
            "ApiErrorRateHigh", severity,
            (f"(job:http_server_request_errors:ratio_rate5m > {number(level)} {http_guard}) or "
             f"(job:loadgen_request_errors:ratio_rate5m > {number(level)} {loadgen_guard})"), ">", level,
            f"API error ratio above {_pct(level)} on job {{{{ $labels.job }}}}",
            (f"{{{{ $value | humanizePercentage }}}} of the requests seen by job {{{{ $labels.job }}}} failed over the "
             f"last {t.rate_window} (5xx answers; at the load generator any failed request), above {_pct(level)} "
             f"for {{for}} ({key})."),
            t))
    rules.append(_rule(
        "ApiTimeoutRateHigh", "warning",
        f"job:perfstack_request_timeouts:ratio_rate5m > {number(tmo)} {any_guard}", ">", tmo,
        f"Request timeout ratio above {_pct(tmo)} on job {{{{ $labels.job }}}}",
        (f"{{{{ $value | humanizePercentage }}}} of the requests seen by job {{{{ $labels.job }}}} timed out "
         f"(client timeouts and HTTP 504), above {_pct(tmo)} for {{for}} (thresholds.api.timeout_rate)."),
        t))
    ratio = 1 + c.alerts.latency_degradation_ratio
    offset = format_duration(c.alerts.baseline_offset_seconds)
    p95 = "job:http_server_request_duration_seconds:p95_rate5m"
    rules.append(_rule(
        "ApiLatencyDegraded", "warning",
        (f"{p95} / ({p95} offset {offset}) > {number(ratio)} "
         f"and on (job) {p95} > {number(degradation_floor_seconds(c))} {http_guard}"),
        ">", ratio,
        f"API p95 latency on job {{{{ $labels.job }}}} degraded against {offset} earlier",
        (f"p95 request latency of job {{{{ $labels.job }}}} is {{{{ $value | humanize }}}}x its value {offset} earlier, "
         f"above {humanize(ratio)}x for {{for}} (alerts.latency_degradation)."),
        t))
    return rules


def _host(c: PerformanceConfig, t: Timing) -> list[AlertRule]:
    rules: list[AlertRule] = []
    for alert, record, what, levels in (
        ("HostCpuHigh", "instance:perfstack_cpu_utilisation:ratio_rate5m", "CPU utilisation",
         (("warning", c.system.cpu_ratio, "thresholds.system.cpu"), ("critical", c.alerts.cpu_critical_ratio, "alerts.cpu_critical"))),
        ("HostMemoryHigh", "instance:perfstack_memory_utilisation:ratio", "Memory in use",
         (("warning", c.system.memory_ratio, "thresholds.system.memory"),
          ("critical", c.alerts.memory_critical_ratio, "alerts.memory_critical"))),
    ):
        for severity, level, key in levels:
            rules.append(_rule(
                alert, severity, f"{record} > {number(level)}", ">", level,
                f"{what} above {_pct(level)} on {{{{ $labels.instance }}}}",
                (f"{what} on {{{{ $labels.instance }}}} is {{{{ $value | humanizePercentage }}}}, above {_pct(level)} "
                 f"for {{for}} ({key})."),
                t))
    for alert, record, what, level, key in (
        ("HostDiskIoHigh", "instance:perfstack_disk_io_bytes:rate5m", "Disk I/O (read + written)",
         c.system.disk_io_bytes_per_second, "disk_io"),
        ("HostNetworkIoHigh", "instance:perfstack_network_io_bytes:rate5m", "Network I/O (received + transmitted)",
         c.system.network_io_bytes_per_second, "network_io"),
    ):
        rules.append(_rule(
            alert, "warning", f"{record} > {number(level)}", ">", level,
            f"{what.split(' (')[0]} above {humanize(level)}B/s on {{{{ $labels.instance }}}}",
            (f"{what} on {{{{ $labels.instance }}}} is {{{{ $value | humanize }}}}B/s, above {humanize(level)}B/s "
             f"for {{for}} (thresholds.system.{key})."),
            t))
    horizon = format_duration(c.alerts.capacity_horizon_seconds)
    window = format_duration(capacity_window_seconds(c))
    seconds = number(c.alerts.capacity_horizon_seconds)
    rules.append(_rule(
        "HostMemoryExhaustionPredicted", "warning",
        f"1 - predict_linear(perfstack_memory_available_bytes[{window}], {seconds}) / perfstack_memory_total_bytes >= 1",
        ">=", 1.0,
        f"Memory on {{{{ $labels.instance }}}} predicted to run out within {horizon}",
        (f"At the trend of the last {window}, memory in use on {{{{ $labels.instance }}}} reaches "
         f"{{{{ $value | humanizePercentage }}}} in {horizon}; the trend has held for {{for}}."),
        t))
    rules.append(_rule(
        "HostDiskExhaustionPredicted", "warning",
        (f"1 - predict_linear(perfstack_filesystem_avail_bytes{{{_PSEUDO_FS}}}[{window}], {seconds}) "
         f"/ perfstack_filesystem_size_bytes{{{_PSEUDO_FS}}} >= 1"),
        ">=", 1.0,
        f"Filesystem {{{{ $labels.mountpoint }}}} on {{{{ $labels.instance }}}} predicted to fill within {horizon}",
        (f"At the trend of the last {window}, {{{{ $labels.mountpoint }}}} on {{{{ $labels.instance }}}} reaches "
         f"{{{{ $value | humanizePercentage }}}} used in {horizon}; the trend has held for {{for}}."),
        t))
    return rules


def _dependencies(c: PerformanceConfig, t: Timing) -> list[AlertRule]:
    db, hit = c.database.query_p95_seconds, c.cache.hit_ratio_min
    return [
        _rule(
            "DbQueryLatencyP95High", "warning",
            (f"job:db_client_operation_duration_seconds:p95_rate5m > {number(db)} "
             f"{_guard(c.alerts.min_request_rate, 'job:db_client_operations:rate5m')}"),
            ">", db,
            f"Database p95 latency above {humanize_duration(db)} on job {{{{ $labels.job }}}}",
            (f"p95 database operation latency of job {{{{ $labels.job }}}} is {{{{ $value | humanizeDuration }}}}, "
             f"above {humanize_duration(db)} for {{for}} (thresholds.database.query_p95)."),
            t),
        _rule(
            "CacheHitRatioLow", "warning",
            (f"job:cache_requests:hit_ratio_rate5m < {number(hit)} "
             f"{_guard(c.alerts.min_request_rate, 'job:cache_requests:rate5m')}"),
            "<", hit,
            f"Cache hit ratio below {_pct(hit)} on job {{{{ $labels.job }}}}",
            (f"Only {{{{ $value | humanizePercentage }}}} of cache lookups by job {{{{ $labels.job }}}} hit, "
             f"below {_pct(hit)} for {{for}} (thresholds.cache.hit_rate)."),
            t),
    ]


def _targets(t: Timing) -> list[AlertRule]:
    return [_rule(
        "TargetDown", "critical", 'up{job!="loadgen"} == 0', "==", 0.0,
        "Target {{ $labels.instance }} of job {{ $labels.job }} is down",
        ("Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for {for}; every other "
         "alert about it is blind until it is back."),
        t)]


def alert_groups(config: PerformanceConfig, timing: Timing) -> list[RuleGroup]:
    """Return every alerting group; thresholds come from ``config``, holds from ``timing``."""
    return [
        RuleGroup(name="perfstack.api.alerts", rules=_api(config, timing)),
        RuleGroup(name="perfstack.host.alerts", rules=_host(config, timing)),
        RuleGroup(name="perfstack.dependencies.alerts", rules=_dependencies(config, timing)),
        RuleGroup(name="perfstack.targets.alerts", rules=_targets(timing)),
    ]
