"""Every host collector, registered by name in one place (the names behind ``--collector.NAME``)."""

from __future__ import annotations

from exporter.collectors.base import CollectorSettings, HostCollector
from exporter.collectors.cpu import CpuCollector
from exporter.collectors.disk import DiskCollector
from exporter.collectors.filesystem import FilesystemCollector
from exporter.collectors.load import LoadCollector
from exporter.collectors.memory import MemoryCollector
from exporter.collectors.network import NetworkCollector
from exporter.collectors.process import NamedProcessCollector
from exporter.collectors.processes import ProcessesCollector

__all__ = ["COLLECTORS", "DEFAULT_ENABLED", "CollectorSettings", "HostCollector", "build_collectors"]

COLLECTORS: dict[str, type] = {c.name: c for c in (
    CpuCollector, MemoryCollector, DiskCollector, NetworkCollector, FilesystemCollector, LoadCollector,
    ProcessesCollector, NamedProcessCollector,
)}

DEFAULT_ENABLED: frozenset[str] = frozenset(COLLECTORS)
"""All collectors are on by default; ``process`` emits nothing until a ``--process`` is given."""


def build_collectors(enabled: frozenset[str] | set[str], settings: CollectorSettings) -> list[HostCollector]:
    """Instantiate the enabled collectors in registry order; unknown names raise ValueError."""
    unknown = sorted(set(enabled) - set(COLLECTORS))
    if unknown:
        raise ValueError(f"unknown collector(s) {', '.join(unknown)} (known: {', '.join(COLLECTORS)})")
    return [cls.from_settings(settings) for name, cls in COLLECTORS.items() if name in enabled]
