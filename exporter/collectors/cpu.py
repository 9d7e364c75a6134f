"""CPU time per logical CPU and mode, and the CPU count."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from prometheus_client.metrics_core import Metric

from exporter.collectors.base import CollectorSettings
from exporter.definitions import MetricDef

__all__ = ["CpuCollector"]

CPU_SECONDS = MetricDef(name="perfstack_cpu_seconds", type="counter", unit="seconds", labels=("cpu", "mode"),
                        help="Seconds each CPU spent in each mode (guest time is already inside user).")
# untyped on purpose: promtool rejects a gauge whose name ends in _count, and the name is a contract.
CPU_COUNT = MetricDef(name="perfstack_cpu_count", type="untyped", unit="cpus",
                      help="Number of logical CPUs.")
_SKIPPED_MODES = frozenset({"guest", "guest_nice"})


class CpuCollector:
    """Read ``psutil.cpu_times(percpu=True)`` and ``psutil.cpu_count()``."""

    name: ClassVar[str] = "cpu"
    metrics: ClassVar[tuple[MetricDef, ...]] = (CPU_SECONDS, CPU_COUNT)

    def __init__(self, *, cpu_times: Callable[..., list[Any]] | None = None,
                 cpu_count: Callable[[], int | None] | None = None) -> None:
        import psutil

        self._cpu_times = cpu_times or (lambda: psutil.cpu_times(percpu=True))
        self._cpu_count = cpu_count or psutil.cpu_count

    @classmethod
    def from_settings(cls, settings: CollectorSettings) -> CpuCollector:
        return cls()

    def collect(self) -> Iterable[Metric]:
        seconds = CPU_SECONDS.family()
        per_cpu = self._cpu_times()
        for index, times in enumerate(per_cpu):
            for mode, value in times._asdict().items():
                if mode not in _SKIPPED_MODES:
                    seconds.add_metric([str(index), mode], float(value))
        count = CPU_COUNT.family()
        count.add_metric([], float(self._cpu_count() or len(per_cpu)))
        return [seconds, count]
