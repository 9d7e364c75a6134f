"""Assemble the report: the one pure function from observations to the ten JSON keys."""

from __future__ import annotations

from datetime import UTC, datetime

from perfstack.config import PerformanceConfig
from perfstack.units import format_duration

from . import scoring
from .bottlenecks import SEVERITIES, find_bottlenecks
from .capacity import capacity
from .model import Observations
from .objectives import FAIL, evaluate_objectives, objective_specs
from .recommendations import recommend
from .trends import trends as compute_trends

__all__ = ["analyze", "REPORT_KEYS", "iso"]

REPORT_KEYS = ("system_health_score", "performance_score", "grade", "verdict", "window", "objectives",
               "bottlenecks", "recommendations", "trends", "capacity")


def iso(ts: float) -> str:
    """Return an RFC 3339 UTC timestamp."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def analyze(obs: Observations, config: PerformanceConfig) -> dict:
    """Return the full report for ``obs`` judged against ``config``."""
    objectives = evaluate_objectives(objective_specs(config), obs)
    key_failed = scoring.key_failures(objectives)
    health = scoring.score(objectives)
    trend = compute_trends(obs, config)
    findings = find_bottlenecks(objectives, obs, trend, config)
    for f in findings:
        f.pop("impact", None)
    w = obs.window
    return {
        "system_health_score": health,
        "performance_score": scoring.score(objectives, scoring.PERFORMANCE_CATEGORIES),
        "grade": scoring.grade(health, bool(key_failed)),
        "verdict": scoring.verdict(health, bool(key_failed), any(o["state"] == FAIL for o in objectives)),
        "window": {"start": iso(w.start), "end": iso(w.end), "start_unix": w.start, "end_unix": w.end,
                   "duration": format_duration(w.seconds), "baseline_offset": format_duration(w.baseline_offset_seconds),
                   "run_id": w.run_id, "key_objectives_failed": key_failed,
                   "finding_counts": {s: sum(f["severity"] == s for f in findings) for s in SEVERITIES}},
        "objectives": objectives,
        "bottlenecks": findings,
        "recommendations": recommend(findings),
        "trends": trend,
        "capacity": capacity(obs.series.get("request_rate", ()), obs.series.get("api_latency_p95", ()),
                             obs.series.get("api_error_ratio", ()), latency_threshold=config.api.latency_p95_seconds),
    }
