"""alertmanager.yml validates, routes criticals to paging and warnings to the team, and renders URLs."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from perfstack.gen.alertmanager_config import PAGING_ENV, TEAM_ENV, render_alertmanager_config
from tests.conftest import REPO_ROOT

AM_DIR = REPO_ROOT / "alertmanager"


def _amtool(*args: str, cwd=AM_DIR) -> subprocess.CompletedProcess:
    return subprocess.run(["amtool", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_amtool_check_config_passes():
    res = _amtool("check-config", "alertmanager.yml")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 inhibit rules" in res.stdout and "2 receivers" in res.stdout and "1 templates" in res.stdout


@pytest.mark.parametrize(("severity", "receiver"), [("critical", "paging"), ("warning", "team")])
def test_routes_send_each_severity_to_its_receiver(severity, receiver):
    res = _amtool("config", "routes", "test", "--config.file=alertmanager.yml", f"--verify.receivers={receiver}",
                  "alertname=ApiErrorRateHigh", f"severity={severity}", "job=app", "instance=demo:8000")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.strip() == receiver


def test_documented_email_and_slack_options_are_valid_once_uncommented(tmp_path):
    text = (AM_DIR / "alertmanager.yml").read_text()
    uncommented = re.sub(r"^( +)# ((?:smtp_|slack_|email_configs|slack_configs|  - to|  - channel|    ).*)$",
                         r"\1\2", text, flags=re.M)
    assert "email_configs:" in uncommented and "slack_configs:" in uncommented and "smtp_smarthost" in uncommented
    (tmp_path / "alertmanager.yml").write_text(uncommented.replace("templates/*.tmpl", str(AM_DIR / "templates/*.tmpl")))
    res = _amtool("check-config", "alertmanager.yml", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr + uncommented


def test_message_template_reads_well(tmp_path):
    data = {
        "receiver": "paging", "status": "firing", "externalURL": "http://127.0.0.1:9093",
        "groupLabels": {"alertname": "ApiErrorRateHigh", "job": "app"},
        "commonLabels": {"alertname": "ApiErrorRateHigh", "severity": "critical", "job": "app", "instance": "demo:8000"},
        "commonAnnotations": {},
        "alerts": [{
            "status": "firing", "labels": {"alertname": "ApiErrorRateHigh", "severity": "critical", "job": "app",
                                           "instance": "demo:8000"},
            "annotations": {"summary": "API error ratio above 10% on job app", "description": "52% of the requests",
                            "runbook_url": "docs/runbook.md#apierrorratehigh"},
            "startsAt": "2026-11-28T20:30:00Z", "endsAt": "0001-01-01T00:00:00Z"}],
    }
    (tmp_path / "data.json").write_text(json.dumps(data))
    res = _amtool("template", "render", f"--template.glob={AM_DIR / 'templates' / '*.tmpl'}",
                  f"--template.data={tmp_path / 'data.json'}",
                  '--template.text={{ template "perfstack.title" . }}\n{{ template "perfstack.text" . }}')
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "[FIRING:1] ApiErrorRateHigh critical (job app, demo:8000)"
    assert "FIRING: API error ratio above 10% on job app" in lines
    assert "Where: instance=demo:8000 job=app" in lines
    assert "Runbook: docs/runbook.md#apierrorratehigh" in lines


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "perfstack.gen.alertmanager_config", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", **env})


def test_cli_renders_webhook_urls_from_the_environment(tmp_path):
    out = tmp_path / "am.yml"
    res = _cli("--output", str(out), env={PAGING_ENV: "http://127.0.0.1:1/page", TEAM_ENV: "http://127.0.0.1:1/team"})
    assert res.returncode == 0, res.stderr
    text = out.read_text()
    assert "url: 'http://127.0.0.1:1/page'" in text and "url: 'http://127.0.0.1:1/team'" in text
    assert _amtool("check-config", str(out)).returncode == 0


def test_cli_without_urls_fails_with_one_line(tmp_path):
    res = _cli("--output", str(tmp_path / "am.yml"), env={})
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and PAGING_ENV in res.stderr and TEAM_ENV in res.stderr
    assert not (tmp_path / "am.yml").exists()


def test_render_refuses_a_url_that_would_break_the_yaml():
    with pytest.raises(ValueError, match="paging_url"):
        render_alertmanager_config(paging_url="http://x/'; evil", team_url="http://x/")
