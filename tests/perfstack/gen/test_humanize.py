"""Our humanize functions render exactly what Prometheus renders (checked against real promtool)."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from perfstack.gen._humanize import FILTERS, render_annotation

VALUES = (0.0, 1e-9, 0.000123, 0.0456, 0.12, 0.5, 0.999, 1.0, 1.5, 59.9, 61.0, 3725.0, 90061.0, 1234567.0,
          52.43e6, 7.5e12, -5.0, -0.25)


def test_filters_match_prometheus_template_functions(tmp_path):
    rules, expected = [], []
    for i, value in enumerate(VALUES):
        name = f"Humanize{i}"
        rules.append({"alert": name, "expr": f"vector({value!r})",
                      "annotations": {f: f"{{{{ $value | {f} }}}}" for f in FILTERS}})
        expected.append({"eval_time": "0m", "alertname": name, "exp_alerts": [{
            "exp_labels": {}, "exp_annotations": {f: fn(value) for f, fn in FILTERS.items()}}]})
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "humanize", "rules": rules}]}))
    (tmp_path / "test.yml").write_text(yaml.safe_dump({
        "rule_files": ["rules.yml"], "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": [], "alert_rule_test": expected}]}))
    res = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr


def test_render_annotation_fills_labels_and_filtered_value():
    text = render_annotation("{{ $labels.job }} at {{ $value | humanizePercentage }}", {"job": "app"}, 0.125)
    assert text == f"app at {FILTERS['humanizePercentage'](0.125)}"


def test_render_annotation_refuses_what_it_cannot_render():
    with pytest.raises(ValueError, match="unsupported"):
        render_annotation("{{ $value | printf \"%.2f\" }}", {}, 1.0)
