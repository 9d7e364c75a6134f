"""``python -m demo.run`` end to end: real service, exporter, Prometheus, Alertmanager, loadgen, analyzer.

Drives the same entry point as ``make demo`` with a short duration, reads both JSON reports back,
renders both HTML reports in headless Chromium, and checks that nothing it started survives.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from perfstack.generate import REPO_ROOT
from tests.conftest import port_open, wait_until

pytestmark = pytest.mark.slow

needs_stack = pytest.mark.skipif(
    not (shutil.which("prometheus") and (shutil.which("prometheus-alertmanager") or shutil.which("alertmanager"))),
    reason="Prometheus/Alertmanager not installed (make deps)")
REPORT_LINE = re.compile(r"^\s+(loadtest|analysis)\.(html|json): (\S+)$", re.M)
URL_LINE = re.compile(r"^\s+(\w+)\s+(?:http://)?127\.0\.0\.1:(\d+)", re.M)


def run_demo(tmp_path: Path, *args: str, timeout: float = 150) -> tuple[subprocess.CompletedProcess, dict, dict]:
    """Run the demo; return the process, report paths by name and the stack's ports by name."""
    res = subprocess.run([sys.executable, "-m", "demo.run", "--reports-dir", str(tmp_path / "reports"), *args],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
                         env={**os.environ, "COLUMNS": "120"})
    reports = {f"{a}.{b}": Path(p) for a, b, p in REPORT_LINE.findall(res.stdout)}
    ports = {name: int(port) for name, port in URL_LINE.findall(res.stdout)}
    return res, reports, ports


def assert_nothing_left(ports: dict[str, int]) -> None:
    """Every port of the stack is closed and no process still mentions one of them."""
    assert set(ports) >= {"service", "exporter", "prometheus", "alertmanager"}, ports
    for name, port in ports.items():
        assert not port_open(port), f"{name} still listening on {port}"
    needles = [f"127.0.0.1:{p}" for p in ports.values()]
    survivors = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if any(n in cmd for n in needles):
            survivors.append(cmd)
    assert not survivors, survivors


def chromium_render(html: Path, tmp_path: Path) -> tuple[str, Path]:
    """Screenshot ``html`` and dump its DOM after scripts ran; return (dom, png)."""
    png = tmp_path / f"{html.parent.name}-{html.stem}.png"
    base = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,2000"]
    for extra in ([f"--screenshot={png}"], ["--dump-dom"]):
        profile = tmp_path / f"chromium-{html.stem}-{extra[0][2:8]}"
        res = subprocess.run([*base, f"--user-data-dir={profile}", *extra, html.resolve().as_uri()],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr[-500:]
    return res.stdout, png


@needs_stack
def test_demo_runs_end_to_end_and_leaves_nothing_behind(tmp_path):
    t0 = time.monotonic()
    res, reports, ports = run_demo(tmp_path, "--duration", "15s", "--seed", "1")
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert time.monotonic() - t0 < 90
    assert set(reports) == {"loadtest.html", "analysis.html", "loadtest.json", "analysis.json"}, res.stdout
    assert all(p.is_file() for p in reports.values())
    run_id = reports["loadtest.json"].parent.name
    assert run_id.startswith("demo-") and run_id.endswith("-none")

    loadtest = json.loads(reports["loadtest.json"].read_text())
    assert loadtest["run"]["id"] == run_id and loadtest["run"]["profile"] == "basic"
    assert set(loadtest["endpoints"]) == {"chat", "embeddings", "images", "users"}
    summary = loadtest["summary"]
    assert summary["requests"] > 100 and summary["error_rate"] == 0
    assert 0 < summary["latency_ms"]["p50"] <= summary["latency_ms"]["p95"] <= summary["latency_ms"]["p99"]
    assert loadtest["thresholds"] and all(t["ok"] for t in loadtest["thresholds"])

    analysis = json.loads(reports["analysis.json"].read_text())
    assert {"system_health_score", "grade", "verdict", "window", "objectives", "bottlenecks",
            "recommendations"} <= set(analysis)
    assert analysis["window"]["run_id"] == run_id
    states = {o["id"]: o for o in analysis["objectives"]}
    for oid in ("api_error_ratio", "db_query_p95", "cache_hit_ratio", "api_latency_p95"):
        assert states[oid]["state"] == "pass", states[oid]
    assert states["cache_hit_ratio"]["observed"] > 0.95
    assert states["db_query_p95"]["observed"] < 0.1
    assert states["api_timeout_ratio"]["observed"] == 0  # from loadgen_requests_total: Prometheus scraped loadgen
    assert not [b for b in analysis["bottlenecks"] if b["category"] in ("database", "caching")]
    assert f"Verdict: {analysis['verdict'].upper()}" in res.stdout and "Objectives" in res.stdout
    assert_nothing_left(ports)

    if shutil.which("chromium") is None:
        pytest.skip("chromium not installed")
    dom, png = chromium_render(reports["loadtest.html"], tmp_path)
    for chart in ("chart-rps", "chart-latency", "chart-errors"):
        assert re.search(rf'<div id="{chart}"[^>]*><svg', dom), f"{chart} did not render"
    assert png.stat().st_size > 20_000
    dom, png = chromium_render(reports["analysis.html"], tmp_path)
    assert len(re.findall(r'<svg class="chart"', dom)) >= 3
    assert 'data-series="api_latency_p95"' in dom and "<path" in dom
    assert png.stat().st_size > 20_000


@needs_stack
def test_slow_db_fault_puts_a_database_bottleneck_first(tmp_path):
    res, reports, ports = run_demo(tmp_path, "--duration", "15s", "--fault", "slow-db", "--check")
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    analysis = json.loads(reports["analysis.json"].read_text())
    top = analysis["bottlenecks"][0]
    assert top["category"] == "database" and top["id"] == "slow_database", analysis["bottlenecks"]
    assert top["evidence"]["observed"] > 0.1
    assert "caught" in res.stdout
    assert_nothing_left(ports)


@needs_stack
def test_interrupt_stops_everything_and_keeps_the_partial_load_report(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "demo.run", "--duration", "60s",
                             "--reports-dir", str(tmp_path / "reports")], cwd=REPO_ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "120"})
    out = []
    try:
        for line in proc.stdout:
            out.append(line)
            if line.startswith("Loading "):
                break
        loadgen_port = dict(URL_LINE.findall("".join(out)))["loadgen_metrics"]
        wait_until(lambda: port_open(int(loadgen_port)), timeout=30, what="loadgen serving its metrics")
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out.append(rest)
    text = "".join(out)
    assert proc.returncode == 130, text + err
    assert "interrupted" in err and "Traceback" not in err
    ports = {name: int(port) for name, port in URL_LINE.findall(text)}
    assert_nothing_left(ports)
    partial = list((tmp_path / "reports").glob("*/loadtest.json"))
    assert len(partial) == 1 and json.loads(partial[0].read_text())["run"]["interrupted"] is True


@needs_stack
def test_stack_mode_serves_until_ctrl_c(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "demo.run", "--stack"], cwd=REPO_ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "120"})
    out = []
    try:
        for line in proc.stdout:
            out.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(out)
        ports = {name: int(port) for name, port in URL_LINE.findall(text)}
        for name, path in (("service", "/healthz"), ("prometheus", "/-/ready"), ("alertmanager", "/-/ready")):
            with urllib.request.urlopen(f"http://127.0.0.1:{ports[name]}{path}", timeout=5) as resp:
                assert resp.status == 200, name
        assert "--base-url http://127.0.0.1:" in text and "curl -X PUT" in text
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert_nothing_left(ports)
