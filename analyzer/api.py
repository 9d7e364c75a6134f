"""The seed spec's Python API: analyse plain numbers and series without Prometheus.

``OptimizationAnalyzer().analyze_performance_data(metrics_data)`` returns the same dict as the
CLI's JSON. ``metrics_data`` uses the objective ids in base units (seconds, ratios 0-1, bytes/s)
or the friendlier aliases below (``*_ms``, ``*_percent``, ``error_rate``, ``cpu_usage`` ...).
An average response time stands in for p95 when no percentile is given: the p95 is at least
the average, so a failing average is a certain failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from perfstack.config import PerformanceConfig, load_config

from .model import Observations, RouteStat, Window
from .report import analyze

__all__ = ["OptimizationAnalyzer", "ALIASES", "observations_from_dict"]

# alias → (measurement id, factor to base units); ratios must be 0-1, percents 0-100.
ALIASES: dict[str, tuple[str, float]] = {
    "p95_response_time_ms": ("api_latency_p95", 1e-3), "response_time_p95_ms": ("api_latency_p95", 1e-3),
    "p95_response_time": ("api_latency_p95", 1.0),
    "error_rate": ("api_error_ratio", 1.0), "error_rate_percent": ("api_error_ratio", 1e-2),
    "timeout_rate": ("api_timeout_ratio", 1.0), "timeout_rate_percent": ("api_timeout_ratio", 1e-2),
    "cpu_usage": ("cpu_utilisation", 1.0), "cpu_percent": ("cpu_utilisation", 1e-2),
    "memory_usage": ("memory_utilisation", 1.0), "memory_percent": ("memory_utilisation", 1e-2),
    "cache_hit_rate": ("cache_hit_ratio", 1.0), "cache_hit_percent": ("cache_hit_ratio", 1e-2),
    "db_query_p95_ms": ("db_query_p95", 1e-3), "throughput": ("request_rate", 1.0),
    "availability_percent": ("availability", 1e-2),
}
AVERAGE_ALIASES = {"average_response_time_ms": 1e-3, "avg_response_time_ms": 1e-3, "response_time_ms": 1e-3,
                   "average_response_time": 1.0}
RATIO_IDS = {"api_error_ratio", "api_timeout_ratio", "cpu_utilisation", "memory_utilisation", "cache_hit_ratio",
             "availability", "db_time_share"}


def _number(key: str, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ValueError(f"metrics_data[{key!r}]: expected a number, got {raw!r}")
    return float(raw)


def _values(data: Mapping[str, object]) -> dict[str, float]:
    out: dict[str, float] = {}
    average = None
    for key, raw in data.items():
        if key in ("series", "baseline", "window", "slow_routes", "error_routes"):
            continue
        if key in AVERAGE_ALIASES:
            average = _number(key, raw) * AVERAGE_ALIASES[key]
            continue
        mid, factor = ALIASES.get(key, (key, 1.0))
        value = _number(key, raw) * factor
        if mid in RATIO_IDS and not 0.0 <= value <= 1.0:
            raise ValueError(f"metrics_data[{key!r}]: expected a ratio between 0 and 1 (use '{key}_percent' "
                             f"or a *_percent key for 0-100), got {raw!r}")
        out[mid] = value
    if average is not None:
        out.setdefault("api_latency_p95", average)
    return out


def observations_from_dict(data: Mapping[str, object], now: float) -> Observations:
    """Build :class:`Observations` from a plain dict (see module docstring for the keys)."""
    win = data.get("window") or {}
    end = float(win.get("end", now))
    window = Window(start=float(win.get("start", end - 1800)), end=end,
                    baseline_offset_seconds=float(win.get("baseline_offset_seconds", 86400)))
    series = {ALIASES.get(k, (k, 1.0))[0]: v for k, v in (data.get("series") or {}).items()}
    routes = {name: [RouteStat(route=r["route"], share=r.get("share"), value=r.get("value"))
                     for r in data.get(name) or []] for name in ("slow_routes", "error_routes")}
    return Observations(window=window, values=_values(data), baseline=_values(data.get("baseline") or {}),
                        series=series, **routes)


class OptimizationAnalyzer:
    """Score, diagnose and recommend from plain metrics, judged against ``performance_config.yaml``."""

    def __init__(self, config: PerformanceConfig | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config or load_config(None)
        self.clock = clock

    def analyze_performance_data(self, metrics_data: Mapping[str, object]) -> dict:
        """Return the report dict (same keys as ``python -m analyzer --format json``)."""
        return analyze(observations_from_dict(metrics_data, self.clock()), self.config)
