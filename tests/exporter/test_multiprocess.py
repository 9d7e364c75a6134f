"""Two worker processes in prometheus-client multiprocess mode: /metrics shows the sums."""

import os
import subprocess
import sys

from exporter import PerformanceMonitor
from tests.conftest import REPO_ROOT
from tests.exporter.helpers import promtool_check, value


def test_two_workers_counts_are_summed(tmp_path):
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    workers = [subprocess.Popen([sys.executable, "-m", "tests.exporter.mp_worker", str(n)], cwd=REPO_ROOT, env=env)
               for n in (30, 45)]
    assert [w.wait(timeout=30) for w in workers] == [0, 0]
    assert len(list(tmp_path.glob("*.db"))) >= 2, "workers wrote no multiprocess files"
    body, _ = PerformanceMonitor(multiprocess_dir=str(tmp_path)).render()
    text = body.decode()
    assert value(text, "http_server_request_duration_seconds_count",
                 method="GET", route="/users/{id}", status="200") == 75
    assert value(text, "cache_requests_total", cache="users", result="hit") == 2
    assert promtool_check(text) == ""
