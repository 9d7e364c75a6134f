"""The Grafana imitation used by the live dashboard test formats queries as Grafana does."""

from __future__ import annotations

import pytest

from tests.grafana.grafana_like import (
    ALL,
    dashboard_queries,
    format_variable,
    interpolate,
    parse_label_values,
    rate_interval,
    regex_escape,
)

ROUTE_VAR = {"name": "route", "allValue": ".*"}


def test_regex_escape_makes_route_templates_literal():
    assert regex_escape("/api/users/{id}") == "/api/users/\\\\{id\\\\}"
    assert regex_escape("127.0.0.1:8000") == "127\\\\.0\\\\.0\\\\.1:8000"
    assert regex_escape("plain") == "plain"


def test_multi_value_variables_become_alternations_and_all_uses_the_all_value():
    assert format_variable(ROUTE_VAR, [ALL], ["/a", "/b"]) == ".*"
    assert format_variable({"name": "x"}, [ALL], ["a.b", "c"]) == "(a\\\\.b|c)"
    assert format_variable(ROUTE_VAR, ["/a"], ["/a", "/b"]) == "/a"
    assert format_variable(ROUTE_VAR, ["/a", "/b"], ["/a", "/b"]) == "(/a|/b)"


def test_rate_interval_is_at_least_four_scrapes():
    assert rate_interval(15, 1) == 60
    assert rate_interval(1, 10) == 11


def test_interpolate_replaces_variables_and_builtins():
    out = interpolate('rate(x{job=~"$job", r=~"${route}"}[$__rate_interval])', {"job": "app", "route": ".*"},
                      rate_interval_s=4, interval_s=1, range_s=60)
    assert out == 'rate(x{job=~"app", r=~".*"}[4s])'
    with pytest.raises(KeyError, match="instance"):
        interpolate('x{instance=~"$instance"}', {}, rate_interval_s=4, interval_s=1, range_s=60)


def test_parse_label_values():
    assert parse_label_values('label_values(up{job=~"$job"}, instance)') == ('up{job=~"$job"}', "instance")
    assert parse_label_values("label_values(job)") == (None, "job")
    with pytest.raises(ValueError):
        parse_label_values("query_result(up)")


def test_dashboard_queries_include_rows_and_annotations():
    board = {"title": "B", "annotations": {"list": [{"name": "n", "expr": "up"}, {"name": "builtin"}]},
             "panels": [{"type": "row", "title": "r", "panels": [
                 {"type": "stat", "title": "s", "targets": [{"refId": "A", "expr": "a", "instant": True,
                                                             "range": False}]}]},
                        {"type": "timeseries", "title": "t", "targets": [{"refId": "A", "expr": "b"}]}]}
    got = [(q.expr, q.instant) for q in dashboard_queries(board)]
    assert got == [("a", True), ("b", False), ("up", False)]
