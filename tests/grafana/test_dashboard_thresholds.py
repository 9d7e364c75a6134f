"""Every threshold a dashboard shows is the value in performance_config.yaml.

The expected values are written here from the config's meaning (which panel shows which
objective), independently of the generator, and a second config proves they are not constants.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from analyzer.scoring import GRADE_BANDS
from perfstack.config import PerformanceConfig, default_config_path, load_config, parse_config
from perfstack.gen.dashboards import dashboards
from tests.grafana.boards import STEMS, committed_dashboards, panels, threshold_values

NOT_FROM_CONFIG = {
    ("overview", "Health score"): "grade bands of the analyzer's 0-100 score",
    ("overview", "Firing alerts"): "any firing alert turns the count red",
}


def expected_thresholds(cfg: PerformanceConfig) -> dict[tuple[str, str], list[float]]:
    """(dashboard, panel title) → threshold values, straight from the config."""
    api, system, alerts = cfg.api, cfg.system, cfg.alerts
    latency, db = [api.latency_p95_seconds], [cfg.database.query_p95_seconds]
    errors, timeouts = [api.error_ratio, alerts.error_critical_ratio], [api.timeout_ratio]
    cpu, memory = [system.cpu_ratio, alerts.cpu_critical_ratio], [system.memory_ratio, alerts.memory_critical_ratio]
    disk, network, hits = [system.disk_io_bytes_per_second], [system.network_io_bytes_per_second], [cfg.cache.hit_ratio_min]
    return {
        ("overview", "API latency p95"): latency,
        ("overview", "API error ratio"): errors,
        ("overview", "Timeout ratio"): timeouts,
        ("overview", "CPU utilisation"): cpu,
        ("overview", "Memory utilisation"): memory,
        ("overview", "Disk I/O"): disk,
        ("overview", "Network I/O"): network,
        ("overview", "DB query p95"): db,
        ("overview", "Cache hit ratio"): hits,
        ("api", "Latency p95"): latency,
        ("api", "Error ratio"): errors,
        ("api", "Latency p50 / p95 / p99 by route"): latency,
        ("api", "Latency p95 by route (5m, as alerted)"): latency,
        ("api", "Error ratio by route (5m, as alerted)"): errors,
        ("host", "CPU utilisation (5m)"): cpu,
        ("host", "CPU by mode"): cpu,
        ("host", "Memory utilisation"): memory,
        ("host", "Disk I/O, read + written (5m)"): disk,
        ("host", "Disk I/O by device"): disk,
        ("host", "Network I/O, received + transmitted (5m)"): network,
        ("host", "Network I/O by device"): network,
        ("load-test", "Latency p50 / p95 / p99 (client side)"): latency,
        ("load-test", "Failed requests ratio"): errors,
        ("load-test", "Timeout ratio"): timeouts,
        ("load-test", "Schedule lag p99"): [cfg.generator.schedule_lag_p99_seconds],
        ("database-cache", "DB p95 (5m, as alerted)"): db,
        ("database-cache", "DB latency p50 / p95 / p99 by operation"): db,
        ("database-cache", "Cache hit ratio (5m, as alerted)"): hits,
        ("database-cache", "Cache hit ratio by cache"): hits,
    }


def shown_thresholds(boards: dict[str, dict]) -> dict[tuple[str, str], list[float]]:
    return {(stem, p["title"]): threshold_values(p) for stem in STEMS for p in panels(boards[stem])
            if threshold_values(p)}


def test_every_committed_threshold_equals_the_config():
    shown = shown_thresholds(committed_dashboards())
    for key in NOT_FROM_CONFIG:
        shown.pop(key)
    assert shown == expected_thresholds(load_config())


def test_health_score_colours_follow_the_analyzer_grade_bands():
    (health,) = [p for p in panels(committed_dashboards()["overview"]) if p["title"] == "Health score"]
    assert threshold_values(health) == sorted(floor for _, floor in GRADE_BANDS)
    assert health["fieldConfig"]["defaults"]["thresholds"]["steps"][0]["color"] == "red"


def test_objectives_colour_bad_values_red():
    """High-is-bad objectives end red above the limit; the cache hit ratio is red below its minimum."""
    for p in panels(committed_dashboards()["overview"]):
        steps = p["fieldConfig"]["defaults"]["thresholds"]["steps"]
        if p["title"] == "Cache hit ratio":
            assert [s["color"] for s in steps] == ["red", "green"]
        elif threshold_values(p) and p["title"] not in ("Health score",):
            assert steps[0]["color"] == "green" and steps[-1]["color"] == "red", p["title"]
        if p["type"] == "stat" and threshold_values(p):
            assert p["fieldConfig"]["defaults"]["color"]["mode"] == "thresholds", p["title"]


def test_host_graphs_draw_the_threshold_for_every_resource():
    host = committed_dashboards()["host"]
    drawn = [p for p in panels(host) if threshold_values(p)
             and p["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] != "off"]
    titles = " ".join(p["title"] for p in drawn)
    for resource in ("CPU", "Memory", "Disk", "Network"):
        assert resource in titles, f"no Host graph draws the {resource} limit"
    for p in panels(host):
        if threshold_values(p):
            assert p["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] != "off", p["title"]


def test_thresholds_follow_a_changed_config():
    raw = yaml.safe_load(default_config_path().read_text())
    changed = copy.deepcopy(raw)
    changed["thresholds"]["api"]["latency_p95"] = "250ms"
    changed["thresholds"]["system"]["cpu"] = "55%"
    changed["thresholds"]["system"]["network_io"] = "3MB/s"
    changed["thresholds"]["cache"]["hit_rate"] = "95%"
    changed["generator"]["schedule_lag_p99"] = "2ms"
    cfg = parse_config(changed, "changed.yaml")
    shown = shown_thresholds(dashboards(cfg))
    for key in NOT_FROM_CONFIG:
        shown.pop(key)
    expected = expected_thresholds(cfg)
    assert shown == expected
    assert expected[("host", "CPU utilisation (5m)")][0] == pytest.approx(0.55)
    assert expected != expected_thresholds(load_config())
