"""The live /metrics endpoint: contract names read back during a run, and promtool-clean."""

import shutil
import subprocess
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from perfstack.services import free_port
from tests.conftest import wait_until
from tests.loadgen.conftest import REPO, loadgen_cmd


def _scrape(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.read().decode()
    except OSError:
        return None


def _samples(text: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append(s)
    return out


@pytest.mark.slow
def test_metrics_served_during_the_run_and_lint_clean(target, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    proc = subprocess.Popen(loadgen_cmd("run", "--base-url", f"{target.url}/ok", "--rate", "100", "--duration", "3s",
                                        "--ramp-up", "0s", "--metrics-listen", f"127.0.0.1:{port}", "--linger", "1s",
                                        "--quiet", "--run-id", "metrics-test", "--connections", "4"),
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def during_run():
            text = _scrape(url)
            if not text:
                return None
            s = _samples(text)
            done = [x for x in s.get("loadgen_requests_total", []) if x.labels["outcome"] == "success"]
            running = [x for x in s.get("loadgen_run_info", []) if x.value == 1]
            return (text, s) if done and done[0].value > 0 and running else None

        text, samples = wait_until(during_run, timeout=15, interval=0.1, what="loadgen metrics during the run")
        ok = next(x for x in samples["loadgen_requests_total"] if x.labels["outcome"] == "success")
        assert ok.labels == {"endpoint": "root", "method": "GET", "status": "200", "outcome": "success"}
        info = next(x for x in samples["loadgen_run_info"] if x.value == 1)
        assert info.labels["run_id"] == "metrics-test" and info.labels["profile"] == "basic"
        assert samples["loadgen_target_rate"][0].value == pytest.approx(100)
        edges = {x.labels["le"] for x in samples["loadgen_request_duration_seconds_bucket"]}
        assert {"0.1", "1.0", "+Inf"} <= edges
        count = samples["loadgen_request_duration_seconds_count"][0].value
        assert count == sum(x.value for x in samples["loadgen_requests_total"])
        for name in ("loadgen_in_flight_requests", "loadgen_virtual_users", "loadgen_dropped_requests_total",
                     "loadgen_schedule_lag_seconds_bucket"):
            assert name in samples, name
        if shutil.which("promtool"):
            lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
            assert lint.returncode == 0, lint.stdout + lint.stderr

        def final():
            text = _scrape(url)
            s = _samples(text) if text else {}
            infos = s.get("loadgen_run_info", [])
            return s if infos and all(x.value == 0 for x in infos) else None

        after = wait_until(final, timeout=15, interval=0.1, what="metrics after the run (linger)")
        total = sum(x.value for x in after["loadgen_requests_total"])
        assert total == pytest.approx(300, abs=3)
    finally:
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    started = time.monotonic()
    assert _scrape(url) is None and time.monotonic() - started < 5  # the endpoint is gone after --linger
