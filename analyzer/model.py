"""Plain data passed between the PromQL adapter and the pure analysis core.

The adapter fills an :class:`Observations`; everything after that (objectives, scoring,
bottlenecks, recommendations, trends, capacity, rendering) is a function of it, so the same
core serves Prometheus, the Python API on hand-typed numbers, and the tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["Window", "RouteStat", "Observations", "Point", "clean"]

Point = tuple[float, float]


def clean(value: float | None) -> float | None:
    """Return ``value`` as a float, or None for missing and NaN (NaN means "no data", never 0)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


@dataclass(frozen=True, kw_only=True)
class Window:
    """The analysed time range [start, end] in Unix seconds, and the baseline offset for trends."""

    start: float
    end: float
    baseline_offset_seconds: float = 86400.0
    run_id: str | None = None

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, kw_only=True)
class RouteStat:
    """One route's share of a problem (slow requests or errors) and its own value."""

    route: str
    share: float | None
    value: float | None


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, kw_only=True)
class Observations:
    """Everything measured over one window: scalars, baseline scalars, series and per-route tops.

    Series keep finite points only (a chart or a slope cannot use NaN or +Inf).
    ``values`` and ``baseline`` map a measurement id (see :mod:`analyzer.objectives`) to a number
    or None; ``queries`` maps the same ids to the PromQL that produced them, which becomes the
    evidence of objectives and findings.
    """

    window: Window
    values: Mapping[str, float | None] = field(default_factory=dict)
    baseline: Mapping[str, float | None] = field(default_factory=dict)
    queries: Mapping[str, str] = field(default_factory=dict)
    series: Mapping[str, Sequence[Point]] = field(default_factory=dict)
    slow_routes: Sequence[RouteStat] = ()
    error_routes: Sequence[RouteStat] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _frozen({k: clean(v) for k, v in (self.values or {}).items()}))
        object.__setattr__(self, "baseline", _frozen({k: clean(v) for k, v in (self.baseline or {}).items()}))
        object.__setattr__(self, "queries", _frozen(self.queries))
        series = {k: tuple((float(t), float(v)) for t, v in pts if v is not None and math.isfinite(float(v)))
                  for k, pts in (self.series or {}).items()}
        object.__setattr__(self, "series", _frozen(series))
        object.__setattr__(self, "slow_routes", tuple(self.slow_routes))
        object.__setattr__(self, "error_routes", tuple(self.error_routes))

    def value(self, key: str) -> float | None:
        return self.values.get(key)

    def query(self, key: str) -> str:
        return self.queries.get(key, "")
