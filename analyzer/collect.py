"""The PromQL adapter: run the fixed query set for a window and return :class:`Observations`.

This is the only module that talks to Prometheus (through an injected :class:`PromClient`).
It sends the same number of queries whatever the number of series: everything is aggregated
in PromQL and per-route views are capped with ``topk``.
"""

from __future__ import annotations

from perfstack.units import format_duration

from .model import Observations, RouteStat, Window
from .promql import PromClient
from .queries import Scope, baseline_queries, instant_queries, range_queries, route_queries, run_window_query

__all__ = ["collect", "run_window", "chart_step", "RUN_LOOKBACK"]

RUN_LOOKBACK = "7d"
CHART_POINTS = 60


def chart_step(window_seconds: float, scrape_interval_seconds: float = 15.0) -> float:
    """Return the range-query step: about 60 points per window, never below one scrape interval."""
    return max(scrape_interval_seconds, round(window_seconds / CHART_POINTS))


def _routes(rows: list[tuple[dict, float | None]], values: dict[str, float | None]) -> list[RouteStat]:
    out = [RouteStat(route=labels.get("route", "?"), share=v, value=values.get(labels.get("route", "?")))
           for labels, v in rows if v is not None]
    return sorted(out, key=lambda r: (-(r.share or 0.0), r.route))


def collect(client: PromClient, window: Window, *, job: str | None, latency_threshold: float,
            scrape_interval_seconds: float = 15.0) -> Observations:
    """Query everything the core needs for ``window``."""
    rng = format_duration(window.seconds)
    scope = Scope(job=job, range_=rng)
    at = window.end
    queries = instant_queries(scope)
    values = {k: client.scalar(q, at) for k, q in queries.items()}

    base_scope = Scope(job=job, range_=rng, offset=format_duration(window.baseline_offset_seconds))
    base_q = baseline_queries(base_scope)
    baseline = {k: client.scalar(q, at) for k, q in base_q.items()}

    rq = route_queries(scope, latency_threshold)
    routes = {k: client.query(q, at) for k, q in rq.items()}
    route_p95 = {lbl.get("route", "?"): v for lbl, v in routes["route_p95"]}
    route_err = {lbl.get("route", "?"): v for lbl, v in routes["route_error_ratio"]}

    step = chart_step(window.seconds, scrape_interval_seconds)
    series = {}
    series_q = range_queries(job, step, scrape_interval_seconds)
    for key, q in series_q.items():
        rows = client.query_range(q, window.start, window.end, step)
        series[key] = [(t, v) for t, v in rows[0][1] if v is not None] if rows else []

    all_queries = {**{f"baseline:{k}": q for k, q in base_q.items()}, **{f"series:{k}": q for k, q in series_q.items()},
                   **rq, **queries}
    return Observations(window=window, values=values, baseline=baseline, queries=all_queries, series=series,
                        slow_routes=_routes(routes["slow_routes"], route_p95),
                        error_routes=_routes(routes["error_routes"], route_err))


def run_window(client: PromClient, run_id: str, at: float) -> tuple[float, float] | None:
    """Return (first, last) sample timestamps of ``loadgen_run_info{run_id=...}``, None if never seen."""
    stamps = [t for _, samples in client.query_samples(run_window_query(run_id, RUN_LOOKBACK), at) for t, _ in samples]
    return (min(stamps), max(stamps)) if stamps else None
