"""The Python API promised by the original request, pinned."""

import pytest

import loadgen
from loadgen import LoadTestConfig, LoadTester, LoadTestSuite, create_spike_test, create_stress_test


def test_public_api_is_pinned():
    assert sorted(loadgen.__all__) == sorted([
        "LoadTestConfig", "LoadTester", "LoadTestSuite", "create_basic_load_test", "create_stress_test",
        "create_spike_test", "create_endurance_test"])


def test_profile_helpers():
    assert create_stress_test("http://h:1").profile == "stress"
    spike = create_spike_test("http://h:1", duration=5.0)
    assert spike.profile == "spike" and spike.duration == 5.0 and spike.base_url == "http://h:1"


async def test_suite_runs_each_test_and_returns_summaries(target, tmp_path):
    suite = LoadTestSuite()
    suite.add_test(LoadTestConfig(base_url=f"{target.url}/ok", users=2, duration=1.0, ramp_up=0.0))
    suite.add_test(LoadTestConfig(base_url=f"{target.url}/status/500", users=1, duration=1.0, ramp_up=0.0))
    results = await suite.run_suite()
    assert list(results) == ["basic", "basic-2"]
    assert results["basic"]["summary"]["requests"] > 0 and results["basic"]["exit_code"] == 0
    assert results["basic-2"]["summary"]["error_rate"] == 1.0 and results["basic-2"]["exit_code"] == 99


async def test_spike_report_gives_recovery_time(target):
    tester = LoadTester(create_spike_test(f"{target.url}/ok", users=10, duration=4.0, extra={"interval": 0.25}))
    summary = await tester.run_load_test()
    spike = summary["spike"]
    assert spike["spike_start_s"] == pytest.approx(30 * 4 / 120)  # the spike profile squeezed into 4 s
    assert spike["spike_end_s"] == pytest.approx(76 * 4 / 120)
    assert spike["baseline_p95_ms"] is not None
    assert spike["recovery_s"] is not None and 0 <= spike["recovery_s"] <= 1.0  # /ok does not suffer from a spike
