"""Describe every metric family once, so code and ``docs/metrics.md`` cannot disagree.

A :class:`MetricDef` is the single source of a family's name, type, unit, labels and meaning.
Collectors build their families from it and the docs generator renders it; nothing else
spells a metric name.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    UnknownMetricFamily,
)

__all__ = ["MetricDef", "HTTP_DURATION_BUCKETS", "DB_DURATION_BUCKETS", "SIZE_BUCKETS"]

HTTP_DURATION_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Request latency edges; 0.1 s and 1.0 s are exact edges so SLO queries need no interpolation."""

DB_DURATION_BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Query latency edges; 0.1 s is an exact edge (the database p95 objective)."""

SIZE_BUCKETS: tuple[float, ...] = (100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)
"""Body size edges in bytes, one per decade."""


@dataclass(frozen=True, kw_only=True)
class MetricDef:
    """One metric family: ``name`` is the family name (counters without ``_total``)."""

    name: str
    type: str
    help: str
    unit: str = ""
    labels: tuple[str, ...] = ()

    @property
    def exposed_name(self) -> str:
        """Return the sample name users query (``_total`` appended to counters)."""
        return self.name + "_total" if self.type == "counter" else self.name

    def family(self) -> CounterMetricFamily | GaugeMetricFamily | UnknownMetricFamily:
        """Return an empty prometheus-client family ready for ``add_metric``."""
        labels = list(self.labels)
        if self.type == "counter":
            return CounterMetricFamily(self.name, self.help, labels=labels)
        if self.type == "gauge":
            return GaugeMetricFamily(self.name, self.help, labels=labels)
        if self.type == "untyped":
            return UnknownMetricFamily(self.name, self.help, labels=labels)
        raise ValueError(f"{self.name}: collectors build counters, gauges or untyped, not {self.type}")
