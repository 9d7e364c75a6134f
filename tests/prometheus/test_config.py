"""Both generated prometheus.yml files are valid and scrape the contract jobs at the right addresses."""

from __future__ import annotations

import subprocess

import yaml

from perfstack.gen.prometheus_config import COMPOSE_TARGETS, JOBS, LOCAL_TARGETS, render_prometheus_config
from tests.conftest import REPO_ROOT

PROM = REPO_ROOT / "prometheus"


def _load(name: str) -> dict:
    return yaml.safe_load((PROM / name).read_text())


def test_promtool_check_config_passes_on_both_files():
    res = subprocess.run(["promtool", "check", "config", "prometheus.yml", "prometheus.compose.yml"],
                         cwd=PROM, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("is valid prometheus config file syntax") == 2
    assert res.stdout.count("SUCCESS: 2 rule files found") == 2


def test_local_and_compose_differ_only_in_addresses():
    local, compose = _load("prometheus.yml"), _load("prometheus.compose.yml")
    for doc, book in ((local, LOCAL_TARGETS), (compose, COMPOSE_TARGETS)):
        jobs = {s["job_name"]: s["static_configs"][0]["targets"] for s in doc["scrape_configs"]}
        assert tuple(jobs) == JOBS
        assert jobs == {job: [book[job]] for job in JOBS}
        assert doc["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [book["alertmanager"]]
        assert doc["rule_files"] == ["rules/*.yml"]
    assert local["global"] == compose["global"]
    assert all(t.startswith("127.0.0.1:") for t in LOCAL_TARGETS.values())
    assert COMPOSE_TARGETS["app"] == "demo:8000" and COMPOSE_TARGETS["prometheus"] == "prometheus:9090"


def test_render_accepts_several_targets_per_job():
    text = render_prometheus_config(targets={"app": ["127.0.0.1:1", "127.0.0.1:2"]}, alertmanagers=[])
    assert yaml.safe_load(text)["scrape_configs"][0]["static_configs"][0]["targets"] == ["127.0.0.1:1", "127.0.0.1:2"]
