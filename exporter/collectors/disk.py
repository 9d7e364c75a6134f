"""Block device I/O counters; omitted entirely where the platform has none (containers)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from prometheus_client.metrics_core import Metric

from exporter.collectors.base import CollectorSettings
from exporter.definitions import MetricDef

__all__ = ["DiskCollector", "DEFAULT_DEVICE_EXCLUDE"]

READ_BYTES = MetricDef(name="perfstack_disk_read_bytes", type="counter", unit="bytes", labels=("device",),
                       help="Bytes read from the block device.")
WRITTEN_BYTES = MetricDef(name="perfstack_disk_written_bytes", type="counter", unit="bytes", labels=("device",),
                          help="Bytes written to the block device.")
READS = MetricDef(name="perfstack_disk_reads_completed", type="counter", unit="operations", labels=("device",),
                  help="Read operations completed.")
WRITES = MetricDef(name="perfstack_disk_writes_completed", type="counter", unit="operations", labels=("device",),
                   help="Write operations completed.")
IO_TIME = MetricDef(name="perfstack_disk_io_time_seconds", type="counter", unit="seconds", labels=("device",),
                    help="Seconds the device had I/O in flight (rate ≈ utilisation); Linux only.")

DEFAULT_DEVICE_EXCLUDE = r"^(z?ram|loop|fd)\d+$"
"""Virtual devices whose I/O is RAM or already counted on the backing device."""


class DiskCollector:
    """Read ``psutil.disk_io_counters(perdisk=True)``."""

    name: ClassVar[str] = "disk"
    metrics: ClassVar[tuple[MetricDef, ...]] = (READ_BYTES, WRITTEN_BYTES, READS, WRITES, IO_TIME)

    def __init__(self, *, disk_io_counters: Callable[[], dict[str, Any] | None] | None = None,
                 device_exclude: str = DEFAULT_DEVICE_EXCLUDE) -> None:
        import psutil

        self._counters = disk_io_counters or (lambda: psutil.disk_io_counters(perdisk=True))
        self._exclude = re.compile(device_exclude)

    @classmethod
    def from_settings(cls, settings: CollectorSettings) -> DiskCollector:
        return cls()

    def collect(self) -> Iterable[Metric]:
        devices = {d: c for d, c in (self._counters() or {}).items() if not self._exclude.match(d)}
        if not devices:
            return []
        fields = ((READ_BYTES, "read_bytes", 1.0), (WRITTEN_BYTES, "write_bytes", 1.0),
                  (READS, "read_count", 1.0), (WRITES, "write_count", 1.0), (IO_TIME, "busy_time", 0.001))
        out = []
        for definition, attr, scale in fields:
            if not all(hasattr(c, attr) for c in devices.values()):
                continue
            family = definition.family()
            for device, counters in sorted(devices.items()):
                family.add_metric([device], float(getattr(counters, attr)) * scale)
            out.append(family)
        return out
