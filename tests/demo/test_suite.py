"""``scripts/run-performance-tests.sh``: every profile, scaled, one combined report, exit by the gates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from perfstack.generate import REPO_ROOT
from perfstack.services import free_port, wait_ready
from tests.conftest import port_open, scrape_config

pytestmark = pytest.mark.slow
SCRIPT = REPO_ROOT / "scripts" / "run-performance-tests.sh"


@pytest.fixture
def demo_service(tmp_path):
    """Factory: start ``python -m demo.service`` with a fault; stopped (SIGTERM) after the test."""
    started = []

    def start(fault: str = "none") -> str:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "demo.service", "--listen", f"127.0.0.1:{port}",
                                 "--fault", fault, "--seed", "3", "--db", str(tmp_path / f"db{len(started)}")],
                                cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append((proc, port))
        wait_ready(f"http://127.0.0.1:{port}/healthz", timeout=20, proc=proc)
        return f"127.0.0.1:{port}"

    yield start
    for proc, port in started:
        proc.terminate()
        proc.wait(timeout=15)
        assert not port_open(port)


def run_suite(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "120"})


def test_failing_thresholds_fail_the_suite_with_reasons(demo_service, tmp_path):
    target = demo_service("errors")
    out = tmp_path / "suite.json"
    res = run_suite("--base-url", f"http://{target}", "--scale", "0.003", "--profiles", "basic,spike",
                    "--output", str(out), "--metrics-listen", f"127.0.0.1:{free_port()}")
    assert res.returncode == 99, res.stdout + res.stderr
    report = json.loads(out.read_text())
    assert report["verdict"] == "fail" and report["analysis"] is None
    assert [r["profile"] for r in report["runs"]] == ["basic", "spike"]
    assert any("error_rate" in reason for reason in report["reasons"])
    for run in report["runs"]:
        assert run["summary"]["requests"] > 0 and run["summary"]["error_rate"] > 0.05
        assert (tmp_path / "suite" / f"{run['profile']}.json").is_file()
    assert "Verdict: FAIL" in res.stdout


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="Prometheus not installed")
def test_suite_with_prometheus_is_analyzed_over_its_window(demo_service, prometheus, tmp_path):
    target = demo_service("none")
    loadgen = f"127.0.0.1:{free_port()}"
    prom = prometheus(scrape_config({"app": [target], "loadgen": [loadgen]}, interval="1s"))
    out = tmp_path / "suite.json"
    res = run_suite("--base-url", f"http://{target}", "--scale", "0.003", "--profiles", "basic,spike,endurance",
                    "--prometheus", prom.url, "--metrics-listen", loadgen, "--linger", "2s", "--output", str(out),
                    "--verbose")
    report = json.loads(out.read_text())
    assert res.returncode == (0 if report["verdict"] == "pass" else 99), res.stdout + res.stderr
    assert [r["profile"] for r in report["runs"]] == ["basic", "spike", "endurance"]
    assert all(r["exit_code"] in (0, 99) and r["summary"]["requests"] > 0 for r in report["runs"])
    analysis = report["analysis"]
    objectives = {o["id"]: o for o in analysis["objectives"]}
    assert objectives["api_error_ratio"]["state"] == "pass"
    assert objectives["api_latency_p95"]["observed"] is not None
    assert "Objectives" in res.stdout and "Top findings" in res.stdout and "p95<" in res.stdout
    assert analysis["window"]["end_unix"] == pytest.approx(report["suite"]["end"], abs=1)
    assert analysis["window"]["end_unix"] - analysis["window"]["start_unix"] >= (
        report["suite"]["end"] - report["suite"]["start"] - 1)


def test_bad_input_exits_2_in_one_line(tmp_path):
    for args, needle in ((["--scale", "0"], "--scale"), (["--profiles", "warmup"], "unknown profile"),
                         (["--scenario", str(tmp_path / "none.yaml")], "no such file")):
        res = run_suite(*args)
        assert res.returncode == 2 and needle in res.stderr and "Traceback" not in res.stderr, res.stderr
