"""The generated rules are valid, complete, documented, and their promtool unit tests pass."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from perfstack.config import ConfigError, load_config, parse_config
from perfstack.gen import rule_tests, rules
from perfstack.gen._alert_rules import ALERT_NAMES, HOLDS
from perfstack.gen._promrules import runbook_anchor
from perfstack.gen._recording_rules import RECORDS
from tests.conftest import REPO_ROOT

PROM = REPO_ROOT / "prometheus"


def _promtool(*args: str, cwd: Path = PROM) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _rules(name: str) -> list[dict]:
    doc = yaml.safe_load((PROM / "rules" / name).read_text())
    return [r for g in doc["groups"] for r in g["rules"]]


def test_promtool_check_rules_passes_without_warnings():
    res = _promtool("check", "rules", "rules/recording.yml", "rules/alerts.yml")
    assert res.returncode == 0, res.stdout + res.stderr
    output = (res.stdout + res.stderr).lower()
    assert "warning" not in output and "duplicate" not in output, output
    assert output.count("success") == 2


def _promtool_test_rules(test_dir: Path) -> None:
    """Run ``promtool test rules`` on every file, two files at a time (promtool uses one core)."""
    files = sorted(p.name for p in test_dir.glob("*.yml"))
    assert files
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda f: _promtool("test", "rules", f, cwd=test_dir), files))
    failed = [(f, r.stdout[-3000:] + r.stderr[-1000:]) for f, r in zip(files, results, strict=True)
              if r.returncode != 0 or "SUCCESS" not in r.stdout]
    assert not failed, failed


def test_promtool_unit_tests_pass():
    _promtool_test_rules(PROM / "tests")


def test_recording_rules_are_exactly_the_contract_names():
    recorded = [r["record"] for r in _rules("recording.yml")]
    assert set(RECORDS) <= set(recorded)
    assert len(recorded) == len(set(recorded)), "a record name appears twice"
    for rule in _rules("recording.yml"):
        level = rule["record"].split(":")[0]
        keep = {"instance": "by (job, instance", "job": "by (job", "job_route": "by (job, route"}[level]
        assert keep in rule["expr"], rule


def test_every_contract_alert_exists_with_severity_and_annotations():
    alerts = _rules("alerts.yml")
    assert {a["alert"] for a in alerts} == set(ALERT_NAMES)
    for a in alerts:
        assert a["labels"]["severity"] in ("warning", "critical"), a
        assert {"summary", "description", "runbook_url"} <= set(a["annotations"]), a
        assert "{{ $value" in a["annotations"]["description"] or a["alert"] == "TargetDown", a
    severities = {}
    for a in alerts:
        severities.setdefault(a["alert"], set()).add(a["labels"]["severity"])
    for two_levels in ("ApiErrorRateHigh", "HostCpuHigh", "HostMemoryHigh"):
        assert severities[two_levels] == {"warning", "critical"}


def test_ratio_and_latency_alerts_are_guarded_by_min_request_rate():
    minimum = load_config().alerts.min_request_rate
    guarded = {"ApiLatencyP95High", "ApiErrorRateHigh", "ApiTimeoutRateHigh", "ApiLatencyDegraded",
               "DbQueryLatencyP95High", "CacheHitRatioLow"}
    for a in _rules("alerts.yml"):
        if a["alert"] in guarded:
            assert re.search(rf"rate5m >= {minimum}\b", a["expr"]), a["expr"]


def _runbook_sections() -> dict[str, str]:
    text = (REPO_ROOT / "docs" / "runbook.md").read_text()
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {runbook_anchor(title): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def test_every_runbook_url_has_a_section_that_explains_its_hold():
    sections = _runbook_sections()
    for a in _rules("alerts.yml"):
        path, _, anchor = a["annotations"]["runbook_url"].partition("#")
        assert (REPO_ROOT / path).is_file(), path
        assert anchor in sections, f"{a['alert']}: no section #{anchor} in {path}"
        assert f"`for: {a['for']}`" in sections[anchor], f"{a['alert']}: runbook does not explain for: {a['for']}"


def test_every_alert_severity_has_fire_silence_and_recovery_tests():
    text = {p.name: yaml.safe_load(p.read_text()) for p in (PROM / "tests").glob("*.yml")}
    for alert, severity in HOLDS:
        doc = text[rule_tests.alert_test_file_name(alert)]
        names = [g["name"] for g in doc["tests"] if g["name"].startswith(f"{alert} {severity} ")]
        assert any("fires once for: has passed, resolves on recovery" in n for n in names), (alert, severity)
        assert any("silent just below the threshold" in n for n in names), (alert, severity)
        fires = [g for g in doc["tests"] if g["name"] in names and "fires" in g["name"]]
        for group in fires:
            expected = [c["exp_alerts"] for c in group["alert_rule_test"]]
            assert expected[-1] == [], "the last check must be the recovery"
            assert any(any(e["exp_labels"]["severity"] == severity for e in exp) for exp in expected)


def test_test_copy_differs_only_in_windows_and_holds():
    config = load_config()
    prod, fast = rules.rule_files(config), rules.rule_files(config, rules.TEST)
    prod_alerts = yaml.safe_load(prod["alerts.yml"])["groups"]
    fast_alerts = yaml.safe_load(fast["alerts.yml"])["groups"]
    assert [r["alert"] for g in prod_alerts for r in g["rules"]] == [r["alert"] for g in fast_alerts for r in g["rules"]]
    assert all(g["interval"] == "1s" for g in fast_alerts)
    assert {r["for"] for g in fast_alerts for r in g["rules"]} == {"2s"}
    fast_rec = yaml.safe_load(fast["recording.yml"])["groups"]
    assert all("[5m]" not in r["expr"] for g in fast_rec for r in g["rules"])


OTHER_CONFIG = """
thresholds:
  api: {latency_p95: 500ms, timeout_rate: 2%, error_rate: 2%}
  system: {cpu: 60%, memory: 70%, disk_io: 20MB/s, network_io: 10MB/s}
  database: {query_p95: 40ms}
  cache: {hit_rate: 90%}
