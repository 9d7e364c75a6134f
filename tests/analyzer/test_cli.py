"""CLI usage errors and an unreachable Prometheus: exit 2 and one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from perfstack.services import free_port
from tests.conftest import REPO_ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, timeout=60,
                          cwd=REPO_ROOT)


def _one_line_error(res: subprocess.CompletedProcess) -> str:
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert res.stdout == ""
    return lines[0]


def test_unreachable_prometheus_exits_2_with_one_line():
    url = f"http://127.0.0.1:{free_port()}"
    line = _one_line_error(_cli("--prometheus", url, "--retries", "1"))
    assert line.startswith("analyzer: error: cannot reach Prometheus at " + url)


@pytest.mark.parametrize(("args", "needle"), [
    (["--prometheus", "http://127.0.0.1:1", "--window", "30"], "duration"),
    (["--prometheus", "http://127.0.0.1:1", "--end", "yesterday"], "--end"),
    (["--prometheus", "http://127.0.0.1:1", "--fail-under", "120"], "--fail-under"),
    (["--prometheus", "http://127.0.0.1:1", "--format", "pdf"], "--format"),
    (["--prometheus", "127.0.0.1:9090"], "http://"),
    (["--prometheus", "http://127.0.0.1:1", "--config", "/nonexistent.yaml"], "/nonexistent.yaml"),
    (["serve", "--prometheus", "http://127.0.0.1:1", "--listen", "nowhere"], "--listen"),
    ([], "--prometheus"),
])
def test_bad_usage_is_one_line_exit_2(args, needle):
    assert needle in _one_line_error(_cli(*args))


def test_help_explains_every_option():
    res = _cli("--help")
    assert res.returncode == 0
    for flag in ("--prometheus", "--window", "--end", "--baseline-offset", "--job", "--format", "--output",
                 "--fail-under", "--run-id", "--config", "Exit codes"):
        assert flag in res.stdout
    serve = _cli("serve", "--help")
    assert serve.returncode == 0 and "--listen" in serve.stdout and "perfstack_health_score" in serve.stdout
