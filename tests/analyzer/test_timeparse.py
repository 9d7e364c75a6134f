"""CLI time arguments and the package's public surface."""

from __future__ import annotations

import pytest

import analyzer
from analyzer.timeparse import parse_listen, parse_time


@pytest.mark.parametrize(("raw", "expected"), [
    ("1795877400", 1795877400.0), ("1795877400.5", 1795877400.5),
    ("2026-11-28T14:50:00Z", 1795877400.0), ("2026-11-28T15:50:00+01:00", 1795877400.0),
    ("2026-11-28T14:50:00", 1795877400.0),
])
def test_parse_time_accepts_unix_and_rfc3339(raw, expected):
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["yesterday", "-5", "nan", "inf", "2026-13-01T00:00:00Z"])
def test_parse_time_rejects_garbage(raw):
    with pytest.raises(ValueError, match="Unix time or RFC 3339"):
        parse_time(raw)


def test_parse_listen():
    assert parse_listen("127.0.0.1:9103") == ("127.0.0.1", 9103)
    assert parse_listen("[::1]:9103") == ("::1", 9103)
    for bad in ("9103", "host:", "host:99999", ":9103"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_listen(bad)


def test_public_api_is_pinned():
    assert sorted(analyzer.__all__) == sorted([
        "OptimizationAnalyzer", "analyze", "analyze_prometheus", "AnalysisRequest", "collect", "render",
        "REPORT_KEYS", "Observations", "RouteStat", "Window", "PromClient", "PromAuth", "PromQLError",
        "PrometheusUnreachable"])
    assert analyzer.REPORT_KEYS == ("system_health_score", "performance_score", "grade", "verdict", "window",
                                    "objectives", "bottlenecks", "recommendations", "trends", "capacity")
