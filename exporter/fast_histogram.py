"""A labelled histogram that renders thousands of series in milliseconds.

prometheus-client builds a ``Sample`` object per bucket line and re-validates every label on
each scrape; for 200 routes × 3 methods × 5 statuses that is ~0.5 s per scrape. This
histogram keeps non-cumulative bucket counts per child and caches each child's line
prefixes, so rendering is string concatenation. It is still a regular registry collector
(``collect()`` yields a standard family), so ``registry.get_sample_value`` and
``generate_latest`` keep working; :func:`render_fast` is the fast path used by
``PerformanceMonitor.render``. Single-process only: multiprocess mode needs
prometheus-client's mmap-backed values, and the monitor switches back to them there.
"""

from __future__ import annotations

import bisect
import contextvars
import math
import threading
from collections.abc import Iterable, Sequence
from itertools import accumulate

from prometheus_client.core import HistogramMetricFamily
from prometheus_client.utils import floatToGoString

__all__ = ["FastHistogram", "skip_fast_families"]

skip_fast_families: contextvars.ContextVar[bool] = contextvars.ContextVar("skip_fast_families", default=False)
"""While True, FastHistogram.collect() yields nothing (the caller renders them with render())."""


def _escape_label(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _float_text(value: float) -> str:
    return repr(value) if math.isfinite(value) else floatToGoString(value)


class _Child:
    __slots__ = ("_upper", "_counts", "_sum", "_lock", "_template")

    def __init__(self, upper: tuple[float, ...]) -> None:
        self._upper = upper
        self._counts = [0] * len(upper)
        self._sum = 0.0
        self._lock = threading.Lock()
        self._template: str | None = None

    def observe(self, value: float) -> None:
        """Count ``value`` in the first bucket whose upper bound is >= value."""
        index = bisect.bisect_left(self._upper, value)
        with self._lock:
            self._counts[index if index < len(self._counts) else -1] += 1
            self._sum += value

    def snapshot(self) -> tuple[list[int], float]:
        """Return cumulative bucket counts and the sum, read consistently."""
        with self._lock:
            counts, total = list(self._counts), self._sum
        return list(accumulate(counts)), total


class FastHistogram:
    """A histogram family with ``labels(*values).observe(v)``, registered on a registry like any collector."""

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str], *, buckets: Sequence[float],
                 registry=None) -> None:
        bounds = [float(b) for b in buckets if not math.isinf(b)]
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError(f"{name}: buckets must be strictly increasing")
        self.name, self.documentation, self.labelnames = name, documentation, tuple(labelnames)
        self._upper = (*bounds, math.inf)
        self._le = [floatToGoString(b) for b in self._upper]
        self._children: dict[tuple[str, ...], _Child] = {}
        self._lock = threading.Lock()
        help_text = documentation.replace("\\", r"\\").replace("\n", r"\n")
        self._header = f"# HELP {name} {help_text}\n# TYPE {name} histogram\n"
        if registry is not None:
            registry.register(self)

    def labels(self, *values: str) -> _Child:
        """Return the child for these label values (positional, in ``labelnames`` order)."""
        child = self._children.get(values)
        if child is None:
            if len(values) != len(self.labelnames):
                raise ValueError(f"{self.name}: expected {len(self.labelnames)} label values, got {len(values)}")
            with self._lock:
                child = self._children.setdefault(tuple(str(v) for v in values), _Child(self._upper))
        return child

    def describe(self) -> Iterable[HistogramMetricFamily]:
        return [HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)]

    def collect(self) -> Iterable[HistogramMetricFamily]:
        if skip_fast_families.get():
            return []
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)
        for values, child in list(self._children.items()):
            cumulative, total = child.snapshot()
            family.add_metric(list(values), list(zip(self._le, cumulative, strict=True)), total)
        return [family]

    def _template(self, values: tuple[str, ...], child: _Child) -> str:
        """Return the child's lines as one %-format string (built once; one C-level format per scrape)."""
        if child._template is None:
            labels = ",".join(f'{n}="{_escape_label(v)}"' for n, v in zip(self.labelnames, values, strict=True))
            labels = labels.replace("%", "%%")
            sep = "," if labels else ""
            braces = f"{{{labels}}}" if labels else ""
            lines = [f'{self.name}_bucket{{{labels}{sep}le="{le}"}} %d\n' for le in self._le]
            lines += [f"{self.name}_count{braces} %d\n", f"{self.name}_sum{braces} %s\n"]
            child._template = "".join(lines)
        return child._template

    def render(self) -> str:
        """Return the family as exposition text (valid for both text 0.0.4 and OpenMetrics)."""
        out = [self._header]
        append = out.append
        template = self._template
        for values, child in list(self._children.items()):
            # Lock-free read: a concurrent observe may show up in the buckets a scrape before the sum,
            # the same guarantee prometheus-client gives; it keeps 3000-series renders fast.
            cumulative = list(accumulate(child._counts))
            append(template(values, child) % (*cumulative, cumulative[-1], _float_text(child._sum)))
        return "".join(out)
