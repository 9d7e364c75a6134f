"""CPU, memory, open files and threads of named processes (the service under test)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from prometheus_client.metrics_core import Metric

from exporter.collectors.base import CollectorSettings
from exporter.definitions import MetricDef

__all__ = ["NamedProcessCollector", "matches_name"]

CPU = MetricDef(name="perfstack_process_cpu_seconds", type="counter", unit="seconds", labels=("name",),
                help="User + system CPU seconds of the processes matching name (summed).")
RSS = MetricDef(name="perfstack_process_resident_memory_bytes", type="gauge", unit="bytes", labels=("name",),
                help="Resident memory of the processes matching name (summed).")
FDS = MetricDef(name="perfstack_process_open_fds", type="gauge", unit="files", labels=("name",),
                help="Open file descriptors of the processes matching name (summed; Unix only).")
THREADS = MetricDef(name="perfstack_process_threads", type="gauge", unit="threads", labels=("name",),
                    help="Threads of the processes matching name (summed).")
MATCHED = MetricDef(name="perfstack_process_matched", type="gauge", unit="processes", labels=("name",),
                    help="Processes matching name right now; 0 means the watched service is not running.")

_ATTRS = ["pid", "name", "cmdline", "cpu_times", "memory_info", "num_fds", "num_threads"]


def matches_name(wanted: str, proc_name: str | None, cmdline: list[str] | None) -> bool:
    """Match the process name, or the base name of any argument (``python -m demo`` matches ``demo``)."""
    if proc_name == wanted:
        return True
    return any(os.path.basename(arg) == wanted for arg in (cmdline or ()))


class NamedProcessCollector:
    """Sum ``psutil.process_iter`` figures over processes matching each ``--process NAME``."""

    name: ClassVar[str] = "process"
    metrics: ClassVar[tuple[MetricDef, ...]] = (CPU, RSS, FDS, THREADS, MATCHED)

    def __init__(self, names: Iterable[str], *, process_iter: Callable[..., Iterable[Any]] | None = None) -> None:
        import psutil

        self.names = tuple(dict.fromkeys(names))
        self._iter = process_iter or (lambda: psutil.process_iter(_ATTRS))

    @classmethod
    def from_settings(cls, settings: CollectorSettings) -> NamedProcessCollector:
        return cls(settings.processes)

    def collect(self) -> Iterable[Metric]:
        if not self.names:
            return []
        totals = {n: {"cpu": 0.0, "rss": 0.0, "fds": 0.0, "threads": 0.0, "n": 0} for n in self.names}
        for proc in self._iter():
            info = proc.info
            for wanted in self.names:
                if not matches_name(wanted, info.get("name"), info.get("cmdline")):
                    continue
                t = totals[wanted]
                t["n"] += 1
                if info.get("cpu_times") is not None:
                    t["cpu"] += info["cpu_times"].user + info["cpu_times"].system
                if info.get("memory_info") is not None:
                    t["rss"] += info["memory_info"].rss
                t["fds"] += info.get("num_fds") or 0
                t["threads"] += info.get("num_threads") or 0
        families = {d: d.family() for d in self.metrics}
        for wanted, t in totals.items():
            families[MATCHED].add_metric([wanted], float(t["n"]))
            if t["n"]:
                families[CPU].add_metric([wanted], t["cpu"])
                families[RSS].add_metric([wanted], t["rss"])
                families[FDS].add_metric([wanted], t["fds"])
                families[THREADS].add_metric([wanted], t["threads"])
        return list(families.values())
