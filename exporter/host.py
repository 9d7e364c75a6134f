"""Run every enabled host collector on each scrape and report how each one did.

This is the one prometheus-client ``Collector`` registered for the host exporter. A
collector that raises loses only its own families: it reports
``perfstack_exporter_collector_success{collector} 0`` and the scrape still answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric

from exporter.collectors import HostCollector
from exporter.definitions import MetricDef

__all__ = ["HostMetricsCollector", "host_registry", "EXPORTER_METRICS"]

DURATION = MetricDef(name="perfstack_exporter_collector_duration_seconds", type="gauge", unit="seconds",
                     labels=("collector",), help="How long each collector took during this scrape.")
SUCCESS = MetricDef(name="perfstack_exporter_collector_success", type="gauge", unit="boolean",
                    labels=("collector",), help="1 if the collector succeeded during this scrape, 0 if it raised.")
EXPORTER_METRICS: tuple[MetricDef, ...] = (DURATION, SUCCESS)

_log = logging.getLogger("exporter.host")


class HostMetricsCollector:
    """A prometheus-client collector that fans out to the host collectors on every ``collect()``."""

    def __init__(self, collectors: Sequence[HostCollector], *, clock: Callable[[], float] = time.perf_counter) -> None:
        self.collectors = tuple(collectors)
        self._clock = clock

    def describe(self) -> Iterable[Metric]:
        """Describe nothing, so registering does not run a collection at start-up."""
        return []

    def collect(self) -> Iterable[Metric]:
        duration, success = DURATION.family(), SUCCESS.family()
        for collector in self.collectors:
            start = self._clock()
            try:
                families = list(collector.collect())
                ok = 1.0
            except Exception:
                _log.exception("collector %s failed", collector.name)
                families, ok = [], 0.0
            duration.add_metric([collector.name], self._clock() - start)
            success.add_metric([collector.name], ok)
            yield from families
        yield duration
        yield success


def host_registry(collectors: Sequence[HostCollector]) -> CollectorRegistry:
    """Return a fresh registry holding only the host collectors."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HostMetricsCollector(collectors))
    return registry
