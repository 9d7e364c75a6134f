"""Network interface byte, packet, error and drop counters (loopback excluded by default)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from prometheus_client.metrics_core import Metric

from exporter.collectors.base import CollectorSettings
from exporter.definitions import MetricDef

__all__ = ["NetworkCollector", "is_loopback"]


def _def(name: str, unit: str, help_text: str) -> MetricDef:
    return MetricDef(name=f"perfstack_network_{name}", type="counter", unit=unit, labels=("device",), help=help_text)


_FIELDS = (
    (_def("receive_bytes", "bytes", "Bytes received on the interface."), "bytes_recv"),
    (_def("transmit_bytes", "bytes", "Bytes transmitted on the interface."), "bytes_sent"),
    (_def("receive_packets", "packets", "Packets received on the interface."), "packets_recv"),
    (_def("transmit_packets", "packets", "Packets transmitted on the interface."), "packets_sent"),
    (_def("receive_errors", "packets", "Receive errors on the interface."), "errin"),
    (_def("transmit_errors", "packets", "Transmit errors on the interface."), "errout"),
    (_def("receive_drop", "packets", "Received packets dropped by the interface."), "dropin"),
    (_def("transmit_drop", "packets", "Outgoing packets dropped by the interface."), "dropout"),
)


def is_loopback(name: str, stats: Any) -> bool:
    """Return True for the loopback interface (by its flags when psutil reports them, else by name)."""
    flags = getattr(stats, "flags", None)
    if flags:
        return "loopback" in flags.split(",")
    return name == "lo" or name.startswith("lo0")


class NetworkCollector:
    """Read ``psutil.net_io_counters(pernic=True)``; ``net_if_stats`` identifies loopback."""

    name: ClassVar[str] = "network"
    metrics: ClassVar[tuple[MetricDef, ...]] = tuple(d for d, _ in _FIELDS)

    def __init__(self, *, net_io_counters: Callable[[], dict[str, Any]] | None = None,
                 net_if_stats: Callable[[], dict[str, Any]] | None = None, include_loopback: bool = False) -> None:
        import psutil

        self._counters = net_io_counters or (lambda: psutil.net_io_counters(pernic=True))
        self._if_stats = net_if_stats or psutil.net_if_stats
        self._include_loopback = include_loopback

    @classmethod
    def from_settings(cls, settings: CollectorSettings) -> NetworkCollector:
        return cls(include_loopback=settings.include_loopback)

    def collect(self) -> Iterable[Metric]:
        nics = self._counters() or {}
        if not self._include_loopback:
            stats = self._if_stats() or {}
            nics = {n: c for n, c in nics.items() if not is_loopback(n, stats.get(n))}
        if not nics:
            return []
        out = []
        for definition, attr in _FIELDS:
            family = definition.family()
            for device, counters in sorted(nics.items()):
                family.add_metric([device], float(getattr(counters, attr)))
            out.append(family)
        return out
