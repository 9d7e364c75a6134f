"""Whole runs against a misbehaving target: every failure is counted, none crashes, reports survive.

Parametrized over engines (``engine_name``): the pipeline must behave the same whatever sends.
"""

import json

import pytest

from loadgen import LoadTestConfig, LoadTester
from perfstack.services import free_port
from tests.loadgen.conftest import quick_run_args, read_json, run_loadgen


def _faults(url: str) -> str:
    """Return the scenario as JSON text (valid YAML)."""
    return json.dumps({"base_url": url, "endpoints": [
        {"name": "ok", "path": "/ok", "weight": 4},
        {"name": "reset", "path": "/reset"},
        {"name": "malformed", "path": "/malformed"},
        {"name": "hang", "path": "/hang", "timeout": "300ms"},
        {"name": "slow", "path": "/slow?ms=50"},
        {"name": "burst", "path": "/burst?period=0.4"},
        {"name": "check", "path": "/json", "expect": {"json": {"status": "broken"}}},
    ]})


async def test_faults_are_classified_and_reported(engine_name, target, tmp_path):
    scenario = tmp_path / "faults.yaml"
    scenario.write_text(_faults(target.url))
    tester = LoadTester(LoadTestConfig(scenario=scenario, users=8, duration=2.0, ramp_up=0.0, engine=engine_name,
                                       json_path=tmp_path / "r.json", html_path=tmp_path / "r.html",
                                       extra={"seed": 3}))
    summary = await tester.run_load_test()
    eps = tester.report["endpoints"]
    assert set(eps) == {"ok", "reset", "malformed", "hang", "slow", "burst", "check"}
    assert eps["ok"]["outcomes"] == {"success": eps["ok"]["requests"]}
    assert eps["reset"]["errors"].get("reset", 0) + eps["reset"]["errors"].get("closed", 0) == eps["reset"]["requests"]
    assert eps["malformed"]["errors"] == {"protocol": eps["malformed"]["requests"]}
    assert eps["hang"]["outcomes"] == {"timeout": eps["hang"]["requests"]}
    assert eps["hang"]["latency_ms"]["p50"] == pytest.approx(300, abs=60)
    assert eps["slow"]["latency_ms"]["p50"] >= 50
    assert eps["burst"]["status"].get("503", 0) > 0 and eps["burst"]["outcomes"].get("success", 0) > 0
    assert eps["check"]["outcomes"] == {"check_failed": eps["check"]["requests"]}
    assert summary["requests"] == sum(ep["requests"] for ep in eps.values())
    assert summary["timeout_rate"] > 0
    assert (tmp_path / "r.json").stat().st_size > 0 and (tmp_path / "r.html").stat().st_size > 0


async def test_connection_refused_is_counted_not_fatal(engine_name, tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"
    tester = LoadTester(LoadTestConfig(base_url=url, users=2, duration=1.0, ramp_up=0.0, engine=engine_name,
                                       json_path=tmp_path / "r.json"))
    summary = await tester.run_load_test()
    assert summary["requests"] > 0
    assert summary["errors"] == {"refused": summary["requests"]}
    assert tester.result.exit_code == 99  # default error_rate<5% threshold fails
    assert (tmp_path / "r.json").exists()


@pytest.mark.slow
async def test_open_model_corrected_latency_shows_a_stall_uncorrected_does_not(engine_name, target, tmp_path):
    """wrk2's coordinated-omission demo: 1 connection, the target stalls 1 s once in the run."""
    url = f"{target.url}/stall?period=5&length=1&offset=0.8&key={engine_name}"
    tester = LoadTester(LoadTestConfig(base_url=url, rate=200, duration=3.0, ramp_up=0.0, engine=engine_name,
                                       extra={"connections": 1}))
    summary = await tester.run_load_test()
    corrected, uncorrected = summary["latency_ms"]["p99"], summary["latency_uncorrected_ms"]["p99"]
    assert summary["requests"] == pytest.approx(600, abs=3)
    assert corrected > 700, (corrected, uncorrected)
    assert uncorrected < 100, (corrected, uncorrected)
    assert summary["latency_uncorrected_ms"]["max"] > 700  # the one request that met the stall


async def test_open_model_drops_past_the_in_flight_cap_and_never_delays(engine_name, target):
    tester = LoadTester(LoadTestConfig(base_url=f"{target.url}/slow?ms=400", rate=100, duration=1.0, ramp_up=0.0,
                                       engine=engine_name, default_thresholds=False, extra={"max_in_flight": 5}))
    summary = await tester.run_load_test()
    gen = tester.report["generator"]
    assert gen["dropped"] > 50
    assert summary["requests"] + gen["dropped"] + 5 >= 100  # at most the 5 in flight at the end are unaccounted
    assert summary["requests"] <= 15  # 5 slots, 400 ms each, 1 s
    assert gen["schedule_lag_ms"]["p99"] < 50  # the ones that started, started on time


def test_requests_in_flight_at_the_end_are_waited_for_not_dropped(target, tmp_path, engine_name):
    # 2 users, 800 ms responses, 1 s run: each user's second request is still in flight at the end.
    res = run_loadgen(*quick_run_args(f"{target.url}/slow?ms=800", "--users", "2", "--engine", engine_name,
                                      "--no-default-thresholds", "--json", str(tmp_path / "r.json")))
    assert res.returncode == 0, res.stderr
    summary = read_json(tmp_path / "r.json")["summary"]
    assert summary["requests"] == 4 and summary["failures"] == 0
    assert summary["latency_ms"]["max"] >= 790
