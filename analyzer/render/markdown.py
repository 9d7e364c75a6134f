"""Markdown rendering of a report (for PR comments and CI summaries)."""

from __future__ import annotations

from .values import STATE_MARK, fmt_criterion, fmt_score, fmt_value

__all__ = ["render_markdown"]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: dict) -> str:
    w = report["window"]
    out = [
        "# perfstack analysis", "",
        f"**Health score {fmt_score(report['system_health_score'])}** · performance score "
        f"{fmt_score(report['performance_score'])} · grade **{report['grade'] or 'n/a'}** · verdict "
        f"**{report['verdict']}**", "",
        f"Window: {w['start']} → {w['end']} ({w['duration']}), baseline {w['baseline_offset']} earlier.", "",
        "## Objectives", "", "| State | Objective | Observed | Pass | Warning | Weight |", "|---|---|---|---|---|---|",
    ]
    for o in report["objectives"]:
        out.append(f"| {STATE_MARK[o['state']]} | {_cell(o['title'])}{' (key)' if o['key'] else ''} | "
                   f"{fmt_value(o['observed'], o['unit'])} | {fmt_criterion(o)} | {fmt_criterion(o, 'warning_threshold')} | "
                   f"{o['weight']:g} |")
    out += ["", "## Bottlenecks", ""]
    if not report["bottlenecks"]:
        out.append("None found.")
    for f in report["bottlenecks"]:
        ev = f["evidence"]
        out.append(f"- **{f['severity']}** `{f['id']}` ({f['category']}): {_cell(f['title'])}  \n"
                   f"  evidence: `{_cell(ev['query'])}` = {ev['observed']!r} vs {ev['threshold']!r} over {ev['window']}")
    out += ["", "## Recommendations", ""]
    if report["recommendations"]:
        out += ["| ROI rank | Priority | Effort | Recommendation | Expected improvement |", "|---|---|---|---|---|"]
    for r in report["recommendations"]:
        out.append(f"| {r['roi_rank']} | {r['priority']} | {r['effort']} | {_cell(r['title'])} | {_cell(r['expected_improvement'])} |")
    out += ["", "## Trends", ""]
    for c in report["trends"]["comparisons"]:
        change = "n/a" if c["change_ratio"] is None else f"{100 * c['change_ratio']:+.0f} %"
        out.append(f"- {c['title']}: {change}{' **degraded**' if c['degraded'] else ''} {c['note']}".rstrip())
    out += ["", "## Capacity", "", report["capacity"]["summary"] or "n/a", ""]
    return "\n".join(out)
