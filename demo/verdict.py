"""The demo's closing screen: load summary, objectives, top findings and the verdict, as rich tables.

Pure functions of the two JSON reports (``loadtest.json`` from loadgen, ``analysis.json`` from the
analyzer), so the screen can be tested without running anything.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group
from rich.table import Table
from rich.text import Text

__all__ = ["format_value", "load_table", "objectives_table", "findings_table", "verdict_line", "check_expectation",
           "render_verdict"]

_STATE_STYLE = {"pass": "green", "warning": "yellow", "fail": "bold red", "no_data": "dim"}
_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


def format_value(value: float | None, unit: str) -> str:
    """Return a human reading of ``value`` in ``unit`` (seconds → ms, ratios → %, bytes/s → MB/s)."""
    if value is None:
        return "no data"
    if unit == "seconds":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "ratio":
        return f"{value * 100:.1f} %"
    if unit == "bytes_per_second":
        return f"{value / 1e6:.2f} MB/s"
    return f"{value:g}"


def load_table(loadtest: Mapping) -> Table:
    """Return the load-test summary: volume, latency, errors and threshold results."""
    s = loadtest.get("summary", {})
    lat = s.get("latency_ms", {})
    t = Table(title="Load test", title_justify="left", show_header=True)
    for col in ("requests", "req/s", "p50", "p95", "p99", "errors", "timeouts", "thresholds"):
        t.add_column(col, justify="right")
    checks = loadtest.get("thresholds") or []
    passed = sum(1 for c in checks if c.get("ok"))
    th_style = "green" if passed == len(checks) else "red"

    def ms(key: str) -> str:
        return "-" if lat.get(key) is None else f"{lat[key]:.0f} ms"

    t.add_row(str(s.get("requests", "-")), f"{s.get('rps', 0):.1f}", ms("p50"), ms("p95"), ms("p99"),
              format_value(s.get("error_rate"), "ratio"), format_value(s.get("timeout_rate"), "ratio"),
              Text(f"{passed}/{len(checks)} pass", style=th_style))
    return t


def objectives_table(analysis: Mapping) -> Table:
    """Return one row per objective: observed value, criterion and state."""
    t = Table(title="Objectives", title_justify="left")
    t.add_column("objective")
    t.add_column("observed", justify="right")
    t.add_column("pass if", justify="right")
    t.add_column("state")
    for o in analysis.get("objectives", []):
        unit = o.get("unit", "")
        threshold = o.get("threshold")
        op = (o.get("pass_criterion") or "<=").split()[0]
        criterion = f"{op} {format_value(threshold, unit)}" if threshold is not None else "-"
        state = o.get("state", "no_data")
        t.add_row(o.get("title", o.get("id", "?")), format_value(o.get("observed"), unit), criterion,
                  Text(state.replace("_", " "), style=_STATE_STYLE.get(state, "")))
    return t


def findings_table(analysis: Mapping, limit: int = 5) -> Table:
    """Return the first ``limit`` bottlenecks in the analyzer's order (most severe first)."""
    t = Table(title="Top findings", title_justify="left")
    t.add_column("#", justify="right")
    t.add_column("severity")
    t.add_column("category")
    t.add_column("finding")
    findings = analysis.get("bottlenecks", [])
    for i, f in enumerate(findings[:limit], 1):
        sev = f.get("severity", "")
        t.add_row(str(i), Text(sev, style=_SEVERITY_STYLE.get(sev, "")), f.get("category", ""), f.get("title", ""))
    if not findings:
        t.add_row("-", "", "", "no bottleneck found")
    return t


def verdict_line(analysis: Mapping) -> Text:
    """Return 'Verdict: PASS — health 92/100 (grade A)' styled by the verdict."""
    verdict = str(analysis.get("verdict", "unknown"))
    score = analysis.get("system_health_score")
    score_text = f"{score:.0f}/100" if isinstance(score, int | float) else "n/a"
    style = {"pass": "bold green", "warning": "bold yellow"}.get(verdict, "bold red")
    return Text(f"Verdict: {verdict.upper()} — health score {score_text} (grade {analysis.get('grade', '?')})",
                style=style)


def check_expectation(analysis: Mapping, expected: tuple[str, str] | None) -> tuple[bool, str]:
    """Say whether the run shows what the injected fault should show.

    Healthy run (None): the verdict is not a fail. ("top", category): the top finding has that
    category. ("fails", objective id): that objective is not passing.
    """
    findings = analysis.get("bottlenecks") or []
    if expected is None:
        ok = analysis.get("verdict") != "fail"
        return ok, "healthy run: verdict is not a fail" if ok else "healthy run, but the analyzer's verdict is fail"
    kind, what = expected
    if kind == "fails":
        objective = next((o for o in analysis.get("objectives", []) if o.get("id") == what), {})
        state = objective.get("state", "no_data")
        title = objective.get("title", what)
        if state in ("warning", "fail"):
            return True, f"the injected fault was caught: {title} is {state}"
        return False, f"expected {title} to fail, it is {state.replace('_', ' ')}"
    top = findings[0].get("category") if findings else None
    article = "an" if what[:1] in "aeiou" else "a"
    if top == what:
        return True, f"the injected fault was caught: the top finding is {article} {what} bottleneck"
    return False, f"expected {article} {what} bottleneck first, the top finding is {top or 'none'}"


def render_verdict(loadtest: Mapping, analysis: Mapping, expected: tuple[str, str] | None) -> Group:
    """Return everything the demo prints at the end, as one renderable."""
    ok, message = check_expectation(analysis, expected)
    return Group(load_table(loadtest), objectives_table(analysis), findings_table(analysis), verdict_line(analysis),
                 Text(("✓ " if ok else "✗ ") + message, style="green" if ok else "red"))
