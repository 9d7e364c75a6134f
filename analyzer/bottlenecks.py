"""Bottleneck rules: each reads graded objectives, observations and trends and may emit findings.

A finding is ``{id, category, severity, title, subject, evidence{query, observed, threshold,
window, ...}}``. Rules are small functions in :data:`RULES`, so adding one never touches another.
Findings are ordered by severity, then by how far past its threshold the evidence is.
"""

from __future__ import annotations

from collections.abc import Callable

from perfstack.config import PerformanceConfig
from perfstack.units import format_duration

from .model import Observations
from .objectives import FAIL, PASS, WARNING
from .stats import align, pearson

__all__ = ["RULES", "SEVERITIES", "find_bottlenecks", "Context", "CORRELATION_MIN", "ROUTE_SHARE_MIN",
           "DB_SHARE_MIN"]

SEVERITIES = ("critical", "high", "medium", "low")
CORRELATION_MIN = 0.7
ROUTE_SHARE_MIN = 0.25
DB_SHARE_MIN = 0.5
CAUSES = ("infrastructure", "database", "caching")


class Context:
    """What every rule may read: objectives by id, observations, trends and config."""

    def __init__(self, objectives: list[dict], obs: Observations, trends: dict, config: PerformanceConfig) -> None:
        self.objectives = {o["id"]: o for o in objectives}
        self.obs, self.trends, self.config = obs, trends, config
        self.window = format_duration(obs.window.seconds)

    def state(self, oid: str) -> str:
        return self.objectives[oid]["state"] if oid in self.objectives else "no_data"

    def failing(self, oid: str) -> bool:
        return self.state(oid) in (WARNING, FAIL)

    def finding(self, id_: str, category: str, severity: str, title: str, *, query: str, observed, threshold,
                impact: float = 1.0, subject: str | None = None, **extra) -> dict:
        evidence = {"query": query, "observed": observed, "threshold": threshold, "window": self.window, **extra}
        return {"id": id_, "category": category, "severity": severity, "title": title, "subject": subject,
                "evidence": evidence, "impact": impact}

    def from_objective(self, oid: str, id_: str, category: str, title: str, **extra) -> dict:
        o = self.objectives[oid]
        severity = "high" if o["state"] == FAIL else "medium"
        return self.finding(id_, category, severity, title, query=o["query"], observed=o["observed"],
                            threshold=o["threshold"], impact=_excess(o), **extra)


def _excess(o: dict) -> float:
    obs, thr = o["observed"], o["threshold"]
    if obs is None or not thr:
        return 1.0
    return obs / thr if o["unit"] != "ratio" or o["id"] != "cache_hit_ratio" else thr / max(obs, 1e-9)


def _bump(severity: str) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f} %"


def _latency_correlation(ctx: Context, key: str) -> float | None:
    rows = align(ctx.obs.series.get("api_latency_p95", ()), ctx.obs.series.get(key, ()))
    return pearson([r[1] for r in rows], [r[2] for r in rows])


def _resource(oid: str, id_: str, label: str) -> Callable[[Context], list[dict]]:
    def rule(ctx: Context) -> list[dict]:
        if not ctx.failing(oid):
            return []
        r = _latency_correlation(ctx, oid)
        rises = r is not None and r >= CORRELATION_MIN and ctx.state("api_latency_p95") != PASS
        title = f"{label}: {_pct(ctx.objectives[oid]['observed'])} (limit {_pct(ctx.objectives[oid]['threshold'])})"
        if rises:
            title += f"; latency rises with it (r = {r:.2f})"
        f = ctx.from_objective(oid, id_, "infrastructure", title, latency_correlation=r)
        if rises:
            f["severity"] = _bump(f["severity"])
        return [f]
    return rule


def _io(oid: str, id_: str, label: str) -> Callable[[Context], list[dict]]:
    def rule(ctx: Context) -> list[dict]:
        if not ctx.failing(oid):
            return []
        o = ctx.objectives[oid]
        return [ctx.from_objective(oid, id_, "infrastructure",
                                   f"{label} saturation: {o['observed'] / 1e6:.1f} MB/s (limit {o['threshold'] / 1e6:.0f} MB/s)")]
    return rule


