"""Render thresholds as a JUnit XML test suite: one test case per threshold, for CI systems."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["render_junit"]


def render_junit(report: dict[str, Any]) -> str:
    """Return JUnit XML for ``report``'s thresholds (saturation is a property and a note)."""
    run, thresholds, gen = report["run"], report["thresholds"], report["generator"]
    failures = sum(1 for t in thresholds if not t["ok"])
    duration = report["summary"].get("duration_s", 0.0)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="loadgen" tests="{len(thresholds)}" failures="{failures}" time="{duration}">',
        f'  <testsuite name={quoteattr("loadgen " + run["profile"])} tests="{len(thresholds)}" '
        f'failures="{failures}" errors="0" time="{duration}" timestamp={quoteattr(run["start"])}>',
        "    <properties>",
        f'      <property name="run_id" value={quoteattr(run["id"])}/>',
        f'      <property name="base_url" value={quoteattr(run["base_url"])}/>',
        f'      <property name="generator_saturated" value="{str(gen["saturated"]).lower()}"/>',
        f'      <property name="interrupted" value="{str(bool(run.get("interrupted"))).lower()}"/>',
        "    </properties>",
    ]
    for th in thresholds:
        lines.append(f'    <testcase classname="loadgen.thresholds" name={quoteattr(th["expr"])} time="0">')
        if not th["ok"]:
            msg = f"{th['expr']} failed: observed {th['observed']}"
            lines.append(f'      <failure message={quoteattr(msg)} type="threshold">{escape(msg)}</failure>')
        lines.append("    </testcase>")
    if gen["saturated"]:
        lines.append("    <system-err>generator saturated: schedule lag p99 "
                     f"{gen['schedule_lag_ms']['p99']} ms above {gen['schedule_lag_limit_ms']} ms</system-err>")
    lines += ["  </testsuite>", "</testsuites>", ""]
    return "\n".join(lines)
