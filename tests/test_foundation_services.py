"""Real Prometheus and Alertmanager start, answer, and stop: the ground every e2e test stands on."""

from __future__ import annotations

import json
import time
import urllib.request

from prometheus_client import CollectorRegistry, Counter, start_http_server

from tests.conftest import openmetrics_series, port_open, prom_query, prom_query_range, scrape_config, wait_until


def test_prometheus_scrapes_a_target_and_answers_query(prometheus):
    registry = CollectorRegistry()
    Counter("fixture_hits", "hits", registry=registry).inc(7)
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        port = server.server_address[1]
        prom = prometheus(scrape_config({"fixture": [f"127.0.0.1:{port}"]}))
        result = wait_until(lambda: prom_query(prom.url, 'fixture_hits_total{job="fixture"}'), 20, what="first scrape")
        assert float(result[0]["value"][1]) == 7.0
        assert result[0]["metric"]["instance"] == f"127.0.0.1:{port}"
    finally:
        server.shutdown()
    prom.stop()
    assert not port_open(prom.port)


def test_alertmanager_accepts_and_returns_an_alert(alertmanager):
    am = alertmanager("route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n")
    alert = [{"labels": {"alertname": "FixtureAlert", "severity": "warning"},
              "annotations": {"summary": "posted by the fixture test"}}]
    req = urllib.request.Request(f"{am.url}/api/v2/alerts", data=json.dumps(alert).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200
    with urllib.request.urlopen(f"{am.url}/api/v2/alerts", timeout=5) as resp:
        alerts = json.load(resp)
    assert [a["labels"]["alertname"] for a in alerts] == ["FixtureAlert"]
    assert alerts[0]["annotations"]["summary"] == "posted by the fixture test"
    assert alerts[0]["status"]["state"] == "active"


def test_backfilled_history_is_queryable_with_query_range(prometheus):
    now = int(time.time())
    start = now - 6 * 3600
    points = [(float(t), float((t - start) // 15)) for t in range(start, now - 3600, 15)]
    history = openmetrics_series("fixture_backfill_events", "counter", [({"job": "hist"}, points)])
    prom = prometheus(scrape_config({}), history=history)
    result = prom_query_range(prom.url, 'rate(fixture_backfill_events_total{job="hist"}[5m])',
                              start + 3600, start + 4 * 3600, 300)
    values = [float(v) for _, v in result[0]["values"]]
    assert len(values) >= 30
    assert all(abs(v - 1 / 15) < 1e-9 for v in values)
