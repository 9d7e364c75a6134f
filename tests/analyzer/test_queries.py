"""The query set: raw metrics only (no recording rules), and a fixed size whatever the series count."""

from __future__ import annotations

import re

from analyzer.queries import Scope, baseline_queries, instant_queries, range_queries, route_queries

METRIC = re.compile(r"(?<![\w:\"])[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{|\[|\)| /)")


def _all(scope: Scope) -> dict[str, str]:
    return {**instant_queries(scope), **baseline_queries(scope), **route_queries(scope, 1.0),
            **{f"range:{k}": v for k, v in range_queries(scope.job, 30).items()}}


def test_no_query_reads_a_recording_rule():
    for q in _all(Scope(job="app", range_="30m")).values():
        names = METRIC.findall(q)
        assert names, q
        assert not [n for n in names if ":" in n], q


def test_contract_metric_names_are_used():
    text = " ".join(_all(Scope()).values())
    for name in ("perfstack_cpu_seconds_total", "perfstack_memory_available_bytes", "perfstack_disk_read_bytes_total",
                 "perfstack_network_transmit_bytes_total", "http_server_request_duration_seconds_bucket",
                 "db_client_operation_duration_seconds_bucket", "cache_requests_total", "loadgen_requests_total",
                 "loadgen_schedule_lag_seconds_bucket", "perfstack_filesystem_avail_bytes"):
        assert name in text, name


def test_job_scopes_app_metrics_and_offset_shifts_the_window():
    q = instant_queries(Scope(job='we"ird', range_="1h", offset="1d"))
    assert 'http_server_request_duration_seconds_bucket{job="we\\"ird"}[1h] offset 1d' in q["api_latency_p95"]
    assert "job=" not in q["cpu_utilisation"]


def test_query_count_does_not_depend_on_scope():
    assert len(_all(Scope())) == len(_all(Scope(job="app", range_="6h", offset="7d")))


def test_slow_route_bucket_matches_both_le_spellings():
    q = route_queries(Scope(), 1.0)["slow_routes"]
    assert 'le=~"1|1\\\\.0"' in q
