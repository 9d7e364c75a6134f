"""Pass/fail thresholds: ``p95<1000ms``, ``error_rate<5%``, ``rps>100``, ``p99{endpoint=login}<2s``.

Parsing and evaluation are pure functions of the expression and a report summary, so the same
check runs live (abort after a grace period) and on finished or merged reports.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from perfstack import units
from perfstack.config import PerformanceConfig

__all__ = ["Threshold", "parse_threshold", "default_thresholds", "evaluate", "LATENCY_METRICS"]

LATENCY_METRICS = ("mean", "p50", "p90", "p95", "p99", "p999", "max")
_RATIO_METRICS = ("error_rate", "timeout_rate")
_COUNT_METRICS = ("rps", "requests", "failures")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt,
}
_EXPR = re.compile(r"\s*([a-z_0-9]+)\s*(?:\{\s*endpoint\s*=\s*\"?([^\"}]+?)\"?\s*\})?\s*(<=|>=|<|>)\s*(\S+)\s*")


@dataclass(frozen=True, kw_only=True)
class Threshold:
    """One check: ``metric`` (optionally for one ``endpoint``) compared with ``limit``.

    Latency limits are in milliseconds, ratios 0-1, rates per second, as in the report.
    """

    expr: str
    metric: str
    op: str
    limit: float
    endpoint: str | None = None
    uncorrected: bool = False


def parse_threshold(expr: str) -> Threshold:
    """Parse a threshold expression or raise ``ValueError`` saying what was expected."""
    match = _EXPR.fullmatch(expr)
    if not match:
        raise ValueError(f"invalid threshold {expr!r}: expected e.g. 'p95<1000ms', 'error_rate<5%', "
                         "'rps>100' or 'p99{endpoint=login}<2s'")
    metric, endpoint, op, raw = match.groups()
    uncorrected = metric.endswith("_uncorrected")
    base = metric.removesuffix("_uncorrected")
    try:
        if base in LATENCY_METRICS:
            limit = units.parse_duration(raw) * 1000.0
        elif base in _RATIO_METRICS and not uncorrected:
            limit = units.parse_ratio(raw) if raw.endswith("%") else units.parse_ratio(float(raw))
        elif base in _COUNT_METRICS and not uncorrected:
            limit = units.parse_rate(float(raw.removesuffix("/s")))
        else:
            known = ", ".join((*LATENCY_METRICS, *_RATIO_METRICS, *_COUNT_METRICS))
            raise ValueError(f"unknown metric {metric!r} (known: {known}; latencies also as <name>_uncorrected)")
    except ValueError as exc:
        raise ValueError(f"invalid threshold {expr!r}: {exc}") from None
    return Threshold(expr=expr.strip(), metric=base, op=op, limit=limit, endpoint=endpoint, uncorrected=uncorrected)


def default_thresholds(config: PerformanceConfig) -> list[Threshold]:
    """Return the API objectives of ``performance_config.yaml`` as thresholds."""
    api = config.api
    return [
        parse_threshold(f"p95<{api.latency_p95_seconds * 1000:g}ms"),
        parse_threshold(f"error_rate<{api.error_ratio * 100:g}%"),
        parse_threshold(f"timeout_rate<{api.timeout_ratio * 100:g}%"),
    ]


def _observed(th: Threshold, summary: Mapping[str, Any], endpoints: Mapping[str, Any]) -> float | None:
    scope = summary if th.endpoint is None else endpoints.get(th.endpoint)
    if scope is None:
        return None
    if th.metric in LATENCY_METRICS:
        return scope["latency_uncorrected_ms" if th.uncorrected else "latency_ms"].get(th.metric)
    return scope.get(th.metric)


def evaluate(thresholds: list[Threshold], summary: Mapping[str, Any],
             endpoints: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return ``[{expr, ok, observed}]``; a threshold with nothing observed fails."""
    results = []
    for th in thresholds:
        observed = _observed(th, summary, endpoints)
        ok = observed is not None and _OPS[th.op](observed, th.limit)
        results.append({"expr": th.expr, "ok": bool(ok), "observed": observed, "limit": th.limit,
                        "unit": "ms" if th.metric in LATENCY_METRICS else ("ratio" if th.metric in _RATIO_METRICS else "")})
    return results
