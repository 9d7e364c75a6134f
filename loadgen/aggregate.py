"""Collect interval records from one or more workers and fold each complete interval once.

An interval is complete when every worker has delivered it (or has finished). Complete intervals
are merged exactly (:func:`~loadgen.stats.merge_records`), kept for the reports and folded into
:class:`~loadgen.summary.Totals`, which the live view, metrics and abort checks read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from loadgen.stats import merge_records
from loadgen.summary import Totals

__all__ = ["Aggregator"]


class Aggregator:
    """Merge per-worker records by interval index ``t``; thread-safe for a metrics scrape thread."""

    def __init__(self, workers: int = 1, on_interval: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.workers = workers
        self.totals = Totals()
        self.records: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._pending: dict[int, list[dict[str, Any]]] = {}
        self._seen = [-1] * workers
        self._done: set[int] = set()
        self._on_interval = on_interval

    def add(self, worker: int, record: dict[str, Any]) -> None:
        """Accept ``worker``'s record; fold every interval that is now complete."""
        self._pending.setdefault(record["t"], []).append(record)
        self._seen[worker] = max(self._seen[worker], record["t"])
        self._flush()

    def worker_done(self, worker: int) -> None:
        """Mark ``worker`` as finished: it will deliver no more records."""
        self._done.add(worker)
        self._flush()

    def finish(self) -> None:
        """Fold whatever is pending (workers that died mid-run leave gaps, not hangs)."""
        self._done.update(range(self.workers))
        self._flush()

    def _complete(self, t: int) -> bool:
        return all(w in self._done or self._seen[w] >= t for w in range(self.workers))

    def _flush(self) -> None:
        for t in sorted(self._pending):
            if not self._complete(t):
                break
            merged = merge_records(self._pending.pop(t))
            with self.lock:
                self.totals.add(merged)
                self.records.append(merged)
            if self._on_interval is not None:
                self._on_interval(merged)
