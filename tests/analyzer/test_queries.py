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


def test_rate_ranges_and_steps_follow_the_scrape_interval():
    from analyzer.collect import chart_step

    # a 20 s demo run scraped every 2 s: 2 s steps, rate over 8 s (4 scrapes), not a flat 60 s line
    assert chart_step(20, 2.0) == 2.0
    assert all("[8s]" in q for q in range_queries(None, 2.0, 2.0).values() if "rate(" in q)
    # the default assumes a 15 s scrape: at least 60 s of rate() range, steps of 15 s
    assert chart_step(300, 15.0) == 15.0 and chart_step(3600, 15.0) == 60
    assert all("[2m]" in q for q in range_queries(None, 60, 15.0).values() if "rate(" in q)


def test_a_short_run_is_analysed_over_its_own_window_on_a_fast_scrape():
    from analyzer.runner import AnalysisRequest, resolve_window

    class Client:
        def query_samples(self, q, at):
            assert 'run_id="r1"' in q
            return [({}, [(1000.0, 1.0), (1020.0, 1.0)])]

    fast = resolve_window(Client(), AnalysisRequest(end=2000, window_seconds=1800, baseline_offset_seconds=86400,
                                                    run_id="r1", scrape_interval_seconds=2.0))
    assert (fast.start, fast.end) == (1000.0, 1020.0)
    slow = resolve_window(Client(), AnalysisRequest(end=2000, window_seconds=1800, baseline_offset_seconds=86400,
                                                    run_id="r1"))
    assert (slow.start, slow.end) == (960.0, 1020.0)  # widened to four 15 s scrapes
