"""The seed spec's Python API on plain numbers: before/after figures and input validation."""

from __future__ import annotations

import json

import pytest

from analyzer import REPORT_KEYS, OptimizationAnalyzer, render

BEFORE = {"average_response_time_ms": 2000, "error_rate": 0.15, "cpu_usage": 0.95, "memory_usage": 0.90,
          "cache_hit_rate": 0.30}
AFTER = {"average_response_time_ms": 500, "error_rate": 0.02, "cpu_usage": 0.60, "memory_usage": 0.70,
         "cache_hit_rate": 0.85}


@pytest.fixture
def analyzer():
    return OptimizationAnalyzer(clock=lambda: 1_800_000_000.0)


def test_seed_before_figures_grade_f_with_findings_and_recommendations(analyzer):
    report = analyzer.analyze_performance_data(BEFORE)
    assert tuple(report) == REPORT_KEYS
    assert report["grade"] == "F"
    assert report["verdict"] == "fail"
    assert report["system_health_score"] < 60
    ids = {f["id"] for f in report["bottlenecks"]}
    assert {"api_error_rate_high", "low_cache_hit_ratio", "cpu_saturation", "memory_pressure"} <= ids
    assert report["bottlenecks"][0]["severity"] == "critical"
    recs = report["recommendations"]
    assert len({r["id"] for r in recs}) == len(recs)
    assert sorted(r["roi_rank"] for r in recs) == list(range(1, len(recs) + 1))
    cache = next(r for r in recs if r["id"] == "cache_tuning")
    assert "80 %" in cache["expected_improvement"] and cache["effort"] == "S"
    for r in recs:
        assert r["priority"] in ("critical", "high", "medium", "low") and r["effort"] in "SML"


def test_seed_after_figures_grade_a_or_b(analyzer):
    report = analyzer.analyze_performance_data(AFTER)
    assert report["grade"] in ("A", "B")
    assert report["verdict"] == "pass"
    assert report["bottlenecks"] == []


def test_percent_aliases_equal_ratios(analyzer):
    as_percent = {"average_response_time_ms": 2000, "error_rate_percent": 15, "cpu_percent": 95,
                  "memory_percent": 90, "cache_hit_percent": 30}
    a = analyzer.analyze_performance_data(BEFORE)
    b = analyzer.analyze_performance_data(as_percent)
    assert [o["observed"] for o in a["objectives"]] == pytest.approx([o["observed"] for o in b["objectives"]])


def test_ratio_out_of_range_is_a_clear_error(analyzer):
    with pytest.raises(ValueError, match="error_rate.*between 0 and 1"):
        analyzer.analyze_performance_data({"error_rate": 15})
    with pytest.raises(ValueError, match="expected a number"):
        analyzer.analyze_performance_data({"cpu_usage": "high"})


def test_series_feed_correlation_and_capacity(analyzer):
    ts = [1_800_000_000.0 + 60 * i for i in range(10)]
    cpu = [0.5 + 0.05 * i for i in range(10)]
    p95 = [0.2 + 0.3 * i for i in range(10)]
    rate = [10.0 * (i + 1) for i in range(10)]
    report = analyzer.analyze_performance_data({
        "p95_response_time": 1.9, "cpu_usage": 0.85, "throughput": 55,
        "series": {"api_latency_p95": list(zip(ts, p95, strict=True)), "cpu_utilisation": list(zip(ts, cpu, strict=True)),
                   "request_rate": list(zip(ts, rate, strict=True))},
    })
    cpu_finding = report["bottlenecks"][0]
    assert cpu_finding["id"] == "cpu_saturation"
    assert cpu_finding["evidence"]["latency_correlation"] == pytest.approx(1.0)
    assert report["capacity"]["max_throughput_within_slo"] == 30.0
    json.loads(render(report, "json"))
