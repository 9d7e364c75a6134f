"""Threshold callbacks: once on crossing, once on recovery, sync or async, failures logged."""

import asyncio
import logging

import pytest

from exporter import PerformanceMonitor, Threshold
from exporter.thresholds import dispatch_callback


def test_hysteresis_fires_once_per_transition():
    events = []
    t = Threshold(metric="latency", limit=100, clear=80, callback=events.append)
    for v in [50, 120, 130, 99, 101, 90, 79, 85, 150]:
        event = t.evaluate(v)
        if event:
            events.append(event)
    assert [(e.state, e.value) for e in events] == [("crossed", 120), ("recovered", 79), ("crossed", 150)]


def test_below_direction_and_invalid_clear():
    t = Threshold(metric="hit_ratio", limit=0.8, clear=0.85, direction="below", callback=print)
    assert t.evaluate(0.9) is None
    assert t.evaluate(0.7).state == "crossed"
    assert t.evaluate(0.82) is None
    assert t.evaluate(0.86).state == "recovered"
    with pytest.raises(ValueError):
        Threshold(metric="x", limit=1, clear=2, callback=print)


def test_monitor_sync_callback_and_raising_callback_is_logged(caplog):
    monitor = PerformanceMonitor()
    seen = []

    def broken(event):
        raise RuntimeError("hook exploded")

    monitor.add_threshold("api_response_time", 1000, seen.append, clear=800)
    monitor.add_threshold("api_response_time", 1000, broken)
    with caplog.at_level(logging.ERROR, logger="exporter.monitor"):
        for v in [500, 1500, 1600, 900, 700]:
            monitor.record_metric("api_response_time", v)
    assert [(e.state, e.value) for e in seen] == [("crossed", 1500.0), ("recovered", 700.0)]
    assert "hook exploded" in caplog.text


async def test_monitor_async_callback_runs_on_the_loop_and_failure_is_logged(caplog):
    monitor = PerformanceMonitor()
    got = asyncio.Queue()

    async def hook(event):
        await got.put(event.state)

    async def bad(event):
        raise ValueError("async hook exploded")

    monitor.add_threshold("queue_depth", 10, hook)
    monitor.add_threshold("queue_depth", 10, bad)
    with caplog.at_level(logging.ERROR, logger="exporter.monitor"):
        monitor.record_metric("queue_depth", 50)
        assert await asyncio.wait_for(got.get(), 5) == "crossed"
        monitor.record_metric("queue_depth", 1)
        assert await asyncio.wait_for(got.get(), 5) == "recovered"
        await asyncio.sleep(0)
    assert "async hook exploded" in caplog.text


def test_async_callback_without_running_loop_runs_to_completion():
    done = []

    async def hook(event):
        done.append(event.state)

    t = Threshold(metric="m", limit=1, callback=hook)
    dispatch_callback(hook, t.evaluate(5), logger=logging.getLogger("t"), pending=set())
    assert done == ["crossed"]


def test_window_statistic_threshold_uses_p95():
    monitor = PerformanceMonitor()
    events = []
    monitor.add_threshold("latency", 0.5, events.append, statistic="p95", window="1m")
    for _ in range(19):
        monitor.record_metric("latency", 0.1)
    assert events == []
    monitor.record_metric("latency", 5.0)
    monitor.record_metric("latency", 5.0)
    assert [e.state for e in events] == ["crossed"]
    assert events[0].value > 0.5


def test_value_and_window_thresholds_on_one_metric_see_their_own_statistic():
    monitor = PerformanceMonitor()
    per_value, per_mean = [], []
    monitor.add_threshold("m", 50, per_mean.append, statistic="mean")
    monitor.add_threshold("m", 50, per_value.append)
    for v in (10, 10, 10, 100):
        monitor.record_metric("m", v)
    assert [e.value for e in per_value] == [100.0]
    assert per_mean == []  # mean 32.5 stays below 50
