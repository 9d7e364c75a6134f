"""Generate ``prometheus/prometheus.yml`` (local stack) and ``prometheus/prometheus.compose.yml``.

Both come from :func:`render_prometheus_config` with a different address book, so the two can
only differ in where each job lives. ``make demo``/``make stack`` may call the same function with
the ports they actually bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from perfstack.config import PerformanceConfig
from perfstack.gen._promrules import GENERATED_HEADER, dump_yaml

__all__ = ["generate", "render_prometheus_config", "LOCAL_TARGETS", "COMPOSE_TARGETS", "JOBS"]

# Scrape job names are a contract with dashboards, rules and the analyzer.
JOBS = ("exporter", "loadgen", "app", "prometheus", "alertmanager", "analyzer")

LOCAL_TARGETS: Mapping[str, str] = {
    "exporter": "127.0.0.1:9101", "loadgen": "127.0.0.1:9102", "app": "127.0.0.1:8000",
    "prometheus": "127.0.0.1:9090", "alertmanager": "127.0.0.1:9093", "analyzer": "127.0.0.1:9103",
}
COMPOSE_TARGETS: Mapping[str, str] = {
    "exporter": "exporter:9101", "loadgen": "loadgen:9102", "app": "demo:8000",
    "prometheus": "prometheus:9090", "alertmanager": "alertmanager:9093", "analyzer": "analyzer:9103",
}


def render_prometheus_config(*, targets: Mapping[str, str | Sequence[str]], alertmanagers: Sequence[str],
                             rule_files: Sequence[str] = ("rules/*.yml",), scrape_interval: str = "15s",
                             evaluation_interval: str = "15s", header: str = GENERATED_HEADER) -> str:
    """Return a prometheus.yml text scraping ``targets`` (job → host:port or list of them).

    Rule file paths are relative to the config file's directory, as Prometheus resolves them;
    ``rules/*.yml`` works wherever ``prometheus/`` is mounted whole.
    """
    scrape = []
    for job, tgt in targets.items():
        scrape.append({"job_name": job, "static_configs": [{"targets": [tgt] if isinstance(tgt, str) else list(tgt)}]})
    doc = {
        "global": {
            "scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval,
            "external_labels": {"monitor": "perfstack"},
        },
        "rule_files": list(rule_files),
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": list(alertmanagers)}]}]},
        "scrape_configs": scrape,
    }
    return header + dump_yaml(doc)


def generate(config: PerformanceConfig) -> dict[str, str]:
    """Return both committed Prometheus configs."""
    return {
        "prometheus/prometheus.yml": render_prometheus_config(
            targets=LOCAL_TARGETS, alertmanagers=[LOCAL_TARGETS["alertmanager"]]),
        "prometheus/prometheus.compose.yml": render_prometheus_config(
            targets=COMPOSE_TARGETS, alertmanagers=[COMPOSE_TARGETS["alertmanager"]]),
    }
