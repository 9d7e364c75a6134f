"""A real Prometheus scrapes the real exporter; rates come back through PromQL."""

import os

import pytest

from tests.conftest import prom_query, scrape_config, wait_until
from tests.exporter.helpers import RunningExporter


@pytest.mark.slow
def test_prometheus_reads_cpu_rate_from_the_exporter(prometheus):
    with RunningExporter() as exp:
        prom = prometheus(scrape_config({"exporter": [f"127.0.0.1:{exp.port}"]}, interval="1s"))
        result = wait_until(lambda: prom_query(prom.url, "rate(perfstack_cpu_seconds_total[1m])"), timeout=30,
                            what="rate(perfstack_cpu_seconds_total[1m]) to have samples")
        assert {r["metric"]["job"] for r in result} == {"exporter"}
        assert {r["metric"]["mode"] for r in result} >= {"user", "system", "idle"}
        # a CPU cannot spend more than one second per second in a mode; counters never run backwards
        assert all(0 <= float(r["value"][1]) <= 1.5 for r in result)  # slack: scrape-time jitter
        assert {r["metric"]["cpu"] for r in result} == {str(i) for i in range(os.cpu_count())}
        total = wait_until(lambda: _positive_total(prom.url), timeout=30, what="CPU time to advance")
        assert total <= 1.5 * os.cpu_count()
        up = prom_query(prom.url, 'up{job="exporter"}')
        assert up and up[0]["value"][1] == "1"


def _positive_total(url: str) -> float:
    result = prom_query(url, "sum(rate(perfstack_cpu_seconds_total[1m]))")
    return float(result[0]["value"][1]) if result else 0.0
