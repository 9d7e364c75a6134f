"""A whole ``python -m loadgen run --engine fast``: the shared pipeline with the fast engine plugged in."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from loadgen.options import check_engine
from perfstack.cli import UsageError
from tests.loadgen.conftest import quick_run_args, read_json, run_loadgen


@pytest.mark.slow
def test_cli_run_with_fast_engine_and_two_workers(target, tmp_path):
    data = tmp_path / "users.csv"
    data.write_text("user\nada\nbob\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"base_url": target.url, "data": str(data), "endpoints": [
        {"name": "ok", "path": "/ok", "weight": 3, "expect": {"body_contains": "ok"}},
        {"name": "echo", "method": "POST", "path": "/echo?u={{user}}", "json": {"user": "{{user}}"},
         "expect": {"json": {"user": "bob"}}},
        {"name": "missing", "path": "/status/404"},
    ]}))
    out = tmp_path / "r.json"
    hits_before = sum(target.hits.values())
    r = run_loadgen(*quick_run_args(target.url, "--scenario", str(scenario), "--engine", "fast", "--users", "4",
                                    "--workers", "2", "--no-default-thresholds", "--json", str(out), "--seed", "1",
                                    duration="1.5s"))
    assert r.returncode == 0, r.stderr
    doc = read_json(out)
    assert doc["run"]["config"]["engine"] == "fast" and doc["generator"]["workers"] == 2
    eps = doc["endpoints"]
    assert eps["ok"]["outcomes"] == {"success": eps["ok"]["requests"]} and eps["ok"]["requests"] > 0
    echo = eps["echo"]["outcomes"]  # rows alternate: bob's bodies pass the JSON check, ada's fail it
    assert echo.get("success", 0) > 0 and echo.get("check_failed", 0) > 0
    assert eps["missing"]["outcomes"] == {"http_error": eps["missing"]["requests"]}
    assert set(json.loads(b)["user"] for b in target.bodies) >= {"ada", "bob"}
    answered = sum(target.hits.values()) - hits_before
    assert doc["summary"]["requests"] <= answered <= doc["summary"]["requests"] + 4


def test_cli_says_why_fast_cannot_serve_a_scenario():
    with pytest.raises(UsageError, match="cannot run this scenario: .*redirects.*use --engine aiohttp"):
        check_engine("fast", SimpleNamespace(follow_redirects=True))
    check_engine("fast", SimpleNamespace())
