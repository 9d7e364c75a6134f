"""Compare two reports metric by metric and give a regression verdict that ignores noise.

A change only counts when it is both relatively large (``tolerance``) and absolutely meaningful
(1 ms for latency; for error ratios, one percentage point *and* a two-proportion z-score above 3),
so run-to-run jitter on a quiet service never fails a build.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Change", "compare_reports", "render_comparison"]

_LATENCY = ("p50", "p90", "p95", "p99", "max")
_LATENCY_SLACK_MS = 1.0
_RATE_SLACK = 0.01
_Z_LIMIT = 3.0


@dataclass(frozen=True, kw_only=True)
class Change:
    """One metric's old and new value and what the change means."""

    scope: str
    metric: str
    base: float | None
    new: float | None
    change_ratio: float | None
    verdict: str  # "regression" | "improvement" | "same"


def _ratio(base: float | None, new: float | None) -> float | None:
    if base is None or new is None:
        return None
    if base == 0:
        return 0.0 if new == 0 else math.inf
    return (new - base) / base


def _z(p1: float, n1: int, p2: float, n2: int) -> float:
    if n1 == 0 or n2 == 0:
        return 0.0
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return (p2 - p1) / se if se > 0 else (math.inf if p2 > p1 else 0.0)


def _scope_changes(scope: str, base: dict[str, Any], new: dict[str, Any], tolerance: float) -> list[Change]:
    out: list[Change] = []
    for metric in _LATENCY:
        b, n = base["latency_ms"].get(metric), new["latency_ms"].get(metric)
        ratio, verdict = _ratio(b, n), "same"
        if ratio is not None and abs(n - b) > _LATENCY_SLACK_MS and abs(ratio) > tolerance:
            verdict = "regression" if n > b else "improvement"
        out.append(Change(scope=scope, metric=f"{metric}_ms", base=b, new=n, change_ratio=ratio, verdict=verdict))
    b, n = base.get("rps"), new.get("rps")
    ratio, verdict = _ratio(b, n), "same"
    if ratio is not None and abs(ratio) > tolerance:
        verdict = "regression" if n < b else "improvement"
    out.append(Change(scope=scope, metric="rps", base=b, new=n, change_ratio=ratio, verdict=verdict))
    for metric in ("error_rate", "timeout_rate"):
        b, n = base.get(metric, 0.0), new.get(metric, 0.0)
        z = _z(b, base.get("requests", 0), n, new.get("requests", 0))
        verdict = "same"
        if abs(n - b) > _RATE_SLACK and abs(z) > _Z_LIMIT:
            verdict = "regression" if n > b else "improvement"
        out.append(Change(scope=scope, metric=metric, base=b, new=n, change_ratio=_ratio(b, n), verdict=verdict))
    return out


def compare_reports(base: dict[str, Any], new: dict[str, Any], *, tolerance: float = 0.10) -> tuple[str, list[Change]]:
    """Return the overall verdict and the per-metric changes (summary, then shared endpoints)."""
    changes = _scope_changes("all", base["summary"], new["summary"], tolerance)
    for name in sorted(set(base["endpoints"]) & set(new["endpoints"])):
        changes += _scope_changes(name, base["endpoints"][name], new["endpoints"][name], tolerance)
    verdicts = {c.verdict for c in changes}
    overall = "regression" if "regression" in verdicts else ("improvement" if "improvement" in verdicts else "no significant change")
    return overall, changes


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def render_comparison(overall: str, changes: list[Change]) -> str:
    """Return a plain-text table of the changes and the verdict line."""
    lines = [f"{'scope':<16} {'metric':<14} {'base':>10} {'new':>10} {'change':>9}  verdict"]
    for c in changes:
        change = "-" if c.change_ratio is None else ("inf" if math.isinf(c.change_ratio) else f"{c.change_ratio:+.1%}")
        lines.append(f"{c.scope[:16]:<16} {c.metric:<14} {_fmt(c.base):>10} {_fmt(c.new):>10} {change:>9}  {c.verdict}")
    lines.append(f"verdict: {overall}")
    return "\n".join(lines)
