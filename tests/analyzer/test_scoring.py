"""Keptn-style scoring, grading and verdicts on hand-built objective lists."""

from __future__ import annotations

import math

import pytest

from analyzer import scoring
from analyzer.model import Observations, Window
from analyzer.objectives import evaluate_objectives, grade_value, objective_specs
from perfstack.config import load_config

CONFIG = load_config(None)
SPECS = {s.id: s for s in objective_specs(CONFIG)}


def _obj(state: str, weight: float = 1.0, key: bool = False, category: str = "api", id_: str = "x") -> dict:
    return {"id": id_, "state": state, "weight": weight, "key": key, "category": category}


def test_every_configured_threshold_is_an_objective():
    assert SPECS["api_latency_p95"].pass_limit == CONFIG.api.latency_p95_seconds
    assert SPECS["api_error_ratio"].pass_limit == CONFIG.api.error_ratio
    assert SPECS["api_timeout_ratio"].pass_limit == CONFIG.api.timeout_ratio
    assert SPECS["cpu_utilisation"].pass_limit == CONFIG.system.cpu_ratio
    assert SPECS["memory_utilisation"].pass_limit == CONFIG.system.memory_ratio
    assert SPECS["disk_io"].pass_limit == CONFIG.system.disk_io_bytes_per_second
    assert SPECS["network_io"].pass_limit == CONFIG.system.network_io_bytes_per_second
    assert SPECS["db_query_p95"].pass_limit == CONFIG.database.query_p95_seconds
    assert SPECS["cache_hit_ratio"].pass_limit == CONFIG.cache.hit_ratio_min
    assert SPECS["generator_schedule_lag_p99"].pass_limit == CONFIG.generator.schedule_lag_p99_seconds
    assert {s.id for s in SPECS.values() if s.key} == {"api_error_ratio", "availability"}


def test_warning_band_uses_critical_level_or_twenty_percent():
    cpu = SPECS["cpu_utilisation"]
    assert grade_value(cpu, CONFIG.system.cpu_ratio) == "pass"
    assert grade_value(cpu, (CONFIG.system.cpu_ratio + CONFIG.alerts.cpu_critical_ratio) / 2) == "warning"
    assert grade_value(cpu, CONFIG.alerts.cpu_critical_ratio + 0.01) == "fail"
    lat = SPECS["api_latency_p95"]
    assert grade_value(lat, lat.pass_limit * 1.19) == "warning"
    assert grade_value(lat, lat.pass_limit * 1.21) == "fail"
    hit = SPECS["cache_hit_ratio"]
    assert grade_value(hit, hit.pass_limit - 0.05) == "warning"
    assert grade_value(hit, 0.3) == "fail"


def test_nan_is_no_data_and_infinity_fails():
    lat = SPECS["api_latency_p95"]
    assert grade_value(lat, math.nan) == "no_data"
    assert grade_value(lat, None) == "no_data"
    assert grade_value(lat, math.inf) == "fail"
    obs = Observations(window=Window(start=0, end=60), values={"api_latency_p95": math.nan, "cpu_utilisation": math.inf})
    states = {o["id"]: o["state"] for o in evaluate_objectives(objective_specs(CONFIG), obs)}
    assert states["api_latency_p95"] == "no_data"
    assert states["cpu_utilisation"] == "fail"


def test_score_formula_warning_earns_half_and_no_data_is_left_out():
    objectives = [_obj("pass", 2), _obj("warning", 2), _obj("fail", 1), _obj("no_data", 5)]
    assert scoring.score(objectives) == pytest.approx(100 * (2 + 1) / 5, abs=0.05)
    assert scoring.score([_obj("no_data")]) is None
    assert scoring.score([_obj("fail", 0), _obj("pass")]) == 100.0


def test_performance_score_only_counts_api_objectives():
    objectives = [_obj("pass", category="api"), _obj("fail", category="infrastructure")]
    assert scoring.score(objectives, ("api",)) == 100.0
    assert scoring.score(objectives) == 50.0


@pytest.mark.parametrize(("value", "letter"), [(95, "A"), (90, "A"), (85, "B"), (72, "C"), (61, "D"), (40, "F")])
def test_grade_bands(value, letter):
    assert scoring.grade(value, key_failed=False) == letter


def test_key_failure_forces_fail_and_grade_f():
    objectives = [_obj("fail", 1, key=True, id_="api_error_ratio")] + [_obj("pass", 1) for _ in range(20)]
    score = scoring.score(objectives)
    assert score > 90
    assert scoring.key_failures(objectives) == ["api_error_ratio"]
    assert scoring.grade(score, key_failed=True) == "F"
    assert scoring.verdict(score, key_failed=True) == "fail"
    assert scoring.verdict(score, key_failed=False) == "pass"
    assert scoring.verdict(80, key_failed=False) == "warning"
    assert scoring.verdict(92, key_failed=False, any_failed=True) == "warning"  # e.g. only the DB p95 failed
    assert scoring.verdict(60, key_failed=False, any_failed=True) == "fail"
    assert scoring.verdict(None, key_failed=False) == "no_data"


def test_availability_limits_come_from_the_config():
    import dataclasses

    strict = dataclasses.replace(CONFIG, api=dataclasses.replace(CONFIG.api, availability_ratio_min=0.9999),
                                 alerts=dataclasses.replace(CONFIG.alerts, availability_critical_ratio=0.999))
    spec = {s.id: s for s in objective_specs(strict)}["availability"]
    assert (spec.pass_limit, spec.warning_limit) == (0.9999, 0.999)
    assert grade_value(spec, 0.9995) == "warning" and grade_value(spec, 0.998) == "fail"
    default = SPECS["availability"]
    assert grade_value(default, 0.9995) == "pass" and grade_value(default, 0.995) == "warning"
