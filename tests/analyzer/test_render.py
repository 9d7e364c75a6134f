"""Renderers on a real analysis: strict JSON, Markdown, text, and HTML opened in headless Chromium."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess

import pytest

from analyzer import OptimizationAnalyzer, render
from analyzer.render.html import CHARTS


def _report() -> dict:
    ts = [1_800_000_000.0 + 60 * i for i in range(12)]
    return OptimizationAnalyzer(clock=lambda: ts[-1]).analyze_performance_data({
        "p95_response_time": math.inf, "error_rate": 0.01, "cpu_usage": 0.9, "cache_hit_rate": 0.5,
        "series": {"api_latency_p95": [(t, 0.2 + 0.1 * i) for i, t in enumerate(ts)],
                   "cpu_utilisation": [(t, 0.5 + 0.04 * i) for i, t in enumerate(ts)],
                   "request_rate": [(t, 10.0 * (i + 1)) for i, t in enumerate(ts)]},
    })


def test_json_is_strict_and_keeps_infinity_as_text():
    text = render(_report(), "json")
    parsed = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    latency = next(o for o in parsed["objectives"] if o["id"] == "api_latency_p95")
    assert latency["observed"] == "+Inf" and latency["state"] == "fail"


def test_text_and_markdown_show_score_objectives_and_findings():
    report = _report()
    text = render(report, "text")
    assert f"grade {report['grade']}" in text and "+Inf" in text and "cpu_saturation" in text
    md = render(report, "markdown")
    assert "| FAIL | API latency p95 | +Inf |" in md
    assert "## Recommendations" in md and "| ROI rank |" in md


def test_html_is_self_contained():
    html = render(_report(), "html")
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    assert html.count('<svg class="chart"') == 3
    assert html.count('class="chart-empty"') == len(CHARTS) - 3


@pytest.mark.slow
@pytest.mark.browser
def test_html_report_renders_charts_in_headless_chromium(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium not installed (make deps)")
    page = tmp_path / "report.html"
    page.write_text(render(_report(), "html"), encoding="utf-8")
    res = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90)
    dom = res.stdout
    assert 'data-charts-ready="3"' in dom, res.stderr[-2000:]
    assert len(re.findall(r'<svg class="chart" data-series="(api_latency_p95|request_rate|cpu_utilisation)"', dom)) == 3
    assert 'id="health-score"' in dom and 'id="objectives"' in dom and "cpu_saturation" in dom
