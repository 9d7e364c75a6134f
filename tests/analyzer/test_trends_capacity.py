"""Trends against the baseline (noise and traffic guards), exhaustion slopes, and capacity."""

from __future__ import annotations

import pytest

from analyzer.capacity import capacity
from analyzer.model import Observations, Window
from analyzer.trends import TREND_SPECS, compare, exhaustion, trends
from perfstack.config import load_config

CONFIG = load_config(None)
P95 = next(s for s in TREND_SPECS if s.id == "api_latency_p95")
ERR = next(s for s in TREND_SPECS if s.id == "api_error_ratio")


def test_degradation_needs_ratio_noise_floor_and_traffic():
    assert compare(P95, 0.9, 0.3, traffic_ok=True, degradation_ratio=0.5)["degraded"] is True
    assert compare(P95, 0.40, 0.30, traffic_ok=True, degradation_ratio=0.5)["degraded"] is False
    noise = compare(P95, 0.008, 0.004, traffic_ok=True, degradation_ratio=0.5)
    assert noise["degraded"] is False and noise["note"] == "within noise" and noise["change_ratio"] == 1.0
    low = compare(P95, 0.9, 0.3, traffic_ok=False, degradation_ratio=0.5)
    assert low["degraded"] is False and "traffic" in low["note"]
    assert compare(P95, 0.1, 0.3, traffic_ok=True, degradation_ratio=0.5)["degraded"] is False
    assert compare(ERR, 0.05, 0.0, traffic_ok=True, degradation_ratio=0.5)["degraded"] is True
    assert compare(P95, 0.5, None, traffic_ok=True, degradation_ratio=0.5)["note"] == "no baseline data"


def test_low_traffic_guard_uses_min_request_rate_from_config():
    window = Window(start=0, end=1800)
    quiet = Observations(window=window, values={"api_latency_p95": 0.9, "request_rate": CONFIG.alerts.min_request_rate / 2},
                         baseline={"api_latency_p95": 0.2, "request_rate": 10})
    busy = Observations(window=window, values={"api_latency_p95": 0.9, "request_rate": 10},
                        baseline={"api_latency_p95": 0.2, "request_rate": 10})
    assert not trends(quiet, CONFIG)["comparisons"][0]["degraded"]
    assert trends(busy, CONFIG)["comparisons"][0]["degraded"]


def test_exhaustion_projects_time_until_full():
    pts = [(3600.0 * h, 0.5 + 0.1 * h) for h in range(4)]
    e = exhaustion("memory_utilisation", "Memory", pts, horizon_seconds=4 * 3600)
    assert e["slope_per_hour"] == pytest.approx(0.1)
    assert e["time_to_exhaustion_seconds"] == pytest.approx(2 * 3600)
    assert e["predicted"] is True
    flat = exhaustion("disk_utilisation", "Disk", [(t, 0.5) for t in (0.0, 60.0, 120.0)], horizon_seconds=1e9)
    assert flat["predicted"] is False and flat["time_to_exhaustion_seconds"] is None


def test_capacity_finds_highest_throughput_under_threshold_and_error_onset():
    ts = [60.0 * i for i in range(8)]
    rate = [10, 20, 40, 80, 120, 160, 200, 240]
    p95 = [0.1, 0.1, 0.2, 0.4, 0.8, 0.95, 1.5, 3.0]
    errs = [0, 0, 0, 0, 0, 0.005, 0.03, 0.2]
    z = lambda v: list(zip(ts, v, strict=True))  # noqa: E731
    cap = capacity(z(rate), z(p95), z(errs), latency_threshold=1.0)
    assert cap["available"] is True
    assert cap["max_throughput_within_slo"] == 160
    assert cap["errors_begin_at_throughput"] == 200
    assert cap["knee_reached"] is True
    assert cap["summary"] == "capacity: 160 req/s at p95 <= 1 s; errors begin at 200 req/s"


def test_capacity_refuses_flat_load():
    ts = [60.0 * i for i in range(5)]
    cap = capacity([(t, 50.0) for t in ts], [(t, 0.3) for t in ts], [], latency_threshold=1.0)
    assert cap["available"] is False and "did not vary" in cap["summary"]


def test_capacity_of_a_ramp_that_never_reached_the_knee_is_a_lower_bound():
    ts = [10.0 * i for i in range(6)]
    cap = capacity(list(zip(ts, [5, 10, 20, 30, 38, 37], strict=True)), [(t, 0.25) for t in ts], [],
                   latency_threshold=1.0)
    assert cap["available"] is True and cap["knee_reached"] is False
    assert cap["max_throughput_within_slo"] == 38
    assert cap["summary"].startswith("capacity: at least 38 req/s")
