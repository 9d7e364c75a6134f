"""ASGI middleware: route templates, bounded cardinality, statuses, sizes, /metrics, FastAPI."""

import random
import string

import pytest
from prometheus_client import CollectorRegistry

from exporter import PerformanceMonitor, PrometheusMiddleware, RouteMatcher
from tests.exporter.helpers import asgi_request, label_values, promtool_check, value

ROUTES = ["/", "/users/{id}", "/users/{id}/orders/{order_id:int}", "/static/{rest:path}"]


async def raw_app(scope, receive, send):
    """A router-less ASGI app: 200 for known templates, 404 otherwise, 500 on /boom."""
    path = scope["path"]
    if path == "/boom":
        raise RuntimeError("handler crashed")
    status = 200 if RouteMatcher(ROUTES)(path) else 404
    if scope["method"] == "POST":
        while (await receive()).get("more_body"):
            pass
    body = b"x" * (1234 if status == 200 else 9)
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


def instrumented(**kwargs):
    registry = CollectorRegistry()
    monitor = PerformanceMonitor(registry=registry)
    app = PrometheusMiddleware(raw_app, monitor=monitor, route_matcher=RouteMatcher(ROUTES), **kwargs)
    return app, registry, monitor


def test_route_matcher_templates():
    match = RouteMatcher(ROUTES)
    assert match("/users/42") == "/users/{id}"
    assert match("/users/42/orders/7") == "/users/{id}/orders/{order_id:int}"
    assert match("/users/42/orders/x") is None
    assert match("/static/css/a.css") == "/static/{rest:path}"
    assert match("/") == "/" and match("/nope") is None
    with pytest.raises(ValueError):
        RouteMatcher(["users"])


async def test_users_42_lands_in_route_template():
    app, registry, _ = instrumented()
    status, _ = await asgi_request(app, "GET", "/users/42")
    assert status == 200
    labels = {"method": "GET", "route": "/users/{id}", "status": "200"}
    assert registry.get_sample_value("http_server_request_duration_seconds_count", labels) == 1
    assert registry.get_sample_value("http_server_request_duration_seconds_bucket", dict(labels, le="0.1")) == 1
    assert registry.get_sample_value("http_server_response_size_bytes_sum",
                                     {"method": "GET", "route": "/users/{id}"}) == 1234
    assert registry.get_sample_value("http_server_active_requests", {"method": "GET"}) == 0


async def test_post_size_error_status_and_unmatched():
    app, registry, _ = instrumented()
    await asgi_request(app, "POST", "/users/1", body=b"y" * 500)
    await asgi_request(app, "POST", "/users/2", body=b"z" * 300, chunked=True)
    await asgi_request(app, "GET", "/definitely/not/here")
    with pytest.raises(RuntimeError):
        await asgi_request(app, "GET", "/boom")
    await asgi_request(app, "BREW", "/")
    get = registry.get_sample_value
    assert get("http_server_request_size_bytes_sum", {"method": "POST", "route": "/users/{id}"}) == 800
    assert get("http_server_request_duration_seconds_count",
               {"method": "GET", "route": "__unmatched__", "status": "404"}) == 1
    assert get("http_server_request_duration_seconds_count",
               {"method": "GET", "route": "__unmatched__", "status": "500"}) == 1
    assert get("http_server_request_duration_seconds_count", {"method": "_OTHER", "route": "/", "status": "200"}) == 1


async def test_ten_thousand_random_paths_keep_route_label_bounded():
    app, _, monitor = instrumented()
    rng = random.Random(7)
    for _ in range(10_000):
        depth = rng.randint(1, 4)
        path = "/" + "/".join("".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(1, 8)))
                              for _ in range(depth))
        if rng.random() < 0.3:
            path = f"/users/{rng.randint(1, 10**9)}"
        await asgi_request(app, "GET", path)
    body, _ = monitor.render()
    routes = label_values(body.decode(), "http_server_request_duration_seconds_count", "route")
    assert len(routes) <= len(ROUTES) + 1
    assert "__unmatched__" in routes and "/users/{id}" in routes


async def test_excluded_and_self_served_metrics_path_lints_clean():
    app, registry, _ = instrumented(metrics_path="/metrics")
    await asgi_request(app, "GET", "/users/1")
    status, body = await asgi_request(app, "GET", "/metrics")
    text = body.decode()
    assert status == 200
    assert value(text, "http_server_request_duration_seconds_count",
                 method="GET", route="/users/{id}", status="200") == 1
    assert "/metrics" not in label_values(text, "http_server_request_duration_seconds_count", "route")
    assert promtool_check(text) == ""
    status, body = await asgi_request(app, "GET", "/metrics", headers=[("Accept", "application/openmetrics-text")])
    assert body.rstrip().endswith(b"# EOF")


async def test_non_http_scopes_pass_through():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    registry = CollectorRegistry()
    mw = PrometheusMiddleware(app, monitor=PerformanceMonitor(registry=registry))
    await mw({"type": "lifespan"}, None, None)
    assert seen == ["lifespan"]
    assert registry.get_sample_value("http_server_active_requests", {"method": "GET"}) is None


async def test_spec_fastapi_middleware_usage():
    fastapi = pytest.importorskip("fastapi")
    registry = CollectorRegistry()
    monitor = PerformanceMonitor(registry=registry)
    app = fastapi.FastAPI()

    @app.get("/users/{user_id}")
    async def get_user(user_id: int):
        async with monitor.measure_time("database_query"):
            return {"id": user_id}

    @app.middleware("http")
    async def performance_middleware(request, call_next):  # the spec's example, verbatim in spirit
        async with monitor.measure_time("api_request"):
            return await call_next(request)

    app.add_middleware(PrometheusMiddleware, monitor=monitor, metrics_path="/metrics")
    status, body = await asgi_request(app, "GET", "/users/42")
    assert (status, body) == (200, b'{"id":42}')
    await asgi_request(app, "GET", "/nowhere/9")
    get = registry.get_sample_value
    assert get("http_server_request_duration_seconds_count",
               {"method": "GET", "route": "/users/{user_id}", "status": "200"}) == 1
    assert get("http_server_request_duration_seconds_count",
               {"method": "GET", "route": "__unmatched__", "status": "404"}) == 1
    assert get("perfstack_operation_duration_seconds_count", {"operation": "api_request", "outcome": "success"}) == 2
    assert monitor.get_metric_stats("database_query")["count"] == 1
    status, body = await asgi_request(app, "GET", "/metrics")
    assert status == 200 and promtool_check(body.decode()) == ""


async def test_plain_starlette_router_is_matched_without_a_matcher():
    routing = pytest.importorskip("starlette.routing")
    applications = pytest.importorskip("starlette.applications")
    responses = pytest.importorskip("starlette.responses")

    async def item(request):
        return responses.PlainTextResponse("ok")

    app = applications.Starlette(routes=[routing.Route("/items/{item_id}", item)])
    registry = CollectorRegistry()
    wrapped = PrometheusMiddleware(app, monitor=PerformanceMonitor(registry=registry))
    await asgi_request(wrapped, "GET", "/items/5")
    assert registry.get_sample_value("http_server_request_duration_seconds_count",
                                     {"method": "GET", "route": "/items/{item_id}", "status": "200"}) == 1
