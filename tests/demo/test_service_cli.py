"""``python -m demo.service`` as a process: env-selected fault, clean shutdown, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

from perfstack.generate import REPO_ROOT
from perfstack.services import free_port, wait_ready
from tests.conftest import port_open


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "demo.service", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=30, env={**os.environ, **(env or {})})


def test_bad_input_is_one_line_and_exit_2():
    for args, env, needle in (
        (["--fault", "nope"], None, "unknown fault 'nope'"),
        (["--admin-listen", "0.0.0.0:9"], None, "loopback"),
        (["--listen", "8000"], None, "HOST:PORT"),
        ([], {"DEMO_FAULT": "bogus"}, "unknown fault 'bogus'"),
        ([], {"DEMO_LATENCY_MULTIPLIER": "fast"}, "DEMO_LATENCY_MULTIPLIER"),
    ):
        res = run_cli(*args, env=env)
        assert res.returncode == 2, (args, res.stderr)
        assert needle in res.stderr and len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_fault_from_environment_and_sigterm_stops_cleanly(tmp_path):
    port, admin = free_port(), free_port()
    db = tmp_path / "users.db"
    proc = subprocess.Popen([sys.executable, "-m", "demo.service", "--listen", f"127.0.0.1:{port}",
                             "--admin-listen", f"127.0.0.1:{admin}", "--db", str(db), "--users", "20"],
                            cwd=REPO_ROOT, env={**os.environ, "DEMO_FAULT": "errors,cold-cache"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", timeout=20, proc=proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert json.load(r)["fault"] == ["errors", "cold-cache"]
        with urllib.request.urlopen(f"http://127.0.0.1:{admin}/fault", timeout=5) as r:
            assert json.load(r)["settings"]["error_ratio"] > 0.1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not port_open(port) and not port_open(admin)
    assert "serving" in proc.stdout.read()
