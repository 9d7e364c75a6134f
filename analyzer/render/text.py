"""Plain-text (terminal) and JSON renderings of a report."""

from __future__ import annotations

import json
import math

from .values import STATE_MARK, fmt_criterion, fmt_score, fmt_value

__all__ = ["render_text", "render_json", "json_safe"]


def json_safe(obj):
    """Return ``obj`` with infinities as "+Inf"/"-Inf" and NaN as null, so the JSON is strict."""
    if isinstance(obj, float):
        if math.isnan(obj):
            return None
        if math.isinf(obj):
            return "+Inf" if obj > 0 else "-Inf"
        return obj
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


def render_json(report: dict) -> str:
    return json.dumps(json_safe(report), indent=2, allow_nan=False) + "\n"


def render_text(report: dict) -> str:
    w = report["window"]
    lines = [
        f"perfstack analysis {w['start']} .. {w['end']} ({w['duration']})" + (f" run {w['run_id']}" if w["run_id"] else ""),
        f"health score {fmt_score(report['system_health_score'])}  performance score "
        f"{fmt_score(report['performance_score'])}  grade {report['grade'] or 'n/a'}  verdict {report['verdict'].upper()}",
        "", "Objectives:",
    ]
    for o in report["objectives"]:
        key = " (key)" if o["key"] else ""
        lines.append(f"  {STATE_MARK[o['state']]:<8} {o['title']}{key}: {fmt_value(o['observed'], o['unit'])} "
                     f"(pass {fmt_criterion(o)})")
    lines += ["", "Bottlenecks:" if report["bottlenecks"] else "Bottlenecks: none"]
    for f in report["bottlenecks"]:
        lines.append(f"  [{f['severity']}] {f['id']} ({f['category']}): {f['title']}")
    if report["recommendations"]:
        lines += ["", "Recommendations:"]
    for r in report["recommendations"]:
        lines.append(f"  {r['roi_rank']:>2}. [{r['priority']}, effort {r['effort']}] {r['title']} — {r['expected_improvement']}")
    degraded = [c for c in report["trends"]["comparisons"] if c["degraded"]]
    lines += ["", "Trends: " + (", ".join(c["title"] for c in degraded) + " degraded" if degraded else "no degradation")]
    lines.append("Capacity: " + (report["capacity"]["summary"] or "n/a"))
    return "\n".join(lines) + "\n"
