"""Threshold expressions and their evaluation against a report summary."""

import pytest

from loadgen.thresholds import default_thresholds, evaluate, parse_threshold
from perfstack.config import load_config

SUMMARY = {"requests": 100, "failures": 3, "error_rate": 0.03, "timeout_rate": 0.0, "rps": 150.0,
           "latency_ms": {"p95": 800.0, "p99": 1500.0}, "latency_uncorrected_ms": {"p95": 20.0, "p99": 40.0}}
ENDPOINTS = {"login": {**SUMMARY, "latency_ms": {"p95": 900.0, "p99": 2500.0}}}


@pytest.mark.parametrize(("expr", "ok"), [
    ("p95<1000ms", True), ("p95<1s", True), ("p95<500ms", False), ("error_rate<5%", True),
    ("error_rate<0.02", False), ("rps>100", True), ("rps>=200", False), ("p99{endpoint=login}<2s", False),
    ("p99{endpoint=login}<3s", True), ("p99_uncorrected<100ms", True), ("p95{endpoint=nope}<1s", False),
])
def test_evaluate(expr, ok):
    [result] = evaluate([parse_threshold(expr)], SUMMARY, ENDPOINTS)
    assert result["ok"] is ok and result["expr"] == expr


@pytest.mark.parametrize("expr", ["p95", "p95<fast", "latency<1s", "error_rate<150%", "rps>lots", "p95=1s"])
def test_invalid_expressions_say_what_was_expected(expr):
    with pytest.raises(ValueError, match="invalid threshold"):
        parse_threshold(expr)


def test_defaults_come_from_performance_config():
    exprs = {t.expr: t.limit for t in default_thresholds(load_config())}
    assert exprs == {"p95<1000ms": 1000.0, "error_rate<5%": 0.05, "timeout_rate<1%": 0.01}
