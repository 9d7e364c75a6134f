"""Load averages over 1, 5 and 15 minutes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import ClassVar

from prometheus_client.metrics_core import Metric

from exporter.collectors.base import CollectorSettings
from exporter.definitions import MetricDef

__all__ = ["LoadCollector"]

LOAD = tuple(MetricDef(name=f"perfstack_load{n}", type="gauge", unit="processes",
                       help=f"Load average over {n} minute{'s' if n > 1 else ''} (runnable + uninterruptible tasks).")
             for n in (1, 5, 15))


class LoadCollector:
    """Read ``os.getloadavg()``."""

    name: ClassVar[str] = "load"
    metrics: ClassVar[tuple[MetricDef, ...]] = LOAD

    def __init__(self, *, getloadavg: Callable[[], tuple[float, float, float]] = os.getloadavg) -> None:
        self._getloadavg = getloadavg

    @classmethod
    def from_settings(cls, settings: CollectorSettings) -> LoadCollector:
        return cls()

    def collect(self) -> Iterable[Metric]:
        out = []
        for definition, value in zip(LOAD, self._getloadavg(), strict=True):
            family = definition.family()
            family.add_metric([], float(value))
            out.append(family)
        return out
