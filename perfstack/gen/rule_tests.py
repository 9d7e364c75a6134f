"""Generate ``prometheus/tests/*.yml``: promtool unit tests for every alert, one file per alert name.

For every severity of every alert the tests check four things:

* fires — calm, then a level above the threshold: silent while ``for:`` has not passed, firing
  (with the exact labels and rendered annotations) once it has, and resolved after a calm tail;
* below — a level just short of the threshold for longer than any ``for:``: silent;
* low traffic — above the threshold, but below ``alerts.min_request_rate``: silent (only the
  API, database and cache alerts have this guard; host, capacity and target alerts do not);
* recovery — the calm tail of "fires": resolved once the window holds only calm samples.

Which severities must fire at a level is derived from each rule's ``op``/``threshold``; the
PromQL is what promtool evaluates, so a rule whose expression disagrees with its declared
condition fails here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from perfstack.config import ConfigError, PerformanceConfig
from perfstack.gen._alert_rules import alert_groups
from perfstack.gen._humanize import render_annotation
from perfstack.gen._promrules import GENERATED_HEADER, PRODUCTION, AlertRule, dump_yaml
from perfstack.gen._recording_checks import RECORDING_TEST_FILE, recording_test_file
from perfstack.gen._scenarios import Scenario, scenarios
from perfstack.gen._signals import Phase, input_series

__all__ = ["generate", "TEST_DIR", "alert_test_file_name"]

TEST_DIR = "prometheus/tests"
_RULE_FILES = ["../rules/recording.yml", "../rules/alerts.yml"]


def alert_test_file_name(alert: str) -> str:
    """Return ``api_error_rate_high.yml`` for ``ApiErrorRateHigh``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", alert).lower() + ".yml"


def _expected(rules: Sequence[AlertRule], scenario: Scenario, level: float, firing: Sequence[AlertRule]) -> list[dict]:
    labels = dict(scenario.labels)
    out = []
    for rule in rules:
        if rule in firing:
            out.append({
                "exp_labels": {**labels, **rule.labels()},
                "exp_annotations": {k: render_annotation(v, labels, level) for k, v in rule.annotations().items()},
            })
    return out


def _check(minute: int, alert: str, expected: list[dict]) -> dict:
    return {"eval_time": f"{minute}m", "alertname": alert, "exp_alerts": expected}


def _steps(minutes: float, step: int, what: str) -> int:
    if minutes % step:
        raise ValueError(f"{what} of {minutes}m is not a whole number of {step}m test steps")
    return int(minutes // step)


def _groups(scenario: Scenario, rules: Sequence[AlertRule], config: PerformanceConfig) -> list[dict]:
    """Return the promtool test groups for one scenario, every severity of its alert."""
    step = scenario.step_minutes
    w = _steps(scenario.window_minutes, step, "window")
    hold = {r.severity: _steps(round(r.for_seconds / 60), step, f"for: of {r.alert}") for r in rules}
    longest = max(hold.values())
    calm_len = max(w, 1) + _steps(scenario.history_minutes, step, "history")
    above_len = w + longest + 3  # +1: an alert group may read the recording from the previous evaluation
    traffic = max(10.0, config.alerts.min_request_rate * 20)
    low = config.alerts.min_request_rate / 2
    if any(r.triggered_by(scenario.calm) for r in rules):
        raise ValueError(f"{scenario.alert}: the calm level {scenario.calm} already fires")
    groups = []
    for severity, (above, below) in scenario.levels.items():
        rule = next(r for r in rules if r.severity == severity)
        if not rule.triggered_by(above) or rule.triggered_by(below):
            raise ValueError(f"{scenario.alert}/{severity}: levels {above}/{below} do not straddle {rule.threshold}")
        triggered = [r for r in rules if r.triggered_by(above)]
        early = calm_len + hold[severity]
        surely = [r for r in triggered if early - (calm_len + max(w, 1) + 1) >= hold[r.severity]]
        maybe = [r for r in triggered if early - (calm_len + 1) >= hold[r.severity] and r not in surely]
        checks = []
        if not maybe:
            checks.append(_check(early * step, scenario.alert, _expected(rules, scenario, above, surely)))
        checks += [
            _check((calm_len + above_len - 1) * step, scenario.alert, _expected(rules, scenario, above, triggered)),
            _check((calm_len + above_len + w + 2) * step, scenario.alert, []),
        ]
        name = f"{scenario.alert} {severity} ({scenario.title})"
        groups.append({
            "name": f"{name}: fires once for: has passed, resolves on recovery",
            "interval": f"{step}m",
            "input_series": input_series(scenario.signal, [
                Phase(scenario.calm, traffic, calm_len), Phase(above, traffic, above_len),
                Phase(scenario.calm, traffic, w + 2)], step),
            "alert_rule_test": checks,
        })
        below_firing = [r for r in rules if r.triggered_by(below)]
        groups.append({
            "name": f"{name}: silent just below the threshold",
            "interval": f"{step}m",
            "input_series": input_series(scenario.signal, [
                Phase(scenario.calm, traffic, calm_len), Phase(below, traffic, above_len)], step),
            "alert_rule_test": [_check((calm_len + above_len - 1) * step, scenario.alert,
                                        _expected(rules, scenario, below, below_firing))],
        })
        if scenario.uses_traffic and low > 0:
            groups.append({
                "name": f"{name}: silent on too little traffic",
                "interval": f"{step}m",
                "input_series": input_series(scenario.signal, [
                    Phase(scenario.calm, low, calm_len), Phase(above, low, above_len)], step),
                "alert_rule_test": [_check((calm_len + above_len - 1) * step, scenario.alert, [])],
            })
    return groups


def render_test_files(config: PerformanceConfig) -> dict[str, str]:
    """Return ``{file name: promtool test text}`` for every alert name."""
    rules_by_alert: dict[str, list[AlertRule]] = {}
    for group in alert_groups(config, PRODUCTION):
        for rule in group.rules:
            rules_by_alert.setdefault(rule.alert, []).append(rule)
    groups_by_alert: dict[str, list[dict]] = {}
    step_by_alert: dict[str, int] = {}
    for scenario in scenarios(config):
        if step_by_alert.setdefault(scenario.alert, scenario.step_minutes) != scenario.step_minutes:
            raise ValueError(f"{scenario.alert}: all scenarios of one alert must share a step")
        try:
            groups = _groups(scenario, rules_by_alert[scenario.alert], config)
        except ValueError as exc:  # thresholds the synthetic inputs cannot straddle, e.g. a critical level of 100 %
            raise ConfigError(config.source, scenario.alert, f"cannot generate its unit tests: {exc}") from None
        groups_by_alert.setdefault(scenario.alert, []).extend(groups)
    missing = sorted(set(rules_by_alert) - set(groups_by_alert))
    if missing:
        raise ValueError(f"alerts without unit tests: {', '.join(missing)}")
    files = {
        alert_test_file_name(alert): GENERATED_HEADER + dump_yaml(
            {"rule_files": _RULE_FILES, "evaluation_interval": f"{step_by_alert[alert]}m", "tests": groups})
        for alert, groups in groups_by_alert.items()
    }
    files[RECORDING_TEST_FILE] = recording_test_file()
    return files


def generate(config: PerformanceConfig) -> dict[str, str]:
    """Return the committed promtool test files."""
    return {f"{TEST_DIR}/{name}": text for name, text in render_test_files(config).items()}

