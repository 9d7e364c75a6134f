"""Host utilisation as rates between two psutil samples (for ``get_system_stats``).

Reading psutil is the only I/O here; :func:`system_rates` is pure. Rates need two samples,
so the first call waits ``min_interval_seconds`` and later calls reuse the previous sample.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

__all__ = ["SystemSample", "SystemSampler", "take_sample", "system_rates"]


@dataclass(frozen=True, kw_only=True)
class SystemSample:
    """Cumulative host counters at one instant."""

    at: float
    cpu_busy_seconds: float
    cpu_total_seconds: float
    memory_total_bytes: float
    memory_available_bytes: float
    disk_read_bytes: float
    disk_written_bytes: float
    network_receive_bytes: float
    network_transmit_bytes: float


def _is_loopback(name: str, stats: Any) -> bool:
    flags = getattr(stats, "flags", "") or ""
    return name == "lo" or "loopback" in flags.split(",")


def take_sample(ps: ModuleType | Any, clock: Callable[[], float]) -> SystemSample:
    """Read CPU, memory, disk and non-loopback network counters from a psutil-like module."""
    cpu = ps.cpu_times()
    total = sum(cpu._asdict().values()) - getattr(cpu, "guest", 0.0) - getattr(cpu, "guest_nice", 0.0)
    idle = cpu.idle + getattr(cpu, "iowait", 0.0)
    mem = ps.virtual_memory()
    disk = ps.disk_io_counters(perdisk=False)
    nics = ps.net_io_counters(pernic=True) or {}
    if_stats = ps.net_if_stats() or {}
    nics = {n: c for n, c in nics.items() if not _is_loopback(n, if_stats.get(n))}
    return SystemSample(
        at=clock(),
        cpu_busy_seconds=total - idle,
        cpu_total_seconds=total,
        memory_total_bytes=float(mem.total),
        memory_available_bytes=float(mem.available),
        disk_read_bytes=float(disk.read_bytes) if disk else 0.0,
        disk_written_bytes=float(disk.write_bytes) if disk else 0.0,
        network_receive_bytes=float(sum(c.bytes_recv for c in nics.values())),
        network_transmit_bytes=float(sum(c.bytes_sent for c in nics.values())),
    )


def _rate(delta: float, seconds: float) -> float:
    return max(delta, 0.0) / seconds


def system_rates(prev: SystemSample, cur: SystemSample) -> dict[str, float]:
    """Return utilisation and byte rates between two samples (counter resets give 0, not negatives)."""
    seconds = cur.at - prev.at
    if seconds <= 0:
        raise ValueError("samples must be taken at increasing times")
    cpu_total = cur.cpu_total_seconds - prev.cpu_total_seconds
    cpu_ratio = min(max((cur.cpu_busy_seconds - prev.cpu_busy_seconds) / cpu_total, 0.0), 1.0) if cpu_total > 0 else 0.0
    mem_ratio = 1.0 - cur.memory_available_bytes / cur.memory_total_bytes if cur.memory_total_bytes else 0.0
    read = _rate(cur.disk_read_bytes - prev.disk_read_bytes, seconds)
    written = _rate(cur.disk_written_bytes - prev.disk_written_bytes, seconds)
    rx = _rate(cur.network_receive_bytes - prev.network_receive_bytes, seconds)
    tx = _rate(cur.network_transmit_bytes - prev.network_transmit_bytes, seconds)
    return {
        "cpu_ratio": cpu_ratio,
        "cpu_percent": cpu_ratio * 100.0,
        "memory_ratio": mem_ratio,
        "memory_percent": mem_ratio * 100.0,
        "memory_available_bytes": cur.memory_available_bytes,
        "disk_read_bytes_per_second": read,
        "disk_write_bytes_per_second": written,
        "disk_io_bytes_per_second": read + written,
        "network_receive_bytes_per_second": rx,
        "network_transmit_bytes_per_second": tx,
        "network_io_bytes_per_second": rx + tx,
        "interval_seconds": seconds,
    }


class SystemSampler:
    """Keep the previous sample so each ``stats()`` call is a rate since the last one."""

    def __init__(self, *, ps: ModuleType | Any = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, min_interval_seconds: float = 0.2) -> None:
        if ps is None:
            import psutil as ps
        self._ps, self._clock, self._sleep, self._min = ps, clock, sleep, min_interval_seconds
        self._prev: SystemSample | None = None

    def stats(self) -> dict[str, float]:
        """Return rates since the previous call, waiting if the previous sample is too recent."""
        if self._prev is None:
            self._prev = take_sample(self._ps, self._clock)
        wait = self._min - (self._clock() - self._prev.at)
        if wait > 0:
            self._sleep(wait)
        cur = take_sample(self._ps, self._clock)
        rates = system_rates(self._prev, cur)
        self._prev = cur
        return rates
