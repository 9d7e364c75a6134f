"""The public API of ``exporter`` is exactly what ``__all__`` pins."""

import exporter

EXPECTED = {
    "PerformanceMonitor", "PrometheusMiddleware", "RouteMatcher", "aiohttp_middleware", "aiohttp_metrics_handler",
    "add_aiohttp_metrics_route", "Threshold", "ThresholdEvent", "HealthObservations", "judge_health", "MetricDef",
    "HTTP_DURATION_BUCKETS", "DB_DURATION_BUCKETS", "UNMATCHED_ROUTE",
}


def test_all_is_pinned_and_importable():
    assert set(exporter.__all__) == EXPECTED
    assert len(exporter.__all__) == len(EXPECTED)
    for name in exporter.__all__:
        assert getattr(exporter, name) is not None


def test_contract_bucket_edges():
    assert 0.1 in exporter.HTTP_DURATION_BUCKETS and 1.0 in exporter.HTTP_DURATION_BUCKETS
    assert exporter.HTTP_DURATION_BUCKETS == (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
    assert 0.1 in exporter.DB_DURATION_BUCKETS
