"""Keep recent samples of a series in bounded memory and summarise them.

Samples are stored exactly (no sketch), so percentiles are exact over what is retained.
Memory is bounded twice: samples older than ``max_age_seconds`` are evicted, and at most
``max_samples`` are kept per series. When the count bound bites, the oldest samples go first
and the statistics describe a shorter span than asked for; ``window_seconds`` in the result
says which span was actually covered, so the caller can see the truncation.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Sequence

__all__ = ["SlidingWindow", "summarize", "percentile", "EMPTY_STATS"]

EMPTY_STATS = {"count": 0, "mean": None, "min": None, "max": None,
               "p50": None, "p90": None, "p95": None, "p99": None, "window_seconds": 0.0}


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Return the ``q`` quantile (0-1) of ascending values by linear interpolation between ranks."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile must be within 0..1, got {q}")
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize(values: Iterable[float], window_seconds: float = 0.0) -> dict:
    """Return count, mean, min, max and p50/p90/p95/p99 of ``values`` as a plain dict."""
    ordered = sorted(values)
    if not ordered:
        return dict(EMPTY_STATS, window_seconds=window_seconds)
    return {
        "count": len(ordered),
        "mean": math.fsum(ordered) / len(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p50": percentile(ordered, 0.50),
        "p90": percentile(ordered, 0.90),
        "p95": percentile(ordered, 0.95),
        "p99": percentile(ordered, 0.99),
        "window_seconds": window_seconds,
    }


class SlidingWindow:
    """Timestamped samples of one series, evicted by age and capped in count."""

    __slots__ = ("_samples", "_max_age", "_clock")

    def __init__(self, *, max_age_seconds: float, max_samples: int, clock: Callable[[], float]) -> None:
        if max_age_seconds <= 0 or max_samples <= 0:
            raise ValueError("max_age_seconds and max_samples must be positive")
        self._samples: deque[tuple[float, float]] = deque(maxlen=max_samples)
        self._max_age = max_age_seconds
        self._clock = clock

    def __len__(self) -> int:
        return len(self._samples)

    def add(self, value: float) -> None:
        """Append a sample stamped now and drop the ones past the age limit."""
        now = self._clock()
        self._samples.append((now, value))
        self._evict(now)

    def _evict(self, now: float) -> None:
        horizon = now - self._max_age
        samples = self._samples
        try:
            while samples and samples[0][0] < horizon:
                samples.popleft()
        except IndexError:  # another thread evicted the last old sample first
            pass

    def values(self, window_seconds: float | None = None) -> tuple[list[float], float]:
        """Return the values of the last ``window_seconds`` and the span they really cover."""
        now = self._clock()
        self._evict(now)
        horizon = now - (self._max_age if window_seconds is None else min(window_seconds, self._max_age))
        picked = [(t, v) for t, v in list(self._samples) if t >= horizon]  # list(): a snapshot, safe vs appends
        if not picked:
            return [], 0.0
        return [v for _, v in picked], now - picked[0][0]
