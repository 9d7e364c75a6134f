"""Merge reports of concurrent runs (workers, machines) into one, exactly.

Records with the same interval index are merged histogram by histogram, then the report is
rebuilt, so the merged percentiles are those of all requests, not an average of percentiles.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from loadgen.report import REPORT_FORMAT, build_report
from loadgen.stats import merge_records

__all__ = ["merge_reports", "ReportError", "check_report"]


class ReportError(ValueError):
    """A file is not a loadgen JSON report; ``str()`` is one line."""


def check_report(doc: Any, source: str) -> dict[str, Any]:
    """Return ``doc`` if it looks like a loadgen report, else raise :class:`ReportError`."""
    if not isinstance(doc, dict) or not isinstance(doc.get("run"), dict) or not isinstance(doc.get("histograms"), dict):
        raise ReportError(f"{source}: not a loadgen JSON report (expected keys run, summary, histograms)")
    if doc["run"].get("format") != REPORT_FORMAT:
        raise ReportError(f"{source}: run.format: expected {REPORT_FORMAT!r}, got {doc['run'].get('format')!r}")
    return doc


def merge_reports(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return one report covering every request of ``docs`` (aligned by interval index)."""
    if not docs:
        raise ReportError("nothing to merge")
    by_t: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        for record in doc["histograms"]["records"]:
            by_t[record["t"]].append(record)
    records = [merge_records(by_t[t]) for t in sorted(by_t)]
    first = docs[0]["run"]
    exprs: list[str] = []
    for doc in docs:
        for expr in doc["run"]["config"].get("thresholds", []):
            if expr not in exprs:
                exprs.append(expr)
    config = {**first["config"], "thresholds": exprs,
              "workers": sum(d["run"]["config"].get("workers", 1) for d in docs)}
    run = {
        **{k: v for k, v in first.items() if k not in ("format", "saturated")},
        "id": "+".join(d["run"]["id"] for d in docs),
        "start": min(d["run"]["start"] for d in docs),
        "end": max(d["run"]["end"] for d in docs),
        "interrupted": any(d["run"].get("interrupted") for d in docs),
        "merged_from": [d["run"]["id"] for d in docs],
        "config": config,
    }
    return build_report(run, records)
