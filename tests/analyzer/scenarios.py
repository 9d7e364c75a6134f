"""The synthetic systems the end-to-end tests analyse, each in its own 40-minute slot of history.

Slots are 50 minutes apart so a 30-minute window never sees a neighbour; the latency
regression's baseline sits exactly one day before its slot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .history import HistoryBuilder, RouteLoad, State

__all__ = ["ROUTES", "SCENARIOS", "Layout", "layout", "build_history", "SLOT_SECONDS", "WINDOW"]

ROUTES = ("/api/items", "/api/search", "/api/checkout", "/api/users")
SLOT_SECONDS = 40 * 60
SLOT_SPACING = 50 * 60
WINDOW = "30m"


def _routes(rps: float = 5.0, latencies=((0.04, 0.7), (0.2, 0.3)), errors: float = 0.002,
            overrides: dict[str, RouteLoad] | None = None) -> dict[str, RouteLoad]:
    out = {r: RouteLoad(rps=rps, latencies=latencies, error_ratio=errors) for r in ROUTES}
    out.update(overrides or {})
    return out


def healthy(_: float) -> State:
    return State(routes=_routes())


RAMP = ((20, 0.55, 0.2, 0.0), (40, 0.70, 0.4, 0.0), (60, 0.85, 0.8, 0.0), (80, 0.95, 2.0, 0.02),
        (100, 0.98, 4.0, 0.08))


def cpu_bound(elapsed: float) -> State:
    """A stepped run: 10 min warm-up at the first step, then five 6-minute steps of 20-100 req/s."""
    i = 0 if elapsed < 600 else min(4, int((elapsed - 600) // 360))
    rps, cpu, lat, err = RAMP[i]
    return State(routes=_routes(rps=rps / 4, latencies=((lat, 1.0),), errors=err), cpu=cpu, memory=0.6,
                 run=("ramp-1", "stress", f"step{i + 1}"))


def slow_db(_: float) -> State:
    return State(routes=_routes(latencies=((1.5, 1.0),)), db_latency=0.4, db_ops_per_request=3.0)


def cold_cache(_: float) -> State:
    return State(routes=_routes(latencies=((0.4, 0.945), (1.5, 0.055))), cache_hit=0.3)


def error_route(_: float) -> State:
    return State(routes=_routes(overrides={"/api/checkout": RouteLoad(rps=5.0, latencies=((0.04, 1.0),),
                                                                      error_ratio=0.6)}))


def regressed(_: float) -> State:
    return State(routes=_routes(latencies=((0.8, 1.0),)))


def regression_baseline(_: float) -> State:
    return State(routes=_routes(latencies=((0.2, 1.0),)))


SCENARIOS = {"healthy": healthy, "cpu_bound": cpu_bound, "slow_db": slow_db, "cold_cache": cold_cache,
             "error_route": error_route, "regression": regressed}


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Where each scenario's window ends (Unix seconds)."""

    ends: dict[str, float]
    regression_baseline_start: float


def layout(now: float | None = None) -> Layout:
    """Place the slots back to back ending at least an hour before ``now``, aligned to 30 minutes."""
    last_end = (int((now or time.time()) // 1800) * 1800) - 3600
    ends = {name: float(last_end - i * SLOT_SPACING) for i, name in enumerate(reversed(list(SCENARIOS)))}
    return Layout(ends=ends, regression_baseline_start=ends["regression"] - 86400 - SLOT_SECONDS)


def build_history(lay: Layout, step: float = 30.0) -> str:
    """Return OpenMetrics text holding every scenario slot and the regression baseline."""
    b = HistoryBuilder(step=step)
    b.add(lay.regression_baseline_start, SLOT_SECONDS, regression_baseline)
    for name, end in sorted(lay.ends.items(), key=lambda kv: kv[1]):
        b.add(end - SLOT_SECONDS, SLOT_SECONDS, SCENARIOS[name])
    return b.render()
