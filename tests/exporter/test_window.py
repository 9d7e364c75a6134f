"""Sliding-window statistics: exact percentiles, eviction by age and by count."""

import pytest

from exporter.window import SlidingWindow, percentile, summarize


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_percentile_interpolates_between_ranks():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile(values, 0.0) == 1.0 and percentile(values, 1.0) == 100.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_summarize_reports_all_fields_and_empty():
    stats = summarize([3.0, 1.0, 2.0])
    assert (stats["count"], stats["min"], stats["max"], stats["mean"]) == (3, 1.0, 3.0, 2.0)
    assert stats["p50"] == 2.0
    assert summarize([])["count"] == 0 and summarize([])["p95"] is None


def test_window_evicts_by_age_and_answers_sub_windows():
    clock = FakeClock()
    window = SlidingWindow(max_age_seconds=60, max_samples=1000, clock=clock)
    for i in range(120):
        window.add(float(i))
        clock.now += 1.0
    values, span = window.values()
    assert values == [float(i) for i in range(60, 120)]
    assert span == pytest.approx(60.0)
    recent, _ = window.values(10)
    assert recent == [float(i) for i in range(110, 120)]
    assert len(window) == 60


def test_window_count_bound_keeps_newest_and_reports_shorter_span():
    clock = FakeClock()
    window = SlidingWindow(max_age_seconds=3600, max_samples=100, clock=clock)
    for i in range(10_000):
        window.add(float(i))
        clock.now += 0.01
    values, span = window.values()
    assert len(window) == 100 and values[0] == 9900.0
    assert span == pytest.approx(1.0, rel=0.05)
