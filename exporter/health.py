"""Judge health from observations against ``performance_config.yaml`` (pure).

``degraded`` means a warning threshold is exceeded, ``unhealthy`` a critical one (CPU, memory,
error ratio, whose critical levels live under ``alerts``). Request-based checks stay silent
below ``alerts.min_request_rate`` for the same reason the alerts do: two failures out of
three requests say nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfstack.config import PerformanceConfig

__all__ = ["HealthObservations", "judge_health"]

_RANK = {"healthy": 0, "degraded": 1, "unhealthy": 2}


@dataclass(frozen=True, kw_only=True)
class HealthObservations:
    """What the monitor saw over its window; ``None`` means not observed."""

    system: dict[str, float] | None = None
    request_rate: float = 0.0
    latency_p95_seconds: float | None = None
    error_ratio: float | None = None
    timeout_ratio: float | None = None
    db_p95_seconds: float | None = None
    cache_hit_ratio: float | None = None


def _check(checks: dict, reasons: list, name: str, value: float | None, warn: float,
           crit: float | None = None, below: bool = False, unit: str = "") -> None:
    if value is None:
        return
    bad = (lambda limit: value < limit) if below else (lambda limit: value > limit)
    status = "healthy"
    if crit is not None and bad(crit):
        status = "unhealthy"
    elif bad(warn):
        status = "degraded"
    checks[name] = {"value": value, "limit": warn, "critical": crit, "status": status}
    if status != "healthy":
        word = "below" if below else "above"
        limit = crit if status == "unhealthy" else warn
        reasons.append(f"{name} {value:.4g}{unit} is {word} the {'critical' if status == 'unhealthy' else 'warning'} "
                       f"level {limit:.4g}{unit}")


def judge_health(config: PerformanceConfig, obs: HealthObservations) -> dict:
    """Return ``{"status", "reasons", "checks"}`` for the observations."""
    checks: dict[str, dict] = {}
    reasons: list[str] = []
    sysc, al = config.system, config.alerts
    if obs.system is not None:
        s = obs.system
        _check(checks, reasons, "cpu_ratio", s.get("cpu_ratio"), sysc.cpu_ratio, al.cpu_critical_ratio)
        _check(checks, reasons, "memory_ratio", s.get("memory_ratio"), sysc.memory_ratio, al.memory_critical_ratio)
        _check(checks, reasons, "disk_io_bytes_per_second", s.get("disk_io_bytes_per_second"),
               sysc.disk_io_bytes_per_second, unit=" B/s")
        _check(checks, reasons, "network_io_bytes_per_second", s.get("network_io_bytes_per_second"),
               sysc.network_io_bytes_per_second, unit=" B/s")
    if obs.request_rate >= al.min_request_rate and obs.request_rate > 0:
        _check(checks, reasons, "latency_p95_seconds", obs.latency_p95_seconds, config.api.latency_p95_seconds,
               unit=" s")
        _check(checks, reasons, "error_ratio", obs.error_ratio, config.api.error_ratio, al.error_critical_ratio)
        _check(checks, reasons, "timeout_ratio", obs.timeout_ratio, config.api.timeout_ratio)
    _check(checks, reasons, "db_p95_seconds", obs.db_p95_seconds, config.database.query_p95_seconds, unit=" s")
    _check(checks, reasons, "cache_hit_ratio", obs.cache_hit_ratio, config.cache.hit_ratio_min, below=True)
    status = max((c["status"] for c in checks.values()), key=_RANK.__getitem__, default="healthy")
    return {"status": status, "reasons": reasons, "checks": checks}
