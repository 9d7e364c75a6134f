"""Capacity of a stepped or ramped run: the highest throughput that kept p95 under its threshold.

Works on the window's throughput, p95 and error-ratio series sampled together; a run whose
throughput never varied by at least 2× cannot say where the knee is, so it reports why instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Point
from .stats import align

__all__ = ["capacity", "MIN_LOAD_SPREAD", "ERROR_ONSET_RATIO"]

MIN_LOAD_SPREAD = 2.0
ERROR_ONSET_RATIO = 0.01


def capacity(throughput: Sequence[Point], p95: Sequence[Point], errors: Sequence[Point], *,
             latency_threshold: float, error_onset_ratio: float = ERROR_ONSET_RATIO) -> dict:
    """Return the ``capacity`` section from aligned series."""
    out = {"available": False, "max_throughput_within_slo": None, "latency_threshold_seconds": latency_threshold,
           "p95_at_capacity": None, "errors_begin_at_throughput": None, "peak_throughput": None, "knee_reached": None, "summary": ""}
    rows = [r for r in align(throughput, p95) if r[1] > 0]
    if len(rows) < 3:
        out["summary"] = "not enough samples with traffic"
        return out
    rates = [r[1] for r in rows]
    out["peak_throughput"] = max(rates)
    if max(rates) < MIN_LOAD_SPREAD * min(rates):
        out["summary"] = "load did not vary enough (need a stepped or ramped run)"
        return out
    out["available"] = True
    within = [r for r in rows if r[2] <= latency_threshold]
    if within:
        best = max(within, key=lambda r: r[1])
        out["max_throughput_within_slo"], out["p95_at_capacity"] = best[1], best[2]
        out["knee_reached"] = len(within) < len(rows)
        if out["knee_reached"]:
            out["summary"] = f"capacity: {best[1]:.0f} req/s at p95 <= {latency_threshold:g} s"
        else:
            # Latency never crossed the threshold, so the run only proves a lower bound.
            out["summary"] = (f"capacity: at least {best[1]:.0f} req/s (p95 stayed <= {latency_threshold:g} s "
                              "at every load reached; push harder to find the knee)")
    else:
        out["summary"] = f"p95 never stayed under {latency_threshold:g} s"
    err_rows = [r for r in align(throughput, errors) if r[1] > 0 and r[2] >= error_onset_ratio]
    if err_rows:
        out["errors_begin_at_throughput"] = min(r[1] for r in err_rows)
        out["summary"] += f"; errors begin at {out['errors_begin_at_throughput']:.0f} req/s"
    return out
