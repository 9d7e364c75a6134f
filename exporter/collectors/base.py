"""What every host collector looks like, and the settings they are built from.

A collector is an object with a ``name``, the ``metrics`` it may emit (for the docs and
tests) and ``collect()``, called fresh on every scrape. OS touchpoints (psutil functions,
``os.statvfs``, ...) are constructor arguments so tests can hand in fakes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from prometheus_client.metrics_core import Metric

from exporter.definitions import MetricDef

__all__ = ["HostCollector", "CollectorSettings"]


@dataclass(frozen=True, kw_only=True)
class CollectorSettings:
    """Options collectors read: which processes to watch and whether loopback counts."""

    processes: tuple[str, ...] = ()
    include_loopback: bool = False


class HostCollector(Protocol):
    """One named source of host metrics, read on every scrape."""

    name: ClassVar[str]
    metrics: ClassVar[tuple[MetricDef, ...]]

    def collect(self) -> Iterable[Metric]:
        """Return the families for this scrape; raise if the source is broken."""
        ...