alerts:
  latency_degradation: 30%
  cpu_critical: 90%
  memory_critical: 90%
  error_rate_critical: 20%
  min_request_rate: 2
  capacity_horizon: 8h
  baseline_offset: 2h
"""


@pytest.mark.slow
def test_rules_and_their_tests_follow_a_different_config(tmp_path):
    """Another set of thresholds regenerates rules whose generated unit tests still pass."""
    config = parse_config(yaml.safe_load(OTHER_CONFIG), "other.yaml")
    (tmp_path / "rules").mkdir()
    (tmp_path / "tests").mkdir()
    for name, text in rules.rule_files(config).items():
        (tmp_path / "rules" / name).write_text(text)
    for name, text in rule_tests.render_test_files(config).items():
        (tmp_path / "tests" / name).write_text(text)
    alerts = (tmp_path / "rules" / "alerts.yml").read_text()
    assert "ratio_rate5m > 0.2 and on (job) (job:http_server_requests:rate5m >= 2)" in alerts
    assert "offset 2h) > 1.3" in alerts and "[2h], 28800)" in alerts
    _promtool_test_rules(tmp_path / "tests")


def _with_latency(latency: float, db: float):
    base = load_config()
    return dataclasses.replace(base, api=dataclasses.replace(base.api, latency_p95_seconds=latency),
                               database=dataclasses.replace(base.database, query_p95_seconds=db))


def test_latency_tests_adapt_to_thresholds_near_bucket_edges(tmp_path):
    """1.25 s × 0.8 lands on the 1 s edge and 31 ms × 0.8 just under 25 ms: other levels are chosen."""
    config = _with_latency(1.25, 0.031)
    (tmp_path / "rules").mkdir()
    (tmp_path / "tests").mkdir()
    for name, text in rules.rule_files(config).items():
        (tmp_path / "rules" / name).write_text(text)
    wanted = {"api_latency_p95_high.yml", "db_query_latency_p95_high.yml"}
    for name, text in rule_tests.render_test_files(config).items():
        if name in wanted:
            (tmp_path / "tests" / name).write_text(text)
    _promtool_test_rules(tmp_path / "tests")


def test_a_p95_threshold_beyond_the_histogram_is_a_config_error():
    with pytest.raises(ConfigError, match=r"thresholds\.api\.latency_p95: .*no p95 above 20s"):
        rule_tests.render_test_files(_with_latency(20.0, 0.1))


def test_a_critical_level_no_ratio_can_exceed_is_a_config_error():
    config = parse_config(yaml.safe_load(OTHER_CONFIG.replace("cpu_critical: 90%", "cpu_critical: 100%")), "x.yaml")
    with pytest.raises(ConfigError, match=r"^x\.yaml: HostCpuHigh: cannot generate its unit tests"):
        rule_tests.render_test_files(config)
