"""Pure parts of the demo: cache, workload model, Prometheus config localisation, ports, verdict."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from rich.console import Console

from demo import workload
from demo.addr import parse_listen
from demo.cache import LruCache
from demo.run import make_run_id
from demo.stack import DEFAULT_PORTS, choose_ports
from demo.steps import ReportPaths, analyzer_argv, loadgen_argv
from demo.suite import combine, scaled_duration
from demo.verdict import check_expectation, format_value, render_verdict


def test_lru_cache_counts_hits_and_misses_and_evicts_least_recent():
    counts = {"hit": 0, "miss": 0}
    cache = LruCache(2, on_hit=lambda: counts.__setitem__("hit", counts["hit"] + 1),
                     on_miss=lambda: counts.__setitem__("miss", counts["miss"] + 1))
    cache.put(1, "a")
    cache.put(2, "b")
    assert cache.get(1) == "a"
    cache.put(3, "c")              # evicts 2, the least recently used
    assert cache.get(2) is None and cache.get(3) == "c"
    assert counts == {"hit": 2, "miss": 1}
    cache.resize(0)
    cache.put(4, "d")
    assert len(cache) == 0 and cache.get(4) is None
    with pytest.raises(ValueError):
        LruCache(-1, on_hit=lambda: None, on_miss=lambda: None)


def test_chat_tokens_are_seeded_bounded_and_skewed():
    a = [workload.chat_tokens(random.Random(5)) for _ in range(3)]
    assert a == [workload.chat_tokens(random.Random(5)) for _ in range(3)]
    rng = random.Random(1)
    tokens = sorted(workload.chat_tokens(rng, cap=512) for _ in range(2000))
    assert tokens[0] >= 1 and tokens[-1] <= 512
    median, p95 = tokens[1000], tokens[1900]
    assert 90 <= median <= 150 and p95 > 2 * median
    assert workload.chat_seconds(400) < 1.0 < workload.chat_seconds(400, 5)


def test_listen_addresses_parse():
    assert parse_listen("127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert parse_listen("[::1]:9") == ("::1", 9)
    for bad in ("8000", "host:", ":80", "h:99999"):
        with pytest.raises(ValueError):
            parse_listen(bad)


def test_ports_prefer_defaults_only_when_asked_and_free():
    fresh = iter(range(40000, 40100))
    ports = choose_ports(True, is_free=lambda p: p != 9090, pick=lambda: next(fresh))
    assert ports.service == DEFAULT_PORTS["service"] and ports.prometheus == 40000
    ports = choose_ports(False, is_free=lambda p: True, pick=lambda: next(fresh))
    assert DEFAULT_PORTS["service"] not in vars(ports).values()
    same = choose_ports(False, pick=iter([5, 5, 6, 7, 8, 9, 10]).__next__)
    assert len(set(vars(same).values())) == 6


def test_step_command_lines_use_the_public_flags(tmp_path):
    paths = ReportPaths(directory=tmp_path / "r1")
    argv = loadgen_argv(scenario=tmp_path / "s.yaml", base_url="http://127.0.0.1:1", profile="basic",
                        duration="15s", run_id="r1", reports=paths, metrics_listen="127.0.0.1:2", linger="6s",
                        config=None, quiet=True)
    assert argv[:3] == ["-m", "loadgen", "run"] and "--quiet" in argv
    assert argv[argv.index("--json") + 1] == str(tmp_path / "r1" / "loadtest.json")
    argv = analyzer_argv(prometheus_url="http://127.0.0.1:3", run_id="r1", fmt="html", output=paths.analysis_html,
                         config="c.yaml")
    assert argv[argv.index("--run-id") + 1] == "r1" and argv[-2:] == ["--config", "c.yaml"]
    assert make_run_id(("slow-db",), datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "demo-20260102T030405Z-slow-db"


def test_suite_scaling_and_combined_verdict():
    assert scaled_duration(1800, 0.05) == "90s"
    assert scaled_duration(60, 0.001) == "1s"
    ok_run = {"profile": "basic", "exit_code": 0, "thresholds": [{"expr": "p95<1s", "ok": True}]}
    bad_run = {"profile": "spike", "exit_code": 99, "thresholds": [{"expr": "error_rate<5%", "ok": False}]}
    assert combine(suite={}, runs=[ok_run], analysis=None, analyzer_code=None)["verdict"] == "pass"
    res = combine(suite={}, runs=[ok_run, bad_run], analysis={"verdict": "pass"}, analyzer_code=0)
    assert res["verdict"] == "fail" and res["reasons"] == ["spike: threshold failed: error_rate<5%"]
    res = combine(suite={}, runs=[ok_run], analysis={"verdict": "fail", "system_health_score": 40},
                  analyzer_code=99)
    assert res["verdict"] == "fail" and "analyzer gate failed" in res["reasons"][0]


ANALYSIS = {
    "system_health_score": 71.5, "grade": "C", "verdict": "warning",
    "objectives": [
        {"id": "api_latency_p95", "title": "API latency p95", "unit": "seconds", "observed": 0.42, "threshold": 1.0,
         "pass_criterion": "<= 1", "state": "pass"},
        {"id": "db_query_p95", "title": "Database operation p95", "unit": "seconds", "observed": 0.29,
         "threshold": 0.1, "pass_criterion": "<= 0.1", "state": "fail"},
        {"id": "cache_hit_ratio", "title": "Cache hit ratio", "unit": "ratio", "observed": None, "threshold": 0.8,
         "pass_criterion": ">= 0.8", "state": "no_data"},
    ],
    "bottlenecks": [{"id": "slow_database", "category": "database", "severity": "high",
                     "title": "Slow database: DB p95 290 ms (limit 100 ms)"}],
}
LOADTEST = {"summary": {"requests": 1234, "rps": 40.2, "error_rate": 0.0, "timeout_rate": 0.0,
                        "latency_ms": {"p50": 120.0, "p95": 480.0, "p99": 700.0}},
            "thresholds": [{"expr": "p95<1000ms", "ok": True}, {"expr": "error_rate<5%", "ok": False}]}


def test_verdict_screen_shows_objectives_findings_and_the_expectation():
    console = Console(width=120, record=True, color_system=None)
    console.print(render_verdict(LOADTEST, ANALYSIS, ("top", "database")))
    text = console.export_text()
    assert "Database operation p95" in text and "290 ms" in text and "<= 100 ms" in text
    assert "Slow database" in text and "1/2 pass" in text and "no data" in text
    assert "Verdict: WARNING" in text and "72/100" in text and "caught" in text
    assert check_expectation(ANALYSIS, ("top", "caching")) == (
        False, "expected a caching bottleneck first, the top finding is database")
    assert check_expectation(ANALYSIS, ("fails", "db_query_p95"))[0] is True
    assert check_expectation(ANALYSIS, ("fails", "api_latency_p95")) == (
        False, "expected API latency p95 to fail, it is pass")
    assert check_expectation(ANALYSIS, None)[0] is True
    assert check_expectation({"verdict": "fail", "bottlenecks": []}, None)[0] is False
    assert format_value(0.0523, "ratio") == "5.2 %" and format_value(3e7, "bytes_per_second") == "30.00 MB/s"


def test_stack_configs_render_for_the_run_ports_and_pass_promtool_and_amtool(tmp_path, monkeypatch):
    import shutil
    import subprocess

    import yaml

    from demo.stack import LocalStack, Ports, StackOptions
    from perfstack.generate import REPO_ROOT

    monkeypatch.setenv("PERFSTACK_TEAM_WEBHOOK_URL", "http://127.0.0.1:9/team")
    monkeypatch.delenv("PERFSTACK_PAGING_WEBHOOK_URL", raising=False)
    stack = LocalStack(StackOptions(repo_root=REPO_ROOT), workdir=tmp_path,
                       ports=Ports(service=1001, admin=1002, exporter=1003, prometheus=1004, alertmanager=1005,
                                   loadgen=1006))
    text, rules = stack._prometheus_files()
    cfg = yaml.safe_load(text)
    assert cfg["global"]["scrape_interval"] == "2s"
    jobs = {j["job_name"]: j["static_configs"][0]["targets"] for j in cfg["scrape_configs"]}
    assert jobs == {"app": ["127.0.0.1:1001"], "exporter": ["127.0.0.1:1003"], "loadgen": ["127.0.0.1:1006"],
                    "prometheus": ["127.0.0.1:1004"], "alertmanager": ["127.0.0.1:1005"]}
    assert rules and all(name.startswith("rules/") for name in rules)
    am = stack._alertmanager_config()
    assert "http://127.0.0.1:9/team" in am and ".invalid" in am  # paging falls back to the placeholder
    for name, body in {"prometheus.yml": text, "alertmanager.yml": am, **rules}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    if shutil.which("promtool"):
        res = subprocess.run(["promtool", "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True,
                             text=True, timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr
    if shutil.which("amtool"):
        res = subprocess.run(["amtool", "check-config", str(tmp_path / "alertmanager.yml")], capture_output=True,
                             text=True, timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr
