"""Bottleneck rules and recommendation ordering on plain observations."""

from __future__ import annotations

import pytest

from analyzer import OptimizationAnalyzer
from analyzer.recommendations import CATALOG, REMEDIES_BY_BOTTLENECK, recommend

NOW = 1_800_000_000.0


def _analyze(data: dict) -> dict:
    return OptimizationAnalyzer(clock=lambda: NOW).analyze_performance_data(data)


def _ids(report: dict) -> list[str]:
    return [f["id"] for f in report["bottlenecks"]]


def test_latency_without_a_saturated_resource_is_an_api_finding():
    report = _analyze({"p95_response_time": 2.0, "cpu_usage": 0.3})
    assert _ids(report) == ["api_latency_high"]
    assert report["bottlenecks"][0]["category"] == "api"
    with_cpu = _analyze({"p95_response_time": 2.0, "cpu_usage": 0.95})
    assert "api_latency_high" not in _ids(with_cpu) and _ids(with_cpu)[0] == "cpu_saturation"


@pytest.mark.parametrize(("data", "expected", "category"), [
    ({"disk_io": 80e6}, "disk_io_saturation", "infrastructure"),
    ({"network_io": 40e6}, "network_io_saturation", "infrastructure"),
    ({"generator_schedule_lag_p99": 0.5}, "generator_saturated", "infrastructure"),
    ({"availability": 0.9}, "targets_down", "infrastructure"),
    ({"api_timeout_ratio": 0.05}, "request_timeouts", "api"),
    ({"db_query_p95": 0.3}, "slow_database", "database"),
])
def test_each_rule_fires_with_evidence(data, expected, category):
    report = _analyze(data)
    f = report["bottlenecks"][0]
    assert (f["id"], f["category"]) == (expected, category)
    assert f["evidence"]["observed"] == pytest.approx(next(iter(data.values())))
    assert report["recommendations"], "every bottleneck has at least one remedy"


def test_availability_failure_is_key_and_critical():
    report = _analyze({"availability": 0.9})
    assert report["bottlenecks"][0]["severity"] == "critical"
    assert report["verdict"] == "fail" and report["grade"] == "F"


def test_memory_exhaustion_is_predicted_from_the_series():
    pts = [(NOW - 3600 + 60 * i, 0.70 + 0.004 * i) for i in range(61)]
    report = _analyze({"memory_usage": 0.7, "series": {"memory_utilisation": pts}})
    f = next(f for f in report["bottlenecks"] if f["id"] == "memory_exhaustion_predicted")
    assert f["evidence"]["time_to_exhaustion_seconds"] == pytest.approx((1 - 0.94) / (0.004 / 60), rel=0.01)
    assert "memory_gc" in {r["id"] for r in report["recommendations"]}


def test_catalog_covers_every_rule_and_the_seed_categories():
    assert set(REMEDIES_BY_BOTTLENECK.values()) and all(r in CATALOG for rs in REMEDIES_BY_BOTTLENECK.values() for r in rs)
    titles = " ".join(r.title.lower() for r in CATALOG.values())
    for word in ("scale out", "load-balance", "connection pools", "redis", "http caching", "indexes", "compress",
                 "paginate", "rate-limit", "asynchronous", "gc"):
        assert word in titles, word


def test_recommendations_are_deduplicated_and_ordered_by_priority_then_roi():
    def finding(id_, severity, **ev):
        return {"id": id_, "severity": severity, "subject": None,
                "evidence": {"observed": ev.get("observed"), "threshold": ev.get("threshold"), **ev}}
    recs = recommend([finding("low_cache_hit_ratio", "high", observed=0.3, threshold=0.8),
                      finding("slow_database", "critical", observed=0.4, threshold=0.1, db_time_share=0.8),
                      finding("request_timeouts", "medium", observed=0.05, threshold=0.01)])
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids))
    pool = next(r for r in recs if r["id"] == "connection_pool")
    assert pool["priority"] == "critical" and set(pool["addresses"]) == {"slow_database", "request_timeouts"}
    order = [("critical", "high", "medium", "low").index(r["priority"]) for r in recs]
    assert order == sorted(order)
    for a, b in zip(recs, recs[1:], strict=False):
        if a["priority"] == b["priority"]:
            assert a["roi"] >= b["roi"]
    db = next(r for r in recs if r["id"] == "db_indexes")
    assert db["expected_improvement"] == "request time −60 % if DB p95 falls from 400 ms to 100 ms"
    assert min(r["roi_rank"] for r in recs) == 1


def test_every_estimate_is_a_sane_sentence_for_every_bottleneck_it_serves():
    report = _analyze({"p95_response_time": 2.5, "error_rate": 0.2, "cpu_usage": 0.95, "memory_usage": 0.9,
                       "cache_hit_rate": 0.3, "db_query_p95": 0.4, "db_time_share": 0.8, "disk_io": 9e7,
                       "network_io": 5e7, "api_timeout_ratio": 0.05, "availability": 0.95,
                       "generator_schedule_lag_p99": 0.2})
    assert len(report["recommendations"]) >= 15
    for r in report["recommendations"]:
        text = r["expected_improvement"]
        assert "−-" not in text and "nan" not in text.lower() and 0 <= r["estimated_gain"] <= 1, r
    redis = next(r for r in report["recommendations"] if r["id"] == "redis_cache")
    assert redis["expected_improvement"].startswith("p95 −71 %") or "database" in redis["expected_improvement"]
