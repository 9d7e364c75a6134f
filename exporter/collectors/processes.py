"""Number of processes on the host."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from prometheus_client.metrics_core import Metric

from exporter.collectors.base import CollectorSettings
from exporter.definitions import MetricDef

__all__ = ["ProcessesCollector"]

PROCESSES = MetricDef(name="perfstack_processes", type="gauge", unit="processes",
                      help="Number of processes on the host.")


class ProcessesCollector:
    """Count ``psutil.pids()``."""

    name: ClassVar[str] = "processes"
    metrics: ClassVar[tuple[MetricDef, ...]] = (PROCESSES,)

    def __init__(self, *, pids: Callable[[], list[int]] | None = None) -> None:
        import psutil

        self._pids = pids or psutil.pids

    @classmethod
    def from_settings(cls, settings: CollectorSettings) -> ProcessesCollector:
        return cls()

    def collect(self) -> Iterable[Metric]:
        family = PROCESSES.family()
        family.add_metric([], float(len(self._pids())))
        return [family]
