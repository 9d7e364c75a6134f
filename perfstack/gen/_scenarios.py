"""Which synthetic signal exercises which alert, and at which levels, derived from the config.

Levels sit between the configured thresholds (warning level halfway to critical, critical level
halfway to the ceiling), so changing ``performance_config.yaml`` moves the test inputs with the
rules. Expected outcomes are not listed here: :mod:`perfstack.gen.rule_tests` derives them from
each rule's condition.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from perfstack.config import ConfigError, PerformanceConfig
from perfstack.gen import _signals as sig
from perfstack.gen._alert_rules import capacity_window_seconds, degradation_floor_seconds
from perfstack.gen._promrules import PRODUCTION

__all__ = ["Scenario", "scenarios"]


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """One way to drive one alert name through fire, silence and recovery."""

    alert: str
    title: str
    signal: sig.Signal
    labels: Mapping[str, str]
    levels: Mapping[str, tuple[float, float]]  # severity → (a level that fires it, a level just short of it)
    calm: float
    window_minutes: int
    uses_traffic: bool = True
    history_minutes: int = 0
    step_minutes: int = 1  # sample and evaluation step; ramps assume 1


def _between(low: float, high: float) -> float:
    return (low + high) / 2


def _p95_levels(config: PerformanceConfig, key: str, edges: tuple[float, ...],
                threshold: float) -> tuple[float, float, float]:
    """Return (above, below, calm) p95 levels around ``threshold`` that the histogram can show."""
    try:
        above = sig.pick_p95(edges, threshold * 1.5, threshold, math.inf)
        below = sig.pick_p95(edges, threshold * 0.8, 0.0, threshold)
        return above, below, sig.pick_p95(edges, threshold * 0.3, 0.0, below)
    except ValueError as exc:
        raise ConfigError(config.source, key, f"expected a p95 threshold inside the histogram buckets ({exc})") from None


def _degradation_levels(config: PerformanceConfig) -> tuple[float, float, float]:
    """Return (baseline p95, ratio that fires, ratio just short of firing) for ApiLatencyDegraded."""
    floor, ratio = degradation_floor_seconds(config), 1 + config.alerts.latency_degradation_ratio
    edges = sig.HTTP_BUCKETS
    try:
        base = sig.pick_p95(edges, floor * 3, floor, math.inf)
        above = sig.pick_p95(edges, base * ratio * 1.3, base * ratio, math.inf)
        below = sig.pick_p95(edges, base * (1 + config.alerts.latency_degradation_ratio / 2), base, base * ratio)
    except ValueError as exc:
        raise ConfigError(config.source, "alerts.latency_degradation",
                          f"expected a degradation the latency histogram can show ({exc})") from None
    return base, above / base, below / base


def scenarios(config: PerformanceConfig) -> list[Scenario]:
    """Return every scenario; each alert name has at least one."""
    c = config
    w = round(PRODUCTION.rate_window_seconds / 60)
    job = {"job": "app"}
    host = dict(sig.EXPORTER)
    lat, db = c.api.latency_p95_seconds, c.database.query_p95_seconds
    err_w, err_c = c.api.error_ratio, c.alerts.error_critical_ratio
    cpu_w, cpu_c = c.system.cpu_ratio, c.alerts.cpu_critical_ratio
    mem_w, mem_c = c.system.memory_ratio, c.alerts.memory_critical_ratio
    horizon_min = c.alerts.capacity_horizon_seconds / 60
    capacity_w = round(capacity_window_seconds(c) / 60)
    lat_above, lat_below, lat_calm = _p95_levels(c, "thresholds.api.latency_p95", sig.HTTP_BUCKETS, lat)
    db_above, db_below, db_calm = _p95_levels(c, "thresholds.database.query_p95", sig.DB_BUCKETS, db)
    baseline, degraded_above, degraded_below = _degradation_levels(c)
    out = [
        Scenario(alert="ApiLatencyP95High", title="app p95 latency", signal=sig.http_latency, labels=job,
                 levels={"warning": (lat_above, lat_below)}, calm=lat_calm, window_minutes=w),
        Scenario(alert="ApiErrorRateHigh", title="app 5xx ratio", signal=sig.http_errors, labels=job,
                 levels={"warning": (_between(err_w, err_c), err_w * 0.8),
                         "critical": (_between(err_c, 1.0), _between(err_w, err_c))},
                 calm=err_w * 0.2, window_minutes=w),
        Scenario(alert="ApiErrorRateHigh", title="loadgen failures", signal=sig.loadgen_failures,
                 labels={"job": "loadgen"},
                 levels={"warning": (_between(err_w, err_c), err_w * 0.8),
                         "critical": (_between(err_c, 1.0), _between(err_w, err_c))},
                 calm=err_w * 0.2, window_minutes=w),
        Scenario(alert="ApiTimeoutRateHigh", title="loadgen timeouts and 504s", signal=sig.loadgen_timeouts,
                 labels={"job": "loadgen"}, levels={"warning": (c.api.timeout_ratio * 2, c.api.timeout_ratio * 0.8)},
                 calm=c.api.timeout_ratio * 0.2, window_minutes=w),
        Scenario(alert="ApiTimeoutRateHigh", title="app 504 ratio", signal=sig.server_timeouts, labels=job,
                 levels={"warning": (c.api.timeout_ratio * 2, c.api.timeout_ratio * 0.8)},
                 calm=c.api.timeout_ratio * 0.2, window_minutes=w),
        Scenario(alert="ApiLatencyDegraded", title="app p95 against the baseline",
                 signal=sig.http_latency_ratio(baseline), labels=job,
                 levels={"warning": (degraded_above, degraded_below)},
                 calm=1.0, window_minutes=w, history_minutes=round(c.alerts.baseline_offset_seconds / 60), step_minutes=w),
        Scenario(alert="HostCpuHigh", title="host CPU", signal=sig.cpu, labels=host, uses_traffic=False,
                 levels={"warning": (_between(cpu_w, cpu_c), cpu_w * 0.9),
                         "critical": (_between(cpu_c, 1.0), _between(cpu_w, cpu_c))},
                 calm=cpu_w * 0.5, window_minutes=w),
        Scenario(alert="HostMemoryHigh", title="host memory", signal=sig.memory, labels=host, uses_traffic=False,
                 levels={"warning": (_between(mem_w, mem_c), mem_w * 0.9),
                         "critical": (_between(mem_c, 1.0), _between(mem_w, mem_c))},
                 calm=mem_w * 0.5, window_minutes=0),
        Scenario(alert="HostDiskIoHigh", title="host disk bytes", signal=sig.disk_io, labels=host, uses_traffic=False,
                 levels={"warning": (c.system.disk_io_bytes_per_second * 1.2, c.system.disk_io_bytes_per_second * 0.8)},
                 calm=c.system.disk_io_bytes_per_second * 0.1, window_minutes=w),
        Scenario(alert="HostNetworkIoHigh", title="host network bytes", signal=sig.network_io, labels=host,
                 uses_traffic=False,
                 levels={"warning": (c.system.network_io_bytes_per_second * 1.2,
                                     c.system.network_io_bytes_per_second * 0.8)},
                 calm=c.system.network_io_bytes_per_second * 0.1, window_minutes=w),
        Scenario(alert="DbQueryLatencyP95High", title="database p95", signal=sig.db_latency, labels=job,
                 levels={"warning": (db_above, db_below)}, calm=db_calm, window_minutes=w),
        Scenario(alert="CacheHitRatioLow", title="cache hit ratio", signal=sig.cache_hits, labels=job,
                 levels={"warning": (c.cache.hit_ratio_min * 0.5, _between(c.cache.hit_ratio_min, 1.0))},
                 calm=(_between(c.cache.hit_ratio_min, 1.0) + 1) / 2, window_minutes=w),
        Scenario(alert="HostMemoryExhaustionPredicted", title="memory leak", signal=sig.memory_ramp(horizon_min),
                 labels=host, uses_traffic=False, levels={"warning": (1.25, 0.9)}, calm=0.5,
                 window_minutes=capacity_w),
        Scenario(alert="HostDiskExhaustionPredicted", title="filling disk", signal=sig.filesystem_ramp(horizon_min),
                 labels={**host, **sig.FILESYSTEM}, uses_traffic=False, levels={"warning": (1.25, 0.9)}, calm=0.5,
                 window_minutes=capacity_w),
        Scenario(alert="TargetDown", title="exporter unreachable", signal=sig.target_up, labels=host,
                 uses_traffic=False, levels={"critical": (0.0, 1.0)}, calm=1.0, window_minutes=0),
    ]
    return out
