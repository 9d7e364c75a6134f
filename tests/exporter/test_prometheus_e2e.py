"""A real Prometheus scrapes the real exporter and an instrumented app; values come back through PromQL."""

import asyncio
import os
import threading
import urllib.request

import pytest
from aiohttp import web

from exporter import PerformanceMonitor, add_aiohttp_metrics_route, aiohttp_middleware
from perfstack.services import free_port
from tests.conftest import prom_query, scrape_config, wait_until
from tests.exporter.helpers import RunningExporter


class BackgroundApp:
    """An instrumented aiohttp app served from its own event loop thread on 127.0.0.1."""

    def __init__(self):
        self.monitor = PerformanceMonitor()
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    async def _start(self):
        async def user(request):
            async with self.monitor.track_query("sqlite", "select"):
                await asyncio.sleep(0.02)
            return web.Response(text=request.match_info["id"])

        app = web.Application(middlewares=[aiohttp_middleware(self.monitor)])
        app.router.add_get("/users/{id}", user)
        add_aiohttp_metrics_route(app, self.monitor)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    def stop(self):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _positive_total(url: str) -> float:
    result = prom_query(url, "sum(rate(perfstack_cpu_seconds_total[1m]))")
    return float(result[0]["value"][1]) if result else 0.0


@pytest.mark.slow
def test_prometheus_reads_host_and_app_metrics(prometheus):
    app = BackgroundApp()
    try:
        with RunningExporter() as exp:
            prom = prometheus(scrape_config({"exporter": [f"127.0.0.1:{exp.port}"], "app": [f"127.0.0.1:{app.port}"]},
                                            interval="1s"))
            for i in range(20):
                with urllib.request.urlopen(f"http://127.0.0.1:{app.port}/users/{i}", timeout=5) as resp:
                    assert resp.status == 200
            result = wait_until(lambda: prom_query(prom.url, "rate(perfstack_cpu_seconds_total[1m])"), timeout=30,
                                what="rate(perfstack_cpu_seconds_total[1m]) to have samples")
            assert {r["metric"]["job"] for r in result} == {"exporter"}
            assert {r["metric"]["mode"] for r in result} >= {"user", "system", "idle"}
            assert {r["metric"]["cpu"] for r in result} == {str(i) for i in range(os.cpu_count())}
            # a CPU cannot spend more than one second per second in a mode (slack: scrape-time jitter)
            assert all(0 <= float(r["value"][1]) <= 1.5 for r in result)
            total = wait_until(lambda: _positive_total(prom.url), timeout=30, what="CPU time to advance")
            assert total <= 1.5 * os.cpu_count()

            counts = wait_until(lambda: prom_query(
                prom.url, 'sum by (route) (http_server_request_duration_seconds_count{job="app"})'), timeout=30,
                what="the app's request counts")
            assert {r["metric"]["route"]: float(r["value"][1]) for r in counts} == {"/users/{id}": 20.0}
            p95 = prom_query(prom.url, 'histogram_quantile(0.95, sum by (le) '
                                       '(db_client_operation_duration_seconds_bucket{job="app"}))')
            assert 0.02 <= float(p95[0]["value"][1]) <= 0.25  # each query sleeps 20 ms
    finally:
        app.stop()
