"""Compare the window with the same window one baseline offset earlier; project exhaustion.

A change only counts as degradation when it is over the configured ratio (50 % by default),
larger than a noise floor in absolute terms, and both windows carried enough traffic: a p95 that
doubles from 4 ms to 8 ms on 0.1 req/s is noise, not a regression.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfstack.config import PerformanceConfig

from .model import Observations
from .stats import linear_fit

__all__ = ["TrendSpec", "TREND_SPECS", "EXHAUSTION_SERIES", "compare", "exhaustion", "trends"]


@dataclass(frozen=True, kw_only=True)
class TrendSpec:
    """A metric compared with its baseline: which direction is worse and the noise floor."""

    id: str
    title: str
    higher_is_worse: bool
    noise_floor: float
    needs_traffic: bool = True


TREND_SPECS = (
    TrendSpec(id="api_latency_p95", title="API latency p95", higher_is_worse=True, noise_floor=0.010),
    TrendSpec(id="api_error_ratio", title="API error rate", higher_is_worse=True, noise_floor=0.005),
    TrendSpec(id="request_rate", title="Throughput", higher_is_worse=False, noise_floor=0.0),
    TrendSpec(id="cpu_utilisation", title="CPU utilisation", higher_is_worse=True, noise_floor=0.05,
              needs_traffic=False),
)
EXHAUSTION_SERIES = (("memory_utilisation", "Memory"), ("disk_utilisation", "Disk space"))


def compare(spec: TrendSpec, current: float | None, baseline: float | None, *, traffic_ok: bool,
            degradation_ratio: float) -> dict:
    """Return one comparison entry; ``degraded`` is True only past ratio, noise floor and traffic guard."""
    entry = {"id": spec.id, "title": spec.title, "current": current, "baseline": baseline,
             "change_ratio": None, "degraded": False, "note": ""}
    if current is None or baseline is None:
        entry["note"] = "no baseline data" if baseline is None else "no data in window"
        return entry
    delta = current - baseline
    if baseline != 0:
        entry["change_ratio"] = delta / abs(baseline)
    worse = delta > 0 if spec.higher_is_worse else delta < 0
    big = entry["change_ratio"] is None or abs(entry["change_ratio"]) > degradation_ratio
    if spec.needs_traffic and not traffic_ok:
        entry["note"] = "too little traffic to compare"
    elif abs(delta) <= spec.noise_floor:
        entry["note"] = "within noise"
    elif worse and big:
        entry["degraded"] = True
        entry["note"] = "degraded"
    return entry


def exhaustion(key: str, title: str, points, horizon_seconds: float) -> dict:
    """Return the trend slope of a 0-1 usage series and the projected time until it reaches 1."""
    entry = {"id": key, "title": title, "current": None, "slope_per_hour": None,
             "time_to_exhaustion_seconds": None, "predicted": False}
    fit = linear_fit(points)
    if fit is None:
        return entry
    slope, last = fit
    entry["current"], entry["slope_per_hour"] = last, slope * 3600
    if slope > 1e-9 and last < 1.0:
        tte = (1.0 - last) / slope
        entry["time_to_exhaustion_seconds"] = tte
        entry["predicted"] = tte <= horizon_seconds
    return entry


def trends(obs: Observations, config: PerformanceConfig) -> dict:
    """Return the ``trends`` section: baseline comparisons, exhaustion projections and key series."""
    min_rate = config.alerts.min_request_rate
    now_rate, base_rate = obs.value("request_rate"), obs.baseline.get("request_rate")
    traffic_ok = (now_rate or 0.0) >= min_rate and (base_rate or 0.0) >= min_rate and min_rate >= 0
    comparisons = [compare(s, obs.value(s.id), obs.baseline.get(s.id), traffic_ok=traffic_ok,
                           degradation_ratio=config.alerts.latency_degradation_ratio) for s in TREND_SPECS]
    return {
        "baseline_offset_seconds": obs.window.baseline_offset_seconds,
        "comparisons": comparisons,
        "exhaustion": [exhaustion(k, t, obs.series.get(k, ()), config.alerts.capacity_horizon_seconds)
                       for k, t in EXHAUSTION_SERIES],
        "series": {k: [[t, v] for t, v in pts] for k, pts in obs.series.items()},
    }
