"""Recommendations from a catalog keyed by bottleneck id, quantified from each finding's evidence.

Each catalog entry names the remedy, its effort (S/M/L) and a function that turns the finding's
evidence into an expected improvement (a sentence and a 0-1 gain). ROI is gain ÷ effort cost;
the list is deduplicated by remedy (keeping its most urgent cause) and ordered by priority, then
ROI. The seed spec's categories (scaling, load balancing, pools, caching, indexes, compression,
pagination, rate limiting, async I/O, memory and GC) are all here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .bottlenecks import SEVERITIES

__all__ = ["Remedy", "CATALOG", "REMEDIES_BY_BOTTLENECK", "EFFORT_COST", "recommend"]

EFFORT_COST = {"S": 1.0, "M": 2.0, "L": 4.0}
Estimate = Callable[[dict], tuple[str, float]]


@dataclass(frozen=True, kw_only=True)
class Remedy:
    """One catalog entry."""

    id: str
    title: str
    category: str
    effort: str
    estimate: Estimate


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _ev(f: dict, key: str = "observed") -> float | None:
    return f["evidence"].get(key)


def _reduction(f: dict) -> tuple[str, float]:
    obs, thr = _ev(f), _ev(f, "threshold")
    if not obs or not thr or obs <= thr:
        return "brings the metric back under its threshold", 0.2
    return f"a {_pct(1 - thr / obs)} reduction brings {obs:.3g} back to the {thr:.3g} threshold", 1 - thr / obs


def _scale_out(f: dict) -> tuple[str, float]:
    obs, thr = _ev(f), _ev(f, "threshold")
    if not obs or not thr:
        return "spreads load over more instances", 0.3
    factor = obs / thr
    return (f"utilisation {_pct(obs)} → ≤ {_pct(thr)} with {factor:.2f}× the capacity "
            f"(e.g. {max(2, int(-(-factor // 1)))} instances behind a load balancer)", 1 - thr / obs)


def _cache_gain(f: dict) -> tuple[str, float]:
    hit, target = _ev(f), _ev(f, "threshold")
    if hit is None or not target or hit >= 1:
        return "more requests served from the cache", 0.2
    gain = min(0.9, 1 - (1 - target) / (1 - hit))
    return f"p95 −{_pct(gain)} if the cache hit ratio reaches {_pct(target)} (misses {_pct(1 - hit)} → {_pct(1 - target)})", gain


def _db_gain(f: dict) -> tuple[str, float]:
    obs, thr, share = _ev(f), _ev(f, "threshold"), _ev(f, "db_time_share")
    if not obs or not thr or obs <= thr:
        gain = 0.3 * (share or 0.5)
        return f"request time −{_pct(gain)} from fewer and cheaper queries", gain
    gain = (share if share is not None else 1.0) * (1 - thr / obs)
    return f"request time −{_pct(gain)} if DB p95 falls from {1000 * obs:.0f} ms to {1000 * thr:.0f} ms", gain


def _cache_results(f: dict) -> tuple[str, float]:
    if f["id"] == "low_cache_hit_ratio":
        return _cache_gain(f)
    share = _ev(f, "db_time_share")
    if share is None:
        return "repeated reads served from memory instead of the database", 0.2
    gain = share * 0.5
    return f"request time −{_pct(gain)} if half of the database time ({_pct(share)} of request time) is served from a cache", gain


def _route_gain(f: dict) -> tuple[str, float]:
    share = _ev(f) or 0.0
    return f"removes up to {_pct(share)} of the slow requests (route {f['subject']})", share


def _route_errors(f: dict) -> tuple[str, float]:
    share, overall = _ev(f, "error_share") or 0.0, _ev(f, "overall_error_ratio") or 0.0
    return (f"error rate {_pct(overall)} → {100 * overall * (1 - share):.1f} % by fixing route {f['subject']} "
            f"({_pct(share)} of errors)", share)


def _const(text: str, gain: float) -> Estimate:
    return lambda f: (text, gain)


CATALOG = {r.id: r for r in (
    Remedy(id="scale_out", title="Scale out and load-balance the service", category="infrastructure", effort="M",
           estimate=_scale_out),
    Remedy(id="profile_hot_paths", title="Profile and optimise the hottest code paths (algorithms, serialisation)",
           category="code", effort="M", estimate=_const("typically −20 % to −40 % CPU per request", 0.3)),
    Remedy(id="memory_gc", title="Reduce memory: bound in-process caches, fix leaks, tune GC", category="code",
           effort="M", estimate=_reduction),
    Remedy(id="add_memory", title="Give the host more memory", category="infrastructure", effort="S",
           estimate=_reduction),
    Remedy(id="reduce_disk_io", title="Cut disk I/O: batch writes, move hot files to memory, faster storage",
           category="infrastructure", effort="M", estimate=_reduction),
    Remedy(id="compression", title="Compress responses (gzip/brotli) and trim payloads", category="api", effort="S",
           estimate=_const("network I/O −60 % to −80 % for JSON/HTML payloads", 0.6)),
    Remedy(id="pagination", title="Paginate large list responses", category="api", effort="M",
           estimate=_const("response size and latency of list endpoints bounded by page size", 0.3)),
    Remedy(id="db_indexes", title="Add indexes and tune the slowest queries", category="database", effort="M",
           estimate=_db_gain),
    Remedy(id="connection_pool", title="Size connection pools and set query/connect timeouts", category="database",
           effort="S", estimate=_const("removes queueing for connections; bounds worst-case waits", 0.2)),
    Remedy(id="cache_tuning", title="Tune the cache: TTLs, key design, warm-up, size", category="caching", effort="S",
           estimate=_cache_gain),
    Remedy(id="redis_cache", title="Cache read-heavy results in Redis or an application cache", category="caching",
           effort="M", estimate=_cache_results),
    Remedy(id="http_caching", title="Add HTTP caching (Cache-Control, ETag) for cacheable routes", category="api",
           effort="S", estimate=_const("repeat requests served without hitting the service", 0.2)),
    Remedy(id="optimise_route", title="Optimise the slow route (queries, payload, blocking calls)", category="api",
           effort="M", estimate=_route_gain),
    Remedy(id="async_io", title="Make blocking I/O asynchronous and run independent calls concurrently",
           category="code", effort="M", estimate=_const("latency of I/O-bound requests −30 % to −50 %", 0.35)),
    Remedy(id="fix_route_errors", title="Fix the failing route", category="api", effort="S", estimate=_route_errors),
    Remedy(id="rate_limiting", title="Rate-limit and shed load before the service overloads", category="api",
           effort="S", estimate=_const("overload errors become fast 429s; the rest keep their latency", 0.3)),
    Remedy(id="error_handling", title="Find and fix the top error causes (logs by route and status)",
           category="code", effort="M", estimate=_reduction),
    Remedy(id="timeouts_retries", title="Set client/server timeouts and retry budgets; pool upstream connections",
           category="api", effort="S", estimate=_reduction),
    Remedy(id="redundancy", title="Run redundant instances with health checks", category="infrastructure",
           effort="M", estimate=_const("single-instance outages no longer reach users", 0.5)),
    Remedy(id="scale_generator", title="Give the load generator more CPU or workers (or use the open-model engine)",
           category="infrastructure", effort="S",
           estimate=_const("the generator keeps its schedule, so results reflect the system", 0.5)),
    Remedy(id="bisect_regression", title="Compare deployments and config between the baseline and now",
           category="code", effort="S", estimate=_const("restores the baseline behaviour", 0.5)),
    Remedy(id="disk_cleanup", title="Free or grow disk space; rotate logs and expire old data",
           category="infrastructure", effort="S", estimate=_const("restores headroom before the disk fills", 0.5)),
)}

REMEDIES_BY_BOTTLENECK = {
    "cpu_saturation": ("scale_out", "profile_hot_paths"),
    "memory_pressure": ("memory_gc", "add_memory"),
    "memory_exhaustion_predicted": ("memory_gc", "add_memory"),
    "disk_io_saturation": ("reduce_disk_io",),
    "disk_exhaustion_predicted": ("disk_cleanup",),
    "network_io_saturation": ("compression", "pagination"),
    "slow_database": ("db_indexes", "connection_pool", "redis_cache"),
    "low_cache_hit_ratio": ("cache_tuning", "redis_cache", "http_caching"),
    "slow_route": ("optimise_route", "pagination", "http_caching"),
    "error_hotspot_route": ("fix_route_errors", "rate_limiting"),
    "api_error_rate_high": ("error_handling", "rate_limiting"),
    "request_timeouts": ("timeouts_retries", "connection_pool"),
    "targets_down": ("redundancy",),
    "generator_saturated": ("scale_generator",),
    "api_latency_high": ("async_io", "profile_hot_paths", "http_caching"),
    "latency_p95_regression": ("bisect_regression",),
    "error_ratio_regression": ("bisect_regression",),
    "request_rate_regression": ("bisect_regression",),
    "cpu_utilisation_regression": ("bisect_regression", "profile_hot_paths"),
}


def recommend(findings: list[dict]) -> list[dict]:
    """Return deduplicated recommendations for ``findings``, most urgent and best ROI first."""
    best: dict[str, dict] = {}
    for f in findings:
        for rid in REMEDIES_BY_BOTTLENECK.get(f["id"], ()):
            remedy = CATALOG[rid]
            text, gain = remedy.estimate(f)
            gain = max(0.0, min(1.0, gain))
            rec = {"id": rid, "title": remedy.title, "category": remedy.category, "priority": f["severity"],
                   "expected_improvement": text, "estimated_gain": round(gain, 3), "effort": remedy.effort,
                   "roi": round(gain / EFFORT_COST[remedy.effort], 3), "addresses": [f["id"]]}
            old = best.get(rid)
            if old is None:
                best[rid] = rec
                continue
            if f["id"] not in old["addresses"]:
                old["addresses"].append(f["id"])
            if (SEVERITIES.index(rec["priority"]), -rec["roi"]) < (SEVERITIES.index(old["priority"]), -old["roi"]):
                rec["addresses"] = old["addresses"]
                best[rid] = rec
    ordered = sorted(best.values(), key=lambda r: (SEVERITIES.index(r["priority"]), -r["roi"], r["id"]))
    by_roi = sorted(ordered, key=lambda r: (-r["roi"], r["id"]))
    ranks = {r["id"]: i + 1 for i, r in enumerate(by_roi)}
    for r in ordered:
        r["roi_rank"] = ranks[r["id"]]
    return ordered
