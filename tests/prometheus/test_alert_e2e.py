"""End to end: load drives a real app's error ratio up, the rule fires, Alertmanager pages, then resolves.

Real processes throughout, all on 127.0.0.1: an aiohttp app instrumented with the exporter's
middleware whose ``/`` answers 500 to half the requests while faults are on; the loadgen CLI
driving it at a fixed rate; Prometheus scraping both with the test-only copy of the rules (same
definitions, 10 s windows, 2 s ``for:``); Alertmanager rendered with the short test pacing and
both receivers pointing at the test's webhook server.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from aiohttp import web

from exporter import PerformanceMonitor, add_aiohttp_metrics_route, aiohttp_middleware
from perfstack.config import load_config
from perfstack.gen import rules
from perfstack.gen._alert_rules import alert_groups
from perfstack.gen._humanize import render_annotation
from perfstack.gen.alertmanager_config import TEST_TIMING, render_alertmanager_config
from perfstack.services import free_port
from tests.conftest import REPO_ROOT, prom_query, scrape_config, wait_until


class FaultyApp:
    """An instrumented aiohttp app whose ``/`` fails every other request while ``failing`` is set."""

    def __init__(self) -> None:
        self.failing = threading.Event()
        self._count = 0
        self.monitor = PerformanceMonitor()

    async def index(self, request: web.Request) -> web.Response:
        self._count += 1
        if self.failing.is_set() and self._count % 2 == 0:
            return web.Response(status=500, text="injected fault\n")
        return web.Response(text="ok\n")

    def build(self) -> web.Application:
        app = web.Application(middlewares=[aiohttp_middleware(self.monitor)])
        app.router.add_get("/", self.index)
        add_aiohttp_metrics_route(app, self.monitor)
        return app


@pytest.fixture
def faulty_app() -> Iterator[tuple[FaultyApp, int]]:
    """Serve a FaultyApp on a free loopback port from its own event-loop thread."""
    target, port = FaultyApp(), free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(target.build(), access_log=None)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield target, port
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.run_until_complete(runner.cleanup())
    loop.close()


def _payloads(receiver, path: str, status: str, alertname: str, job: str) -> list[dict]:
    """Return the alerts with ``status`` for ``alertname`` on ``job`` delivered to ``path`` so far."""
    found = []
    for p in list(receiver.payloads):
        if p["path"] == path:
            found += [a for a in p["body"].get("alerts", []) if a["status"] == status
                      and a["labels"].get("alertname") == alertname and a["labels"].get("job") == job]
    return found


def _am_alerts(am_url: str, matcher: str) -> list[dict]:
    query = urllib.parse.urlencode({"filter": matcher})
    with urllib.request.urlopen(f"{am_url}/api/v2/alerts?{query}", timeout=5) as resp:
        return json.load(resp)


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_error_spike_pages_through_alertmanager_and_resolves(faulty_app, prometheus, alertmanager, webhook_receiver,
                                                             tmp_path):
    target, app_port = faulty_app
    config = load_config()
    critical = next(r for g in alert_groups(config, rules.TEST) for r in g.rules
                    if r.alert == "ApiErrorRateHigh" and r.severity == "critical")

    am = alertmanager(render_alertmanager_config(
        paging_url=f"{webhook_receiver.url}/paging", team_url=f"{webhook_receiver.url}/team",
        timing=TEST_TIMING, templates=str(REPO_ROOT / "alertmanager" / "templates" / "*.tmpl")))
    loadgen_port = free_port()
    prom = prometheus(
        scrape_config({"app": [f"127.0.0.1:{app_port}"], "loadgen": [f"127.0.0.1:{loadgen_port}"]},
                      rule_files=["rules/recording.yml", "rules/alerts.yml"], alertmanager=f"127.0.0.1:{am.port}"),
        extra_files={f"rules/{name}": text for name, text in rules.rule_files(config, rules.TEST).items()})

    target.failing.set()
    loadgen_log = tmp_path / "loadgen.log"
    log_file = loadgen_log.open("w")
    loadgen = subprocess.Popen(
        [sys.executable, "-m", "loadgen", "run", "--base-url", f"http://127.0.0.1:{app_port}", "--rate", "20",
         "--duration", "100s", "--ramp-up", "0s", "--metrics-listen", f"127.0.0.1:{loadgen_port}", "--linger", "0s",
         "--quiet", "--no-default-thresholds"],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=log_file, text=True)
    try:
        def fired() -> list[dict]:
            assert loadgen.poll() is None, f"loadgen exited early: {loadgen_log.read_text()[-2000:]}"
            return _payloads(webhook_receiver, "/paging", "firing", "ApiErrorRateHigh", "app")

        alert = wait_until(fired, 60, what="ApiErrorRateHigh critical at the paging webhook")[0]
        assert alert["labels"]["severity"] == "critical"
        assert alert["labels"]["job"] == "app"
        assert alert["annotations"]["summary"] == render_annotation(critical.summary, alert["labels"], 0.0)
        assert alert["annotations"]["summary"] == "API error ratio above 10% on job app"
        assert alert["annotations"]["runbook_url"] == "docs/runbook.md#apierrorratehigh"
        assert re.fullmatch(r"\d+(\.\d+)?% of the requests seen by job app failed over the last 10s \(5xx answers; "
                            r"at the load generator any failed request\), above 10% for 2s \(alerts\.error_rate_critical\)\.",
                            alert["annotations"]["description"]), alert["annotations"]["description"]
        ratio = float(prom_query(prom.url, 'job:http_server_request_errors:ratio_rate5m{job="app"}')[0]["value"][1])
        assert 0.3 < ratio <= 0.6, ratio

        # The critical inhibits the warning of the same alert on the same job: visible in Alertmanager's API.
        suppressed = wait_until(
            lambda: [a for a in _am_alerts(am.url, 'alertname="ApiErrorRateHigh"')
                     if a["labels"]["severity"] == "warning" and a["labels"]["job"] == "app"
                     and a["status"]["state"] == "suppressed"],
            20, what="the warning to be inhibited by the critical")
        assert suppressed[0]["status"]["inhibitedBy"]
        wait_until(lambda: prom_query(prom.url, 'job:loadgen_requests:rate5m{job="loadgen"} > 5'), 15,
                   what="the loadgen's own request rate recorded from its metrics")
        # The load generator saw the same failures from the client side and pages for its own job too.
        client_side = wait_until(lambda: _payloads(webhook_receiver, "/paging", "firing", "ApiErrorRateHigh", "loadgen"),
                                 30, what="ApiErrorRateHigh from the loadgen's own metrics")[0]
        assert client_side["labels"]["severity"] == "critical"

        target.failing.clear()
        resolved = wait_until(
            lambda: _payloads(webhook_receiver, "/paging", "resolved", "ApiErrorRateHigh", "app"), 60,
            what="the resolved notification at the paging webhook")[0]
        assert resolved["labels"]["severity"] == "critical"
        assert resolved["endsAt"] > resolved["startsAt"]
    finally:
        loadgen.terminate()
        try:
            loadgen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            loadgen.kill()
            loadgen.wait(timeout=5)
        log_file.close()
