"""End to end: real Prometheus over backfilled scenario history, analysed in-process and by the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analyzer import AnalysisRequest, PromClient, analyze_prometheus
from analyzer.__main__ import gate
from perfstack.config import load_config
from tests.conftest import REPO_ROOT

from .scenarios import SLOT_SECONDS

pytestmark = pytest.mark.slow
CONFIG = load_config(None)

# scenario → (top bottleneck id, score band [lo, hi), grade, verdict, exit code without --fail-under)
EXPECTED = {
    "healthy": (None, (90, 100.1), "A", "pass", 0),
    "cpu_bound": ("cpu_saturation", (70, 80), "C", "warning", 0),
    "slow_db": ("slow_database", (70, 80), "C", "warning", 0),
    "cold_cache": ("low_cache_hit_ratio", (80, 90), "B", "warning", 0),
    "error_route": ("error_hotspot_route", (80, 90), "F", "fail", 99),
    "regression": ("latency_p95_regression", (90, 100.1), "A", "pass", 0),
}


def _analyze(prom, end: float, **kw) -> tuple[dict, PromClient]:
    client = PromClient(prom.url)
    req = AnalysisRequest(end=end, window_seconds=1800, baseline_offset_seconds=86400, **kw)
    return analyze_prometheus(client, CONFIG, req), client


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, timeout=60,
                          cwd=REPO_ROOT)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_scenario(name, scenario_prometheus, scenario_layout):
    top, (lo, hi), grade, verdict, code = EXPECTED[name]
    report, client = _analyze(scenario_prometheus, scenario_layout.ends[name])
    assert (report["bottlenecks"][0]["id"] if report["bottlenecks"] else None) == top
    assert lo <= report["system_health_score"] < hi
    assert report["grade"] == grade
    assert report["verdict"] == verdict
    assert (99 if gate(report, None) else 0) == code
    assert client.queries_sent == 27
    for f in report["bottlenecks"]:
        assert set(f["evidence"]) >= {"query", "observed", "threshold", "window"}
        assert f["evidence"]["window"] == "30m" and f["category"] in (
            "infrastructure", "caching", "database", "api", "code")


def test_cpu_bound_latency_follows_cpu_and_capacity_is_found(scenario_prometheus, scenario_layout):
    report, _ = _analyze(scenario_prometheus, scenario_layout.ends["cpu_bound"])
    cpu = report["bottlenecks"][0]
    assert cpu["severity"] == "critical"
    assert cpu["evidence"]["latency_correlation"] >= 0.7
    cap = report["capacity"]
    assert cap["available"] is True
    assert cap["max_throughput_within_slo"] == pytest.approx(60, rel=0.1)
    assert 60 < cap["errors_begin_at_throughput"] <= 80
    scale = next(r for r in report["recommendations"] if r["id"] == "scale_out")
    assert scale["priority"] == "critical" and "1.16×" in scale["expected_improvement"]


def test_error_spike_names_the_route(scenario_prometheus, scenario_layout):
    report, _ = _analyze(scenario_prometheus, scenario_layout.ends["error_route"])
    top = report["bottlenecks"][0]
    assert top["subject"] == "/api/checkout"
    assert top["evidence"]["error_share"] > 0.9
    assert report["window"]["key_objectives_failed"] == ["api_error_ratio"]
    assert report["recommendations"][0]["id"] == "fix_route_errors"


def test_regression_compares_with_the_day_before(scenario_prometheus, scenario_layout):
    report, _ = _analyze(scenario_prometheus, scenario_layout.ends["regression"])
    p95 = next(c for c in report["trends"]["comparisons"] if c["id"] == "api_latency_p95")
    assert p95["degraded"] is True
    assert p95["baseline"] == pytest.approx(0.1 + 0.15 * 0.95, rel=0.01)
    assert p95["change_ratio"] > 2
    healthy, _ = _analyze(scenario_prometheus, scenario_layout.ends["healthy"])
    assert not any(c["degraded"] for c in healthy["trends"]["comparisons"])


def test_empty_window_is_no_data_not_a_crash(scenario_prometheus, scenario_layout):
    report, _ = _analyze(scenario_prometheus, min(scenario_layout.ends.values()) - 30 * 86400)
    assert {o["state"] for o in report["objectives"]} == {"no_data"}
    assert report["system_health_score"] is None and report["verdict"] == "no_data"
    assert report["bottlenecks"] == []
    assert gate(report, None) is None and gate(report, 50) is not None


def test_cli_json_for_healthy_window_exits_0(scenario_prometheus, scenario_layout):
    res = _cli("--prometheus", scenario_prometheus.url, "--end", str(scenario_layout.ends["healthy"]),
               "--format", "json", "--fail-under", "90")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert list(report) == ["system_health_score", "performance_score", "grade", "verdict", "window", "objectives",
                            "bottlenecks", "recommendations", "trends", "capacity"]
    assert report["grade"] == "A" and report["bottlenecks"] == []


def test_cli_error_spike_fails_the_gate_with_99(scenario_prometheus, scenario_layout, tmp_path):
    from analyzer.report import iso

    out = tmp_path / "report.md"
    res = _cli("--prometheus", scenario_prometheus.url, "--end", iso(scenario_layout.ends["error_route"]),
               "--format", "markdown", "--output", str(out))
    assert res.returncode == 99
    assert res.stderr.strip() == "analyzer: gate failed: key objective failed: api_error_ratio"
    md = out.read_text()
    assert "| FAIL | API error rate (5xx) (key) |" in md and "`error_hotspot_route`" in md


def test_cli_run_id_finds_the_run_window_and_fail_under_gates(scenario_prometheus, scenario_layout):
    end = scenario_layout.ends["cpu_bound"]
    res = _cli("--prometheus", scenario_prometheus.url, "--run-id", "ramp-1", "--end", str(end + 3600),
               "--format", "json", "--fail-under", "85")
    assert res.returncode == 99, res.stderr
    assert "health score" in res.stderr and "under --fail-under 85" in res.stderr
    window = json.loads(res.stdout)["window"]
    assert window["run_id"] == "ramp-1"
    assert window["end_unix"] == end and window["start_unix"] == end - SLOT_SECONDS
    missing = _cli("--prometheus", scenario_prometheus.url, "--run-id", "nope", "--end", str(end))
    assert missing.returncode == 2 and "run_id='nope'" in missing.stderr and "Traceback" not in missing.stderr


def test_cli_html_report_charts_every_key_series(scenario_prometheus, scenario_layout, tmp_path):
    out = tmp_path / "report.html"
    res = _cli("--prometheus", scenario_prometheus.url, "--end", str(scenario_layout.ends["cpu_bound"]),
               "--format", "html", "--output", str(out))
    assert res.returncode == 0, res.stderr
    html = out.read_text()
    assert html.count('<svg class="chart"') == 6 and "chart-empty" not in html
    assert "capacity: 60 req/s at p95 &lt;= 1 s" in html


def test_job_filter_scopes_app_metrics_only(scenario_prometheus, scenario_layout):
    report, _ = _analyze(scenario_prometheus, scenario_layout.ends["healthy"], job="not-a-job")
    states = {o["id"]: o["state"] for o in report["objectives"]}
    assert states["api_latency_p95"] == states["availability"] == states["cache_hit_ratio"] == "no_data"
    assert states["cpu_utilisation"] == states["memory_utilisation"] == "pass"
    scoped, _ = _analyze(scenario_prometheus, scenario_layout.ends["healthy"], job="app")
    assert {o["state"] for o in scoped["objectives"]} == {"pass"}
