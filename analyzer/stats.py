"""Small statistics on (timestamp, value) series: alignment, correlation, linear trend."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .model import Point

__all__ = ["align", "pearson", "linear_fit", "mean"]


def mean(values: Sequence[float]) -> float | None:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else None


def align(*series: Sequence[Point]) -> list[tuple[float, ...]]:
    """Return rows (t, v1, v2, ...) for the timestamps every series has, finite values only."""
    if not series:
        return []
    maps = [{round(t, 3): v for t, v in s if math.isfinite(v)} for s in series]
    common = sorted(set.intersection(*(set(m) for m in maps)))
    return [(t, *(m[t] for m in maps)) for t in common]


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Return Pearson's r, or None with fewer than 3 points or a flat series."""
    n = len(xs)
    if n < 3 or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-18 or syy <= 1e-18:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def linear_fit(points: Sequence[Point]) -> tuple[float, float] | None:
    """Return (slope per second, value at the last timestamp) by least squares, None if < 3 points."""
    pts = [(t, v) for t, v in points if math.isfinite(v)]
    if len(pts) < 3:
        return None
    n = len(pts)
    mt = sum(t for t, _ in pts) / n
    mv = sum(v for _, v in pts) / n
    stt = sum((t - mt) ** 2 for t, _ in pts)
    if stt == 0:
        return None
    slope = sum((t - mt) * (v - mv) for t, v in pts) / stt
    return slope, mv + slope * (pts[-1][0] - mt)
