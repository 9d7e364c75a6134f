"""``analyzer serve``: metrics computed on scrape from real Prometheus, cached, promtool-clean."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from analyzer import PromClient
from analyzer.serve import AnalyzerCollector, build_registry
from perfstack.config import load_config
from perfstack.services import find_binary, free_port
from tests.conftest import REPO_ROOT, wait_until

pytestmark = pytest.mark.slow


def _promtool_check(text: bytes) -> None:
    res = subprocess.run([find_binary("promtool"), "check", "metrics"], input=text, capture_output=True, timeout=30)
    assert res.returncode == 0, res.stdout + res.stderr


def _samples(text: bytes) -> dict[tuple, float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text.decode()) for s in fam.samples}


def test_collector_exposes_score_states_and_findings_with_cache(scenario_prometheus, scenario_layout):
    now = [scenario_layout.ends["cpu_bound"]]
    client = PromClient(scenario_prometheus.url)
    collector = AnalyzerCollector(client=client, config=load_config(None), window_seconds=1800,
                                  baseline_offset_seconds=86400, cache_seconds=15, clock=lambda: now[0])
    registry = build_registry(collector)
    text = generate_latest(registry)
    _promtool_check(text)
    s = _samples(text)
    assert 70 <= s[("perfstack_health_score", ())] < 80
    assert s[("perfstack_objective_state", (("objective", "cpu_utilisation"), ("state", "fail")))] == 1
    assert s[("perfstack_objective_state", (("objective", "cpu_utilisation"), ("state", "pass")))] == 0
    assert s[("perfstack_objective_state", (("objective", "cache_hit_ratio"), ("state", "pass")))] == 1
    assert s[("perfstack_analyzer_findings", (("severity", "critical"),))] == 1
    assert s[("perfstack_analyzer_analysis_success", ())] == 1
    assert s[("perfstack_analyzer_queries", ())] == 27
    sent = client.queries_sent
    now[0] += 5
    generate_latest(registry)
    assert client.queries_sent == sent, "a scrape within the cache period must not query again"
    now[0] += 20
    generate_latest(registry)
    assert client.queries_sent == 2 * sent


def test_serve_subprocess_answers_scrapes_even_when_prometheus_is_down():
    port = free_port()
    dead = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "analyzer", "serve", "--listen", f"127.0.0.1:{port}",
                             "--prometheus", f"http://127.0.0.1:{dead}", "--retries", "0", "--timeout", "1"],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        def scrape():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                    return r.read()
            except OSError:
                return None
        text = wait_until(scrape, 20, what="analyzer serve /metrics")
        _promtool_check(text)
        s = _samples(text)
        assert s[("perfstack_analyzer_analysis_success", ())] == 0
        assert ("perfstack_health_score", ()) not in s
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_healthz_answers_without_running_an_analysis():
    calls = []

    class CountingClient:
        def __getattr__(self, name):
            calls.append(name)
            raise AssertionError("healthz must not query Prometheus")

    from analyzer.serve import build_app

    collector = AnalyzerCollector(client=CountingClient(), config=load_config(None), window_seconds=1800,
                                  baseline_offset_seconds=86400)
    app = build_app(collector)
    status = []
    body = b"".join(app({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, lambda s, h: status.append(s)))
    assert status == ["200 OK"] and body == b"ok\n"
    assert calls == []
