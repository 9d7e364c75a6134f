"""health_check judged against performance_config.yaml."""

from exporter import HealthObservations, PerformanceMonitor, judge_health
from perfstack.config import load_config


def test_judge_health_levels_and_reasons():
    config = load_config()
    calm = {"cpu_ratio": 0.2, "memory_ratio": 0.3, "disk_io_bytes_per_second": 1e6, "network_io_bytes_per_second": 1e5}
    assert judge_health(config, HealthObservations(system=calm))["status"] == "healthy"
    warm = judge_health(config, HealthObservations(system=dict(calm, cpu_ratio=0.75)))
    assert warm["status"] == "degraded" and "cpu_ratio" in warm["reasons"][0]
    hot = judge_health(config, HealthObservations(system=dict(calm, memory_ratio=0.9), cache_hit_ratio=0.5))
    assert hot["status"] == "unhealthy"
    assert {"memory_ratio", "cache_hit_ratio"} <= {r.split()[0] for r in hot["reasons"]}


def test_request_checks_are_silent_below_min_request_rate():
    config = load_config()
    quiet = HealthObservations(request_rate=config.alerts.min_request_rate / 10, error_ratio=1.0)
    assert judge_health(config, quiet)["status"] == "healthy"
    busy = HealthObservations(request_rate=100, error_ratio=0.2, latency_p95_seconds=0.1, timeout_ratio=0.0)
    report = judge_health(config, busy)
    assert report["status"] == "unhealthy" and report["checks"]["error_ratio"]["critical"] == 0.1


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_monitor_health_check_uses_recorded_requests_queries_and_cache():
    clock = Clock()
    monitor = PerformanceMonitor(clock=clock, window_seconds=60)
    for i in range(100):
        monitor.observe_request("GET", "/users/{id}", 500 if i % 10 == 0 else 200, 2.0 if i < 10 else 0.05)
    for _ in range(5):
        with monitor.track_query("sqlite", "select"):
            pass
    monitor.cache_miss("c")
    clock.now = 10.0
    report = monitor.health_check(include_system=False)
    assert report["status"] == "degraded"
    assert report["checks"]["error_ratio"]["value"] == 0.1
    assert report["checks"]["latency_p95_seconds"]["status"] == "degraded"
    assert report["checks"]["cache_hit_ratio"]["value"] == 0.0
    assert report["checks"]["db_p95_seconds"]["status"] == "healthy"
