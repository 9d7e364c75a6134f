"""``python -m demo.run`` and ``python -m demo.suite`` refuse bad input in one line, before starting anything."""

from __future__ import annotations

import subprocess
import sys

import pytest

from perfstack.generate import REPO_ROOT


@pytest.mark.parametrize(("args", "needle"), [
    (["--duration", "2s"], "at least 5s"),
    (["--duration", "60"], "--duration"),
    (["--fault", "slow-db,bogus"], "unknown fault 'bogus'"),
    (["--profile", "warmup"], "--profile 'warmup'"),
    (["--scrape-interval", "0s"], "--scrape-interval"),
    (["--run-id", "../escape"], "--run-id"),
    (["--latency-multiplier", "-1"], "greater than zero"),
    (["--config", "/nonexistent.yaml"], "cannot read file"),
])
def test_demo_run_bad_input(args, needle, tmp_path):
    res = subprocess.run([sys.executable, "-m", "demo.run", "--reports-dir", str(tmp_path), *args], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 2, res.stderr
    assert needle in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "starting the stack" not in res.stdout
    assert not any(tmp_path.iterdir())