def database(ctx: Context) -> list[dict]:
    share = ctx.obs.value("db_time_share")
    dominant = share is not None and share >= DB_SHARE_MIN and ctx.state("api_latency_p95") != PASS
    if not ctx.failing("db_query_p95") and not dominant:
        return []
    o = ctx.objectives["db_query_p95"]
    parts = []
    if o["observed"] is not None:
        parts.append(f"DB p95 {1000 * o['observed']:.0f} ms (limit {1000 * o['threshold']:.0f} ms)")
    if share is not None:
        parts.append(f"{_pct(share)} of request time spent in the database")
    f = ctx.finding("slow_database", "database", "high" if o["state"] == FAIL else "medium",
                    "Slow database: " + ", ".join(parts), query=o["query"], observed=o["observed"],
                    threshold=o["threshold"], impact=_excess(o), db_time_share=share,
                    db_time_share_query=ctx.obs.query("db_time_share"))
    if dominant:
        f["severity"] = _bump(f["severity"])
    return [f]


def cache(ctx: Context) -> list[dict]:
    if not ctx.failing("cache_hit_ratio"):
        return []
    o = ctx.objectives["cache_hit_ratio"]
    return [ctx.from_objective("cache_hit_ratio", "low_cache_hit_ratio", "caching",
                               f"Low cache hit ratio: {_pct(o['observed'])} (minimum {_pct(o['threshold'])})")]


def slow_routes(ctx: Context) -> list[dict]:
    if not ctx.failing("api_latency_p95"):
        return []
    severity = "medium" if ctx.state("api_latency_p95") == FAIL else "low"
    out = []
    for rs in ctx.obs.slow_routes[:3]:
        if rs.share is None or rs.share < ROUTE_SHARE_MIN:
            continue
        out.append(ctx.finding(
            "slow_route", "api", severity,
            f"Route {rs.route} serves {_pct(rs.share)} of the requests slower than the p95 objective",
            subject=rs.route, query=ctx.obs.query("slow_routes"), observed=rs.share, threshold=ROUTE_SHARE_MIN,
            impact=rs.share, route=rs.route, route_p95=rs.value, route_p95_query=ctx.obs.query("route_p95"),
            latency_threshold=ctx.objectives["api_latency_p95"]["threshold"]))
    return out


def errors(ctx: Context) -> list[dict]:
    if not ctx.failing("api_error_ratio"):
        return []
    o = ctx.objectives["api_error_ratio"]
    severity = "critical" if o["state"] == FAIL else "high"
    hot = [rs for rs in ctx.obs.error_routes if rs.share is not None and rs.share >= 0.5]
    if hot:
        rs = hot[0]
        return [ctx.finding(
            "error_hotspot_route", "api", severity,
            f"Route {rs.route} causes {_pct(rs.share)} of errors (its error rate {_pct(rs.value)})",
            subject=rs.route, query=ctx.obs.query("error_routes"), observed=rs.value, threshold=o["threshold"],
            impact=_excess(o), route=rs.route, error_share=rs.share, overall_error_ratio=o["observed"])]
    top = [{"route": rs.route, "error_share": rs.share, "error_ratio": rs.value} for rs in ctx.obs.error_routes[:3]]
    return [ctx.finding("api_error_rate_high", "api", severity,
                        f"API error rate {_pct(o['observed'])} (limit {_pct(o['threshold'])})",
                        query=o["query"], observed=o["observed"], threshold=o["threshold"], impact=_excess(o),
                        top_routes=top, top_routes_query=ctx.obs.query("error_routes"))]


def availability(ctx: Context) -> list[dict]:
    if not ctx.failing("availability"):
        return []
    o = ctx.objectives["availability"]
    f = ctx.from_objective("availability", "targets_down", "infrastructure",
                           f"Targets were down: availability {100 * o['observed']:.2f} %")
    if o["state"] == FAIL:
        f["severity"] = "critical"
    return [f]


