"""PerformanceMonitor: the spec's usage examples, timing outcomes, stats, DB/cache helpers."""

import asyncio
from collections import namedtuple

import pytest
from prometheus_client import CollectorRegistry

from exporter import PerformanceMonitor
from exporter.system_stats import SystemSampler
from tests.exporter.helpers import promtool_check


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_spec_record_metric_is_exported_and_summarised():
    registry = CollectorRegistry()
    monitor = PerformanceMonitor(registry=registry)
    monitor.record_metric("api_response_time", 150.5)
    monitor.record_metric("api_response_time", 49.5)
    assert registry.get_sample_value("perfstack_recorded_api_response_time_count") == 2
    assert registry.get_sample_value("perfstack_recorded_api_response_time_sum") == 200.0
    stats = monitor.get_metric_stats("api_response_time")
    assert stats["count"] == 2 and stats["mean"] == 100.0 and stats["max"] == 150.5


def test_record_metric_with_labels_filters_stats_and_rejects_changed_label_names():
    registry = CollectorRegistry()
    monitor = PerformanceMonitor(registry=registry)
    monitor.record_metric("payload_bytes", 10, {"endpoint": "/a"})
    monitor.record_metric("payload_bytes", 30, {"endpoint": "/b"})
    assert monitor.get_metric_stats("payload_bytes", labels={"endpoint": "/b"})["mean"] == 30
    assert monitor.get_metric_stats("payload_bytes")["count"] == 2
    assert registry.get_sample_value("perfstack_recorded_payload_bytes_sum", {"endpoint": "/a"}) == 10
    with pytest.raises(ValueError, match="label"):
        monitor.record_metric("payload_bytes", 1, {"other": "x"})


async def test_spec_async_with_measure_time_records_success_and_error():
    registry = CollectorRegistry()
    clock = FakeClock()
    monitor = PerformanceMonitor(registry=registry, timer=clock, clock=clock)

    async def query():
        clock.now += 0.25
        return ["row"]

    async with monitor.measure_time("database_query"):
        result = await query()
    assert result == ["row"]
    with pytest.raises(KeyError):
        async with monitor.measure_time("database_query"):
            clock.now += 2.0
            raise KeyError("boom")
    get = registry.get_sample_value
    assert get("perfstack_operation_duration_seconds_count", {"operation": "database_query", "outcome": "success"}) == 1
    assert get("perfstack_operation_duration_seconds_sum", {"operation": "database_query", "outcome": "error"}) == 2.0
    assert get("perfstack_operation_duration_seconds_bucket",
               {"operation": "database_query", "outcome": "success", "le": "0.25"}) == 1
    stats = monitor.get_metric_stats("database_query")
    assert (stats["count"], stats["min"], stats["max"]) == (2, 0.25, 2.0)
    assert monitor.get_metric_stats("database_query", labels={"outcome": "error"})["count"] == 1


