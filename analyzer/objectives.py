"""Turn every threshold in ``performance_config.yaml`` into a Keptn-style objective and grade it.

An objective has a pass criterion (the configured threshold) and a warning band beyond it: the
alert's critical level where the config has one, otherwise 20 % past the threshold (Keptn's
customary "+10 % pass, +20 % warning" shape). Warning earns half the weight in the score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from perfstack.config import PerformanceConfig

from .model import Observations

__all__ = ["ObjectiveSpec", "objective_specs", "evaluate_objectives", "PASS", "WARNING", "FAIL", "NO_DATA",
           "WARNING_BAND"]

PASS, WARNING, FAIL, NO_DATA = "pass", "warning", "fail", "no_data"
WARNING_BAND = 0.20


@dataclass(frozen=True, kw_only=True)
class ObjectiveSpec:
    """One objective: what it measures, its criteria and how much it counts."""

    id: str
    title: str
    category: str
    unit: str
    pass_limit: float
    warning_limit: float
    lower_is_better: bool = True
    weight: float = 1.0
    key: bool = False


def objective_specs(config: PerformanceConfig) -> tuple[ObjectiveSpec, ...]:
    """Return the objectives for ``config``, in report order."""
    api, sysc = config.api, config.system
    band = 1.0 + WARNING_BAND

    def upper(id_: str, title: str, category: str, unit: str, limit: float, warn: float | None = None,
              **kw) -> ObjectiveSpec:
        return ObjectiveSpec(id=id_, title=title, category=category, unit=unit, pass_limit=limit,
                             warning_limit=max(limit, warn) if warn is not None else limit * band, **kw)

    hit = config.cache.hit_ratio_min
    return (
        upper("api_latency_p95", "API latency p95", "api", "seconds", api.latency_p95_seconds, weight=2.0),
        upper("api_error_ratio", "API error rate (5xx)", "api", "ratio", api.error_ratio,
              config.alerts.error_critical_ratio, weight=2.0, key=True),
        ObjectiveSpec(id="availability", title="Availability (targets up)", category="api", unit="ratio",
                      pass_limit=api.availability_ratio_min, warning_limit=config.alerts.availability_critical_ratio,
                      lower_is_better=False,
                      weight=2.0, key=True),
        upper("api_timeout_ratio", "API timeout rate", "api", "ratio", api.timeout_ratio),
        upper("cpu_utilisation", "CPU utilisation (busiest host)", "infrastructure", "ratio", sysc.cpu_ratio,
              config.alerts.cpu_critical_ratio),
        upper("memory_utilisation", "Memory utilisation (busiest host)", "infrastructure", "ratio",
              sysc.memory_ratio, config.alerts.memory_critical_ratio),
        upper("disk_io", "Disk I/O (busiest host)", "infrastructure", "bytes_per_second",
              sysc.disk_io_bytes_per_second),
        upper("network_io", "Network I/O (busiest host)", "infrastructure", "bytes_per_second",
              sysc.network_io_bytes_per_second),
        upper("db_query_p95", "Database operation p95", "database", "seconds", config.database.query_p95_seconds),
        ObjectiveSpec(id="cache_hit_ratio", title="Cache hit ratio", category="caching", unit="ratio",
                      pass_limit=hit, warning_limit=hit * (1.0 - WARNING_BAND / 2), lower_is_better=False),
        upper("generator_schedule_lag_p99", "Load generator schedule lag p99", "infrastructure", "seconds",
              config.generator.schedule_lag_p99_seconds, weight=0.0),
    )


def grade_value(spec: ObjectiveSpec, observed: float | None) -> str:
    """Return pass / warning / fail for one value, or no_data when there is none (NaN included)."""
    if observed is None or math.isnan(observed):
        return NO_DATA
    if spec.lower_is_better:
        if observed <= spec.pass_limit:
            return PASS
        return WARNING if observed <= spec.warning_limit else FAIL
    if observed >= spec.pass_limit:
        return PASS
    return WARNING if observed >= spec.warning_limit else FAIL


def evaluate_objectives(specs: tuple[ObjectiveSpec, ...], obs: Observations) -> list[dict]:
    """Return one report entry per objective, with query, observed value, criteria and state."""
    out = []
    for spec in specs:
        observed = obs.value(spec.id)
        out.append({
            "id": spec.id, "title": spec.title, "category": spec.category, "unit": spec.unit,
            "query": obs.query(spec.id), "observed": observed,
            "pass_criterion": f"{'<=' if spec.lower_is_better else '>='} {spec.pass_limit:g}",
            "warning_criterion": f"{'<=' if spec.lower_is_better else '>='} {spec.warning_limit:g}",
            "threshold": spec.pass_limit, "warning_threshold": spec.warning_limit,
            "weight": spec.weight, "key": spec.key, "state": grade_value(spec, observed),
        })
    return out
