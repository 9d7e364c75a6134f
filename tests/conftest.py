"""Fixtures that run real Prometheus and Alertmanager on free loopback ports.

Each fixture is a factory: a test describes what it needs (scrape targets, rule files,
backfilled history, a receiver config) and gets a running process back. Every process is
stopped (terminate, then kill) when the test ends, pass or fail.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from perfstack.services import ManagedProcess, backfill_openmetrics, start_alertmanager, start_prometheus

REPO_ROOT = Path(__file__).resolve().parent.parent


def prom_query(base_url: str, promql: str, at: float | None = None) -> list[dict]:
    """Run an instant query and return ``data.result``."""
    params = {"query": promql}
    if at is not None:
        params["time"] = str(at)
    with urllib.request.urlopen(f"{base_url}/api/v1/query?{urllib.parse.urlencode(params)}", timeout=10) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]["result"]


def prom_query_range(base_url: str, promql: str, start: float, end: float, step: float) -> list[dict]:
    """Run a range query and return ``data.result``."""
    params = {"query": promql, "start": str(start), "end": str(end), "step": str(step)}
    with urllib.request.urlopen(f"{base_url}/api/v1/query_range?{urllib.parse.urlencode(params)}", timeout=30) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]["result"]


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.2, what: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def scrape_config(targets: dict[str, list[str]], *, interval: str = "1s", rule_files: list[str] | None = None,
                  alertmanager: str | None = None, evaluation_interval: str = "1s") -> str:
    """Build a prometheus.yml text for jobs → host:port targets."""
    lines = ["global:", f"  scrape_interval: {interval}", f"  evaluation_interval: {evaluation_interval}"]
    if rule_files:
        lines.append("rule_files:")
        lines += [f"  - {f}" for f in rule_files]
    if alertmanager:
        lines += ["alerting:", "  alertmanagers:", "    - static_configs:", f"        - targets: ['{alertmanager}']"]
    lines.append("scrape_configs:")
    for job, tgts in targets.items():
        lines += [f"  - job_name: {job}", "    static_configs:", f"      - targets: {json.dumps(tgts)}"]
    if not targets:
        lines[-1] = "scrape_configs: []"
    return "\n".join(lines) + "\n"


@pytest.fixture
def prometheus(tmp_path) -> Iterator[Callable[..., ManagedProcess]]:
    """Factory: ``prometheus(config_text, extra_files=..., history=openmetrics_text)``."""
    started: list[ManagedProcess] = []

    def start(config_text: str, *, extra_files: dict[str, str] | None = None, history: str | None = None,
              retention: str = "3650d") -> ManagedProcess:
        wd = tmp_path / f"prometheus-{len(started)}"
        data = wd / "data"
        if history is not None:
            backfill_openmetrics(history, data)
        proc = start_prometheus(config_text, workdir=wd, data_dir=data, extra_files=extra_files, retention=retention)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def alertmanager(tmp_path) -> Iterator[Callable[..., ManagedProcess]]:
    """Factory: ``alertmanager(config_text)`` → running Alertmanager."""
    started: list[ManagedProcess] = []

    def start(config_text: str) -> ManagedProcess:
        proc = start_alertmanager(config_text, workdir=tmp_path / f"alertmanager-{len(started)}")
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server API
        length = int(self.headers.get("Content-Length", 0))
        payload = json.loads(self.rfile.read(length) or b"{}")
        self.server.payloads.append({"path": self.path, "body": payload})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_receiver() -> Iterator[ThreadingHTTPServer]:
    """A webhook server on 127.0.0.1 that records every JSON payload in ``.payloads``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.payloads = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def openmetrics_series(name: str, mtype: str, samples: list[tuple[dict[str, str], list[tuple[float, float]]]],
                       help_text: str = "backfilled") -> str:
    """Render one metric family as OpenMetrics text with timestamps (seconds) for backfilling."""
    out = [f"# HELP {name} {help_text}", f"# TYPE {name} {mtype}"]
    sample_name = name + ("_total" if mtype == "counter" else "")
    for labels, points in samples:
        lbl = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        lbl = "{" + lbl + "}" if lbl else ""
        out += [f"{sample_name}{lbl} {v!r} {ts:.3f}" for ts, v in points]
    return "\n".join(out) + "\n"


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