async def test_measure_time_as_sync_and_async_decorator():
    registry = CollectorRegistry()
    monitor = PerformanceMonitor(registry=registry)

    @monitor.measure_time("sync_op")
    def add(a, b):
        return a + b

    @monitor.measure_time("async_op")
    async def fail():
        await asyncio.sleep(0)
        raise RuntimeError("nope")

    assert add(2, 3) == 5
    assert add.__name__ == "add"
    results = await asyncio.gather(fail(), fail(), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    get = registry.get_sample_value
    assert get("perfstack_operation_duration_seconds_count", {"operation": "sync_op", "outcome": "success"}) == 1
    assert get("perfstack_operation_duration_seconds_count", {"operation": "async_op", "outcome": "error"}) == 2


def test_get_metric_stats_window_excludes_old_samples():
    clock = FakeClock()
    monitor = PerformanceMonitor(clock=clock, window_seconds=600)
    monitor.record_metric("x", 1000)
    clock.now += 120
    for v in (1, 2, 3):
        monitor.record_metric("x", v)
    assert monitor.get_metric_stats("x", window="1m")["max"] == 3
    assert monitor.get_metric_stats("x", window=300)["max"] == 1000
    clock.now += 1000
    assert monitor.get_metric_stats("x")["count"] == 0


async def test_track_query_and_cache_helpers():
    registry = CollectorRegistry()
    clock = FakeClock()
    monitor = PerformanceMonitor(registry=registry, timer=clock)
    with monitor.track_query("postgresql", "select"):
        clock.now += 0.05
    with pytest.raises(TimeoutError):
        async with monitor.track_query("postgresql", "update"):
            clock.now += 0.3
            raise TimeoutError
    for _ in range(3):
        monitor.cache_hit("users")
    monitor.cache_miss("users")
    get = registry.get_sample_value
    assert get("db_client_operation_duration_seconds_bucket",
               {"system": "postgresql", "operation": "select", "le": "0.1"}) == 1
    assert get("db_client_operation_duration_seconds_bucket",
               {"system": "postgresql", "operation": "update", "le": "0.1"}) == 0
    assert get("cache_requests_total", {"cache": "users", "result": "hit"}) == 3
    assert get("cache_requests_total", {"cache": "users", "result": "miss"}) == 1
    assert monitor.get_metric_stats("db_client_operation_duration_seconds")["count"] == 2
    body, content_type = monitor.render()
    assert content_type.startswith("text/plain")
    assert promtool_check(body.decode()) == ""


def test_render_negotiates_openmetrics():
    monitor = PerformanceMonitor()
    monitor.cache_hit("c")
    body, content_type = monitor.render("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.rstrip().endswith(b"# EOF")


Cpu = namedtuple("Cpu", "user system idle iowait")
Mem = namedtuple("Mem", "total available")
Disk = namedtuple("Disk", "read_bytes write_bytes")
Nic = namedtuple("Nic", "bytes_recv bytes_sent")
IfStats = namedtuple("IfStats", "flags")


class FakePsutil:
    """Counters that advance by known amounts per sample."""

    def __init__(self):
        self.n = 0

    def cpu_times(self):
        self.n += 1
        return Cpu(user=10.0 * self.n, system=5.0 * self.n, idle=15.0 * self.n, iowait=10.0 * self.n)

    def virtual_memory(self):
        return Mem(total=1000, available=250)

    def disk_io_counters(self, perdisk=False):
        return Disk(read_bytes=1000 * self.n, write_bytes=3000 * self.n)

    def net_io_counters(self, pernic=True):
        return {"lo": Nic(10**9 * self.n, 10**9 * self.n), "eth0": Nic(500 * self.n, 100 * self.n)}

    def net_if_stats(self):
        return {"lo": IfStats("up,loopback,running"), "eth0": IfStats("up,broadcast")}


def test_spec_get_system_stats_rates_from_two_samples():
    clock = FakeClock()
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock.now += seconds

    monitor = PerformanceMonitor(system_sampler=SystemSampler(ps=FakePsutil(), clock=clock, sleep=sleep,
                                                              min_interval_seconds=2.0))
    stats = monitor.get_system_stats()
    assert slept == [2.0]
    assert stats["cpu_percent"] == pytest.approx(37.5)  # busy 15 of 40 cpu-seconds per sample
    assert stats["memory_percent"] == pytest.approx(75.0)
    assert stats["disk_io_bytes_per_second"] == pytest.approx(2000.0)
    assert stats["network_io_bytes_per_second"] == pytest.approx(300.0)  # loopback excluded


def test_get_system_stats_on_the_real_host_is_sane():
    monitor = PerformanceMonitor(system_sampler=SystemSampler(min_interval_seconds=0.05))
    stats = monitor.get_system_stats()
    assert 0.0 <= stats["cpu_ratio"] <= 1.0
    assert 0.0 < stats["memory_ratio"] < 1.0
    assert stats["disk_io_bytes_per_second"] >= 0 and stats["interval_seconds"] >= 0.05


def test_concurrent_recording_and_reading_loses_nothing():
    import threading

    registry = CollectorRegistry()
    monitor = PerformanceMonitor(registry=registry, max_samples=50_000)
    stop = threading.Event()
    errors = []

    def reader():
        while not stop.is_set():
            try:
                monitor.get_metric_stats("load")
            except Exception as exc:  # pragma: no cover - the assertion below reports it
                errors.append(exc)

    def writer():
        for i in range(5000):
            monitor.record_metric("load", i)
            monitor.observe_request("GET", "/", 200, 0.01)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer) for _ in range(4)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert monitor.get_metric_stats("load")["count"] == 20_000
    assert registry.get_sample_value("perfstack_recorded_load_count") == 20_000
    assert registry.get_sample_value("http_server_request_duration_seconds_count",
                                     {"method": "GET", "route": "/", "status": "200"}) == 20_000
