"""Fault parsing, the admin API, and the fault effects that are not per request."""

from __future__ import annotations

import asyncio
import os
import time

import psutil
import pytest
from aiohttp.test_utils import TestClient, TestServer

from demo.admin import is_loopback
from demo.chaos import FaultController
from demo.faults import FAULT_NAMES, FaultSettings, expected_finding, parse_faults
from tests.demo.conftest import sample


def test_named_faults_parse_and_combine():
    assert parse_faults("none") == FaultSettings()
    assert parse_faults(None).names == ("none",)
    both = parse_faults("slow-db, errors")
    assert both.names == ("slow-db", "errors")
    assert both.db_delay_seconds == (0.15, 0.30) and both.error_ratio > 0.10
    assert parse_faults("cold-cache").cache_enabled is False
    assert parse_faults("stall").stall_seconds > 0
    assert parse_faults("none", 2.5).latency_multiplier == 2.5
    assert parse_faults("slow-api", 2.0).latency_multiplier == 2.0
    for bad in ("nope", "slow-db,nope"):
        with pytest.raises(ValueError, match="unknown fault 'nope'"):
            parse_faults(bad)
    with pytest.raises(ValueError, match="greater than zero"):
        parse_faults("none", 0)
    assert {"none", "slow-db", "errors", "cold-cache", "cpu-burn", "stall"} <= set(FAULT_NAMES)


def test_each_fault_names_what_the_analyzer_should_show():
    assert expected_finding(parse_faults("none")) is None
    assert expected_finding(parse_faults("slow-db")) == ("top", "database")
    assert expected_finding(parse_faults("cold-cache")) == ("top", "caching")
    assert expected_finding(parse_faults("cpu-burn")) == ("top", "infrastructure")
    assert expected_finding(parse_faults("errors")) == ("top", "api")
    assert expected_finding(parse_faults("stall")) == ("fails", "api_latency_p95")


@pytest.mark.parametrize(("host", "ok"), [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                          ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                          ("10.0.0.1", False), ("example.com", False), ("", False)])
def test_admin_is_loopback_only(host, ok):
    assert is_loopback(host) is ok


async def test_admin_switches_faults_at_run_time(demo_client):
    client, service, _ = await demo_client()
    admin = TestClient(TestServer(service.admin_app))
    await admin.start_server()
    try:
        shown = await (await admin.get("/fault")).json()
        assert shown["settings"]["names"] == ["none"] and "slow-db" in shown["faults"]
        resp = await admin.put("/fault", json={"fault": "cold-cache", "latency_multiplier": 2})
        assert resp.status == 200
        assert service.controller.settings.latency_multiplier == 2
        assert service.cache.capacity == 0
        assert (await client.get("/api/users/3")).status == 200
        text = await (await client.get("/metrics")).text()
        assert sample(text, "cache_requests_total", cache="users", result="miss") == 1
        assert (await admin.put("/fault", json={"fault": "bogus"})).status == 400
        assert (await admin.put("/fault", json={"latency_multiplier": "x"})).status == 400
        assert (await admin.put("/fault", data="{")).status == 400
        assert (await admin.put("/fault", json={"fault": "none", "extra": 1})).status == 400
        assert (await admin.post("/fault", json={"fault": "none"})).status == 200
        assert service.cache.capacity > 0
        assert (await client.get("/healthz")).status == 200
    finally:
        await admin.close()


async def test_stall_fault_holds_api_requests_periodically(demo_client):
    controller = FaultController(FaultSettings(names=("stall",), stall_every_seconds=0.3, stall_seconds=0.2))
    await controller.start()
    try:
        deadline = time.monotonic() + 3.0
        worst = 0.0
        while time.monotonic() < deadline and worst < 0.1:
            t0 = time.monotonic()
            await controller.wait_unstalled()
            worst = max(worst, time.monotonic() - t0)
            await asyncio.sleep(0.01)
        assert worst >= 0.1, "requests were never held"
        controller.apply(FaultSettings())
        assert controller._stall_task is None
        t0 = time.monotonic()
        await controller.wait_unstalled()
        assert time.monotonic() - t0 < 0.05
    finally:
        await controller.close()


async def test_stall_fault_shows_in_the_server_latency_histogram(demo_client):
    client, service, _ = await demo_client(fault="stall")
    service.controller.apply(FaultSettings(names=("stall",), stall_every_seconds=0.4, stall_seconds=0.3))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        await client.get("/api/users/1")
        text = await (await client.get("/metrics")).text()
        slow = sample(text, "http_server_request_duration_seconds_count", route="/api/users/{id}") - sample(
            text, "http_server_request_duration_seconds_bucket", route="/api/users/{id}", le="0.1")
        if slow >= 1:
            break
    assert slow >= 1, "no request was held past 100 ms"
    assert (await client.get("/healthz")).status == 200


async def test_cpu_burn_starts_burners_and_clearing_the_fault_stops_them():
    controller = FaultController(FaultSettings(names=("cpu-burn",), cpu_burn=True), burner_count=1,
                                 burner_max_seconds=30)
    await controller.start()
    try:
        me = psutil.Process(os.getpid())
        burners = [c for c in me.children() if c.pid in {p.pid for p in controller._burners}]
        assert len(burners) == 1
        deadline = time.monotonic() + 10
        while burners[0].cpu_times().user < 0.2:
            assert time.monotonic() < deadline, "burner used no CPU"
            await asyncio.sleep(0.05)
        controller.apply(FaultSettings())
        assert not burners[0].is_running() or burners[0].status() == psutil.STATUS_ZOMBIE
    finally:
        await controller.close()
