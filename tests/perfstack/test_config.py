"""The thresholds loader: every class of bad input gets one line naming file, key and expectation."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
import yaml

from perfstack.config import ConfigError, default_config_path, load_config, parse_config
from perfstack.units import format_duration, parse_byte_rate, parse_duration, parse_ratio

BASE = yaml.safe_load(default_config_path().read_text())


def _with(path: str, value, delete: bool = False):
    data = copy.deepcopy(BASE)
    node = data
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[k]
    if delete:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


def test_repository_config_holds_the_spec_values():
    c = load_config()
    assert c.api.latency_p95_seconds == 1.0
    assert c.api.timeout_ratio == 0.01 and c.api.error_ratio == 0.05
    assert c.api.availability_ratio_min == 0.999 and c.alerts.availability_critical_ratio == 0.99
    assert c.system.cpu_ratio == 0.70 and c.system.memory_ratio == 0.80
    assert c.system.disk_io_bytes_per_second == 50e6 and c.system.network_io_bytes_per_second == 25e6
    assert c.database.query_p95_seconds == 0.1 and c.cache.hit_ratio_min == 0.8
    assert c.alerts.latency_degradation_ratio == 0.5
    assert (c.alerts.cpu_critical_ratio, c.alerts.memory_critical_ratio, c.alerts.error_critical_ratio) == (0.8, 0.85, 0.1)
    assert {n: (p.peak_users, p.duration_seconds) for n, p in c.profiles.items()} == {
        "basic": (10, 60), "stress": (50, 300), "spike": (100, 120), "endurance": (20, 1800)}


@pytest.mark.parametrize("raw,seconds", [("500ms", 0.5), ("1s", 1.0), ("1m30s", 90.0), ("2h", 7200.0), ("250us", 250e-6)])
def test_durations(raw, seconds):
    assert parse_duration(raw) == pytest.approx(seconds)


@pytest.mark.parametrize("raw", ["1000", 1000, "1 fortnight", "-1s", "s", True])
def test_bad_durations(raw):
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(raw)


def test_ratios_and_byte_rates():
    assert parse_ratio("80%") == 0.8 and parse_ratio(0.25) == 0.25
    assert parse_byte_rate("50MB/s") == 50_000_000 and parse_byte_rate("1MiB/s") == 2**20
    assert format_duration(300) == "5m" and format_duration(0.25) == "250ms" and format_duration(90) == "90s"
    for bad in ("120%", 1.5, "80"):
        with pytest.raises(ValueError, match="expected a ratio"):
            parse_ratio(bad)


@pytest.mark.parametrize("path,value,delete,message", [
    ("thresholds.api.latency_p95", "fast", False, "thresholds.api.latency_p95: expected a duration such as '500ms'"),
    ("thresholds.api.latency_p95", None, True, "thresholds.api.latency_p95: missing required key"),
    ("thresholds.api.latencyp95", "1s", False, "thresholds.api.latencyp95: unknown key"),
    ("thresholds.system.cpu", "170%", False, "thresholds.system.cpu: expected a ratio such as '80%' or 0.8 (between 0 and 1), got '170%'"),
    ("thresholds.system.disk_io", "-5MB/s", False, "thresholds.system.disk_io: expected a byte rate"),
    ("thresholds.system.memory", [80], False, "thresholds.system.memory: expected a ratio"),
    ("alerts.cpu_critical", "60%", False, "alerts.cpu_critical: expected a critical level >= the warning threshold (70%), got 60%"),
    ("alerts.availability_critical", "99.95%", False, "alerts.availability_critical: expected a critical level <= the availability objective (99.9%), got 99.95%"),
    ("alerts.min_request_rate", -1, False, "alerts.min_request_rate: expected a rate"),
    ("profiles.basic.stages", [], False, "profiles.basic.stages: expected a non-empty list"),
    ("profiles.basic.stages", [{"duration": "5s", "users": 3, "rate": 5}], False, "profiles.basic.stages[0]: expected exactly one of 'users' or 'rate'"),
    ("profiles.basic.stages", [{"duration": "5s", "users": -3}], False, "profiles.basic.stages[0].users: expected a whole number of users >= 0"),
    ("profiles.basic.stages", [{"duration": "0s", "users": 3}], False, "profiles.basic.stages[0].duration: expected a value greater than zero"),
    ("thresholds.cache", None, True, "thresholds.cache: missing required section"),
    ("thresholds.api", "fast", False, "thresholds.api: expected a mapping, got str"),
])
def test_bad_values_name_file_key_and_expectation(path, value, delete, message):
    with pytest.raises(ConfigError) as exc:
        parse_config(_with(path, value, delete), source="perf.yaml")
    text = str(exc.value)
    assert text.startswith("perf.yaml: ")
    assert message in text
    assert "\n" not in text


def test_file_level_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("thresholds: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: line \d+: invalid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="cannot read file"):
        load_config(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ConfigError, match="empty.yaml: <top level>: expected a mapping, got NoneType"):
        load_config(empty)


def test_config_is_frozen():
    c = load_config()
    with pytest.raises(AttributeError):
        c.api.error_ratio = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        c.profiles["x"] = None  # type: ignore[index]


@pytest.mark.parametrize("module", ["exporter", "loadgen", "analyzer"])
def test_every_cli_rejects_a_bad_config_with_one_line_and_exit_2(module, tmp_path):
    bad = tmp_path / "perf.yaml"
    bad.write_text(yaml.safe_dump(_with("thresholds.api.error_rate", "lots")))
    args = {"exporter": [], "loadgen": ["run", "--base-url", "http://127.0.0.1:9"], "analyzer": ["--prometheus", "http://127.0.0.1:9"]}[module]
    res = subprocess.run([sys.executable, "-m", module, *args, "--config", str(bad)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "thresholds.api.error_rate: expected a ratio" in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("module", ["exporter", "loadgen", "analyzer"])
def test_every_cli_has_help(module):
    sub = ["run"] if module == "loadgen" else []  # loadgen's options live on its subcommands
    res = subprocess.run([sys.executable, "-m", module, *sub, "--help"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    assert "--config" in res.stdout
