"""Size, free and available bytes per mounted filesystem."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from prometheus_client.metrics_core import Metric

from exporter.collectors.base import CollectorSettings
from exporter.definitions import MetricDef

__all__ = ["FilesystemCollector"]

_LABELS = ("mountpoint", "fstype", "device")
SIZE = MetricDef(name="perfstack_filesystem_size_bytes", type="gauge", unit="bytes", labels=_LABELS,
                 help="Filesystem size.")
FREE = MetricDef(name="perfstack_filesystem_free_bytes", type="gauge", unit="bytes", labels=_LABELS,
                 help="Free bytes, including those reserved for root.")
AVAIL = MetricDef(name="perfstack_filesystem_avail_bytes", type="gauge", unit="bytes", labels=_LABELS,
                  help="Bytes available to unprivileged users (what fills up first).")

_log = logging.getLogger("exporter.collectors.filesystem")


class FilesystemCollector:
    """Read ``psutil.disk_partitions()`` and ``os.statvfs`` of each mount point.

    A mount that cannot be read (permissions, a stale network mount) is skipped and logged,
    so one bad mount does not fail the whole collector.
    """

    name: ClassVar[str] = "filesystem"
    metrics: ClassVar[tuple[MetricDef, ...]] = (SIZE, FREE, AVAIL)

    def __init__(self, *, disk_partitions: Callable[[], list[Any]] | None = None,
                 statvfs: Callable[[str], Any] = os.statvfs) -> None:
        import psutil

        self._partitions = disk_partitions or (lambda: psutil.disk_partitions(all=False))
        self._statvfs = statvfs

    @classmethod
    def from_settings(cls, settings: CollectorSettings) -> FilesystemCollector:
        return cls()

    def collect(self) -> Iterable[Metric]:
        size, free, avail = SIZE.family(), FREE.family(), AVAIL.family()
        seen: set[str] = set()
        for part in self._partitions():
            if part.mountpoint in seen:
                continue
            seen.add(part.mountpoint)
            try:
                st = self._statvfs(part.mountpoint)
            except OSError as exc:
                _log.debug("skipping %s: %s", part.mountpoint, exc)
                continue
            labels = [part.mountpoint, part.fstype, part.device]
            size.add_metric(labels, float(st.f_blocks * st.f_frsize))
            free.add_metric(labels, float(st.f_bfree * st.f_frsize))
            avail.add_metric(labels, float(st.f_bavail * st.f_frsize))
        return [size, free, avail] if seen else []
