"""Physical memory and swap totals, available and free."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from prometheus_client.metrics_core import Metric

from exporter.collectors.base import CollectorSettings
from exporter.definitions import MetricDef

__all__ = ["MemoryCollector"]

MEMORY_TOTAL = MetricDef(name="perfstack_memory_total_bytes", type="gauge", unit="bytes",
                         help="Total physical memory.")
MEMORY_AVAILABLE = MetricDef(name="perfstack_memory_available_bytes", type="gauge", unit="bytes",
                             help="Memory available to new work without swapping (utilisation = 1 - available/total).")
SWAP_TOTAL = MetricDef(name="perfstack_swap_total_bytes", type="gauge", unit="bytes", help="Total swap space.")
SWAP_FREE = MetricDef(name="perfstack_swap_free_bytes", type="gauge", unit="bytes", help="Unused swap space.")


class MemoryCollector:
    """Read ``psutil.virtual_memory()`` and ``psutil.swap_memory()``."""

    name: ClassVar[str] = "memory"
    metrics: ClassVar[tuple[MetricDef, ...]] = (MEMORY_TOTAL, MEMORY_AVAILABLE, SWAP_TOTAL, SWAP_FREE)

    def __init__(self, *, virtual_memory: Callable[[], Any] | None = None,
                 swap_memory: Callable[[], Any] | None = None) -> None:
        import psutil

        self._virtual = virtual_memory or psutil.virtual_memory
        self._swap = swap_memory or psutil.swap_memory

    @classmethod
    def from_settings(cls, settings: CollectorSettings) -> MemoryCollector:
        return cls()

    def collect(self) -> Iterable[Metric]:
        mem, swap = self._virtual(), self._swap()
        out = []
        for definition, value in ((MEMORY_TOTAL, mem.total), (MEMORY_AVAILABLE, mem.available),
                                  (SWAP_TOTAL, swap.total), (SWAP_FREE, swap.free)):
            family = definition.family()
            family.add_metric([], float(value))
            out.append(family)
        return out
