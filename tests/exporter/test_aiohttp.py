"""aiohttp middleware over real HTTP on 127.0.0.1: route templates, statuses, /metrics lint."""

import asyncio

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client import CollectorRegistry

from exporter import PerformanceMonitor, add_aiohttp_metrics_route, aiohttp_middleware
from tests.exporter.helpers import label_values, promtool_check, value


def build_app(monitor, gate=None):
    async def get_user(request):
        async with monitor.track_query("sqlite", "select"):
            pass
        monitor.cache_miss("users")
        return web.json_response({"id": request.match_info["id"]})

    async def create(request):
        await request.read()
        return web.Response(status=201, text="created")

    async def crash(request):
        raise RuntimeError("bug")

    async def gone(request):
        raise web.HTTPGone()

    async def slow(request):
        await gate.wait()
        return web.Response(text="done")

    app = web.Application(middlewares=[aiohttp_middleware(monitor)])
    app.router.add_get("/users/{id}", get_user)
    app.router.add_post("/users", create)
    app.router.add_get("/crash", crash)
    app.router.add_get("/gone", gone)
    app.router.add_get("/slow", slow)
    add_aiohttp_metrics_route(app, monitor)
    return app


async def test_aiohttp_records_templates_statuses_and_lints_clean():
    registry = CollectorRegistry()
    monitor = PerformanceMonitor(registry=registry)
    server = TestServer(build_app(monitor), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            base = str(server.make_url(""))
            for path in ("/users/42", "/users/43", "/nope", "/crash", "/gone"):
                async with session.get(base + path) as resp:
                    await resp.read()
            async with session.post(base + "/users", data=b"z" * 300) as resp:
                assert resp.status == 201
            async with session.get(base + "/metrics") as resp:
                text = await resp.text()
            async with session.get(base + "/metrics",
                                   headers={"Accept": "application/openmetrics-text; version=1.0.0"}) as resp:
                om = await resp.text()
                assert resp.headers["Content-Type"].startswith("application/openmetrics-text")
    finally:
        await server.close()
    count = "http_server_request_duration_seconds_count"
    assert value(text, count, method="GET", route="/users/{id}", status="200") == 2
    assert value(text, count, method="GET", route="__unmatched__", status="404") == 1
    assert value(text, count, method="GET", route="/crash", status="500") == 1
    assert value(text, count, method="GET", route="/gone", status="410") == 1
    assert value(text, "http_server_request_size_bytes_sum", method="POST", route="/users") == 300
    assert value(text, "http_server_response_size_bytes_sum", method="POST", route="/users") == len("created")
    assert value(text, "db_client_operation_duration_seconds_count", system="sqlite", operation="select") == 2
    assert "/metrics" not in label_values(text, count, "route")
    assert promtool_check(text) == ""
    assert om.rstrip().endswith("# EOF")


async def test_active_requests_gauge_counts_in_flight_requests():
    registry = CollectorRegistry()
    monitor = PerformanceMonitor(registry=registry)
    gate = asyncio.Event()
    server = TestServer(build_app(monitor, gate), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            url = str(server.make_url("/slow"))
            tasks = [asyncio.create_task(session.get(url)) for _ in range(3)]
            deadline = asyncio.get_running_loop().time() + 5
            while registry.get_sample_value("http_server_active_requests", {"method": "GET"}) != 3:
                assert asyncio.get_running_loop().time() < deadline, "requests never became active"
                await asyncio.sleep(0.01)
            gate.set()
            for resp in await asyncio.gather(*tasks):
                assert resp.status == 200
                resp.release()
    finally:
        await server.close()
    assert registry.get_sample_value("http_server_active_requests", {"method": "GET"}) == 0
