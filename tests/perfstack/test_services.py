"""Managed Prometheus dies with its owner, even when the owner is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from tests.conftest import REPO_ROOT, port_open, wait_until


def test_prometheus_does_not_outlive_a_killed_parent(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from perfstack.services import start_prometheus
        p = start_prometheus("global: {{}}\\nscrape_configs: []\\n", workdir={str(tmp_path)!r})
        print(p.port, p.proc.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        port, pid = map(int, parent.stdout.readline().split())
        assert port_open(port)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)

    def gone():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a zombie is gone for our purposes once it no longer listens
        return not port_open(port)

    wait_until(gone, 15, what="prometheus to exit after its parent was killed")
