"""The demo service's routes and metrics, in-process, read back from its own /metrics."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest

from demo import workload
from tests.demo.conftest import sample


async def metrics_of(client) -> str:
    resp = await client.get("/metrics")
    assert resp.status == 200
    return await resp.text()


async def test_chat_latency_comes_from_the_token_count(demo_client):
    client, _, sleep = await demo_client(seed=7)
    tokens = []
    for _ in range(20):
        resp = await client.post("/api/chat", json={"user": 3, "prompt": "hi"})
        assert resp.status == 200
        tokens.append((await resp.json())["usage"]["completion_tokens"])
    assert sleep.calls == pytest.approx([workload.chat_seconds(t) for t in tokens])
    assert len(set(tokens)) > 5, "token counts should vary"
    text = await metrics_of(client)
    assert sample(text, "http_server_request_duration_seconds_count", route="/api/chat", status="200",
                  method="POST") == 20
    # every model call checks the caller's quota in SQLite
    assert sample(text, "db_client_operation_duration_seconds_count", system="sqlite", operation="select") == 20


async def test_users_are_served_from_the_warm_cache_and_misses_go_to_sqlite(demo_client):
    client, _, _ = await demo_client(users=50)
    resp = await client.get("/api/users/42")
    assert resp.status == 200
    assert (await resp.json())["email"] == "user42@example.test"
    assert (await client.get("/api/users/51")).status == 404
    text = await metrics_of(client)
    assert sample(text, "cache_requests_total", cache="users", result="hit") == 1
    assert sample(text, "cache_requests_total", cache="users", result="miss") == 1
    assert sample(text, "db_client_operation_duration_seconds_count", system="sqlite", operation="select") == 1
    assert sample(text, "http_server_request_duration_seconds_count", route="/api/users/{id}", status="404",
                  method="GET") == 1


async def test_embeddings_images_health_and_unmatched_routes(demo_client):
    client, _, _ = await demo_client()
    emb = await (await client.post("/api/embeddings", json={"input": "same"})).json()
    emb2 = await (await client.post("/api/embeddings", json={"input": "same"})).json()
    assert emb["embedding"] == emb2["embedding"] and len(emb["embedding"]) == 64
    img = await client.post("/api/images", json={"prompt": "x"})
    assert img.status == 200 and (await img.json())["bytes"] > 0
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/no/such/path")).status == 404
    assert (await client.post("/api/chat", data="not json")).status == 400
    assert (await client.post("/api/chat", json={"user": "abc"})).status == 400
    assert (await client.post("/api/chat", json={"user": 10**6})).status == 403
    text = await metrics_of(client)
    assert sample(text, "http_server_request_duration_seconds_count", route="__unmatched__", status="404",
                  method="GET") == 1
    assert sample(text, "http_server_request_duration_seconds_count", route="/api/images", status="200",
                  method="POST") == 1


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
async def test_metrics_pass_promtool(demo_client):
    client, _, _ = await demo_client()
    await client.post("/api/chat", json={})
    await client.get("/api/users/1")
    res = subprocess.run(["promtool", "check", "metrics"], input=await metrics_of(client), text=True,
                         capture_output=True, timeout=30)
    assert res.returncode == 0, res.stdout + res.stderr


async def test_errors_fault_fails_a_share_of_requests(demo_client):
    client, _, _ = await demo_client(fault="errors", seed=3)
    statuses = [(await client.get("/api/users/7")).status for _ in range(200)]
    ratio = statuses.count(500) / len(statuses)
    assert 0.10 < ratio < 0.22
    text = await metrics_of(client)
    assert sample(text, "http_server_request_duration_seconds_count", route="/api/users/{id}", status="500",
                  method="GET") == statuses.count(500)


async def test_slow_db_fault_slows_tracked_queries(demo_client):
    client, _, _ = await demo_client(fault="slow-db", real_sleep=True)
    resps = await asyncio.gather(*(client.post("/api/embeddings", json={"user": i}) for i in range(1, 5)))
    assert all(r.status == 200 for r in resps)
    text = await metrics_of(client)
    count = sample(text, "db_client_operation_duration_seconds_count", system="sqlite", operation="select")
    total = sample(text, "db_client_operation_duration_seconds_sum", system="sqlite", operation="select")
    assert count == 4 and 0.15 <= total / count <= 0.35
    assert sample(text, "db_client_operation_duration_seconds_bucket", system="sqlite", operation="select",
                  le="0.1") == 0


async def test_cold_cache_fault_misses_every_lookup(demo_client):
    client, service, _ = await demo_client(fault="cold-cache")
    for _ in range(3):
        assert (await client.get("/api/users/5")).status == 200
    text = await metrics_of(client)
    assert sample(text, "cache_requests_total", cache="users", result="miss") == 3
    assert sample(text, "cache_requests_total", cache="users", result="hit") == 0
    assert service.cache.capacity == 0


async def test_latency_multiplier_scales_model_time(demo_client):
    client, service, sleep = await demo_client(fault="slow-api", seed=11)
    resp = await client.post("/api/chat", json={})
    tokens = (await resp.json())["usage"]["completion_tokens"]
    assert sleep.calls == pytest.approx([workload.chat_seconds(tokens) * 5])
    assert service.controller.settings.latency_multiplier == 5
