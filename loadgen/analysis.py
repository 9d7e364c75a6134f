"""Derived findings about a run that need the whole timeline: recovery after a spike.

Pure functions over ``intervals`` rows, so they work the same on live, finished and merged runs.
"""

from __future__ import annotations

from statistics import median
from typing import Any

__all__ = ["spike_recovery"]


def spike_recovery(rows: list[dict[str, Any]], window: tuple[float, float], *, tolerance: float = 0.2,
                   slack_ms: float = 1.0) -> dict[str, Any]:
    """Return how long after the spike ended p95 and the error ratio came back to the pre-spike baseline.

    The baseline is the median interval p95 and the overall error ratio before the spike; an
    interval after the spike has *recovered* when its p95 is within ``tolerance`` (plus
    ``slack_ms``) of it and its error ratio within one percentage point. ``recovery_s`` is None
    when that never happened before the run ended.
    """
    spike_start, spike_end = window
    before = [r for r in rows if r["t"] + 1e-9 >= 0 and r["t"] < spike_start and r["requests"] and r["p95"] is not None]
    after = [r for r in rows if r["t"] >= spike_end - 1e-9 and r["requests"]]
    result: dict[str, Any] = {"spike_start_s": spike_start, "spike_end_s": spike_end, "baseline_p95_ms": None,
                              "recovery_s": None}
    if not before:
        return result
    base_p95 = median(r["p95"] for r in before)
    base_err = sum(r["errors"] for r in before) / max(1, sum(r["requests"] for r in before))
    result["baseline_p95_ms"] = round(base_p95, 3)
    for row in after:
        err = row["errors"] / row["requests"]
        if row["p95"] is not None and row["p95"] <= base_p95 * (1 + tolerance) + slack_ms and err <= base_err + 0.01:
            result["recovery_s"] = round(max(0.0, row["t"] - spike_end), 3)
            break
    return result
