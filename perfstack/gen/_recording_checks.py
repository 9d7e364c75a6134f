"""promtool tests for the recorded series dashboards and the analyzer read (``recording_rules.yml``).

Each case feeds one synthetic signal at a known level for ten minutes and checks the recorded
value and its labels: the level (``instance:``, ``job:``, ``job_route:``) must keep exactly the
labels its name promises, loopback traffic must not count, 504s and client timeouts must both
count as timeouts, and a service that never answered 5xx must record 0, not "no data".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from perfstack.gen import _signals as sig
from perfstack.gen._promrules import GENERATED_HEADER, dump_yaml

__all__ = ["recording_test_file", "RECORDING_TEST_FILE"]

RECORDING_TEST_FILE = "recording_rules.yml"
_TOLERANCE = 1e-9
_ROUTE = {"route": "/api/items"}


@dataclass(frozen=True, kw_only=True)
class _Case:
    record: str
    signal: sig.Signal
    level: float
    labels: Mapping[str, str]
    expected: float
    traffic: float = 10.0


def _cases() -> list[_Case]:
    job, host, app = {"job": "app"}, dict(sig.EXPORTER), sig.APP
    return [
        _Case(record="instance:perfstack_cpu_utilisation:ratio_rate5m", signal=sig.cpu, level=0.42, labels=host,
              expected=0.42),
        _Case(record="instance:perfstack_memory_utilisation:ratio", signal=sig.memory, level=0.6, labels=host,
              expected=0.6),
        _Case(record="instance:perfstack_disk_io_bytes:rate5m", signal=sig.disk_io, level=3e6, labels=host,
              expected=3e6),
        _Case(record="instance:perfstack_network_io_bytes:rate5m", signal=sig.network_io, level=2e6, labels=host,
              expected=2e6),
        _Case(record="job:http_server_requests:rate5m", signal=sig.http_errors, level=0.1, labels=job, expected=10.0),
        _Case(record="job:http_server_request_errors:ratio_rate5m", signal=sig.http_errors, level=0.1, labels=job,
              expected=0.1),
        _Case(record="job:http_server_request_errors:ratio_rate5m", signal=sig.http_latency, level=0.3, labels=job,
              expected=0.0),
        _Case(record="job_route:http_server_request_errors:ratio_rate5m", signal=sig.http_errors, level=0.25,
              labels={**job, **_ROUTE}, expected=0.25),
        _Case(record="job:http_server_request_duration_seconds:p95_rate5m", signal=sig.http_latency, level=0.3,
              labels=job, expected=0.3),
        _Case(record="job_route:http_server_request_duration_seconds:p95_rate5m", signal=sig.http_latency, level=0.3,
              labels={**job, **_ROUTE}, expected=0.3),
        _Case(record="job:loadgen_requests:rate5m", signal=sig.loadgen_timeouts, level=0.2, labels={"job": "loadgen"},
              expected=10.0),
        _Case(record="job:loadgen_request_errors:ratio_rate5m", signal=sig.loadgen_failures, level=0.2,
              labels={"job": "loadgen"}, expected=0.2),
        _Case(record="job:perfstack_request_timeouts:ratio_rate5m", signal=sig.loadgen_timeouts, level=0.2,
              labels={"job": "loadgen"}, expected=0.2),
        _Case(record="job:perfstack_request_timeouts:ratio_rate5m", signal=sig.server_timeouts, level=0.03,
              labels={"job": app["job"]}, expected=0.03),
        _Case(record="job:db_client_operation_duration_seconds:p95_rate5m", signal=sig.db_latency, level=0.04,
              labels=job, expected=0.04),
        _Case(record="job:cache_requests:hit_ratio_rate5m", signal=sig.cache_hits, level=0.85, labels=job,
              expected=0.85),
    ]


def recording_test_file() -> str:
    """Return the promtool test file checking every recorded series."""
    tests = []
    for case in _cases():
        labels = ",".join(f'{k}="{v}"' for k, v in case.labels.items())
        tests.append({
            "name": f"{case.record} from {case.signal.__name__} at {case.level:g}",
            "interval": "1m",
            "input_series": sig.input_series(case.signal, [sig.Phase(case.level, case.traffic, 10)]),
            "promql_expr_test": [{
                # Compare with a tolerance (promtool compares floats exactly) and keep the labels.
                "expr": f"abs({case.record} - {case.expected!r}) < bool {_TOLERANCE}",
                "eval_time": "10m",
                "exp_samples": [{"labels": f"{{{labels}}}", "value": 1}],
            }],
        })
    return GENERATED_HEADER + dump_yaml({"rule_files": ["../rules/recording.yml"], "evaluation_interval": "1m",
                                         "tests": tests})