def timeouts(ctx: Context) -> list[dict]:
    if not ctx.failing("api_timeout_ratio"):
        return []
    o = ctx.objectives["api_timeout_ratio"]
    return [ctx.from_objective("api_timeout_ratio", "request_timeouts", "api",
                               f"Requests time out: {_pct(o['observed'])} (limit {_pct(o['threshold'])})")]


def generator(ctx: Context) -> list[dict]:
    if not ctx.failing("generator_schedule_lag_p99"):
        return []
    o = ctx.objectives["generator_schedule_lag_p99"]
    f = ctx.from_objective("generator_schedule_lag_p99", "generator_saturated", "infrastructure",
                           f"Load generator fell behind its schedule (lag p99 {1000 * o['observed']:.0f} ms): "
                           "the test under-measured the load")
    f["severity"] = "high"
    return [f]


def regressions(ctx: Context) -> list[dict]:
    out = []
    for c in ctx.trends.get("comparisons", []):
        if not c["degraded"]:
            continue
        ratio = "new" if c["change_ratio"] is None else f"{100 * c['change_ratio']:+.0f} %"
        severity = "high" if c["id"] in ("api_latency_p95", "api_error_ratio") else "medium"
        out.append(ctx.finding(
            f"{c['id'].removeprefix('api_')}_regression", "api" if c["id"] != "cpu_utilisation" else "code",
            severity, f"{c['title']} {ratio} against {format_duration(ctx.obs.window.baseline_offset_seconds)} earlier",
            query=ctx.obs.query(c["id"]), observed=c["current"], threshold=c["baseline"],
            impact=abs(c["change_ratio"] or 1.0), baseline=c["baseline"], change_ratio=c["change_ratio"]))
    return out


def exhaustion(ctx: Context) -> list[dict]:
    out = []
    for e in ctx.trends.get("exhaustion", []):
        if e["predicted"]:
            hours = e["time_to_exhaustion_seconds"] / 3600
            out.append(ctx.finding(
                f"{e['id'].split('_')[0]}_exhaustion_predicted", "infrastructure", "high",
                f"{e['title']} will run out in {hours:.1f} h at the current trend",
                query=ctx.obs.query(e["id"]), observed=e["current"], threshold=1.0,
                impact=1.0 / max(hours, 0.01), slope_per_hour=e["slope_per_hour"],
                time_to_exhaustion_seconds=e["time_to_exhaustion_seconds"]))
    return out


def latency(ctx: Context, found: list[dict]) -> list[dict]:
    """Report high latency itself only when no infrastructure, database or cache cause explains it."""
    if not ctx.failing("api_latency_p95") or any(f["category"] in CAUSES for f in found):
        return []
    o = ctx.objectives["api_latency_p95"]
    return [ctx.from_objective("api_latency_p95", "api_latency_high", "api",
                               f"API p95 {1000 * o['observed']:.0f} ms (limit {1000 * o['threshold']:.0f} ms) "
                               "with no saturated resource: look at the code path")]


RULES: tuple[Callable[[Context], list[dict]], ...] = (
    _resource("cpu_utilisation", "cpu_saturation", "CPU saturation"),
    _resource("memory_utilisation", "memory_pressure", "Memory pressure"),
    _io("disk_io", "disk_io_saturation", "Disk I/O"),
    _io("network_io", "network_io_saturation", "Network I/O"),
    database, cache, slow_routes, errors, availability, timeouts, generator, regressions, exhaustion,
)


def find_bottlenecks(objectives: list[dict], obs: Observations, trends: dict, config: PerformanceConfig) -> list[dict]:
    """Run every rule and return findings, most severe and most exceeded first."""
    ctx = Context(objectives, obs, trends, config)
    found = [f for rule in RULES for f in rule(ctx)]
    found += latency(ctx, found)
    found.sort(key=lambda f: (SEVERITIES.index(f["severity"]), -f["impact"], f["id"], f["subject"] or ""))
    return found
