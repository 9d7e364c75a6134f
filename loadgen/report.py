"""Build the JSON report — the run's complete, mergeable result — from interval records.

``build_report`` is pure: run metadata + merged records in, document out. ``merge`` and the
HTML/JUnit/terminal renderers all start from this document, so every output agrees.
"""

from __future__ import annotations

from typing import Any

from loadgen.analysis import spike_recovery
from loadgen.profiles import LoadShape, spike_window
from loadgen.summary import Totals, interval_row
from loadgen.thresholds import Threshold, evaluate, parse_threshold

__all__ = ["build_report", "REPORT_FORMAT", "shape_of"]

REPORT_FORMAT = "perfstack-loadgen/1"


def shape_of(run: dict[str, Any]) -> LoadShape:
    """Return the load shape recorded in a report's ``run.config``."""
    cfg = run["config"]
    return LoadShape(name=run.get("profile", ""), stages=tuple((float(d), float(t)) for d, t in cfg["stages"]),
                     open_model=cfg["model"] == "open")


def build_report(run: dict[str, Any], records: list[dict[str, Any]],
                 thresholds: list[Threshold] | None = None) -> dict[str, Any]:
    """Return the report document for ``run`` metadata and its merged interval records.

    ``run.config`` must hold ``stages``, ``model``, ``workers``, ``thresholds`` (expressions) and
    ``schedule_lag_limit_seconds``; thresholds default to the ones recorded there.
    """
    cfg = run["config"]
    if thresholds is None:
        thresholds = [parse_threshold(e) for e in cfg.get("thresholds", [])]
    records = sorted(records, key=lambda r: r["t"])
    totals = Totals()
    for record in records:
        totals.add(record)
    duration = totals.elapsed
    summary = totals.all.summary(duration)
    summary["duration_s"] = round(duration, 3)
    endpoints = {name: {"method": ep.method, **ep.summary(duration)} for name, ep in sorted(totals.endpoints.items())}
    rows = [interval_row(r) for r in records]
    window = spike_window(shape_of(run))
    if window is not None:
        summary["spike"] = spike_recovery(rows, window)
    generator = totals.generator(cfg.get("schedule_lag_limit_seconds", 0.010), cfg.get("workers", 1))
    generator["engine"] = cfg.get("engine", "aiohttp")
    return {
        "run": {**run, "format": REPORT_FORMAT, "saturated": generator["saturated"]},
        "summary": summary,
        "endpoints": endpoints,
        "intervals": rows,
        "thresholds": evaluate(thresholds, summary, endpoints),
        "generator": generator,
        "histograms": {"unit": "us", "significant_figures": 3, "records": records},
    }
