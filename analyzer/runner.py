"""Glue one analysis together: resolve the window, collect over PromQL, run the pure core."""

from __future__ import annotations

from dataclasses import dataclass

from perfstack.cli import UsageError
from perfstack.config import PerformanceConfig

from .collect import collect, run_window
from .model import Window
from .promql import PromClient
from .report import analyze

__all__ = ["AnalysisRequest", "resolve_window", "analyze_prometheus", "min_window_seconds"]


def min_window_seconds(scrape_interval_seconds: float) -> float:
    """Return the shortest window whose rate() holds enough samples: four scrape intervals."""
    return 4.0 * scrape_interval_seconds


@dataclass(frozen=True, kw_only=True)
class AnalysisRequest:
    """What to analyse: a window ending at ``end`` (or a load-test run) and which app job."""

    end: float
    window_seconds: float
    baseline_offset_seconds: float
    job: str | None = None
    run_id: str | None = None
    scrape_interval_seconds: float = 15.0


def resolve_window(client: PromClient, req: AnalysisRequest) -> Window:
    """Return the window, looking up the run's first and last ``loadgen_run_info`` samples if asked."""
    if req.run_id is None:
        return Window(start=req.end - req.window_seconds, end=req.end,
                      baseline_offset_seconds=req.baseline_offset_seconds)
    found = run_window(client, req.run_id, req.end)
    if found is None:
        raise UsageError(f"no loadgen_run_info samples with run_id={req.run_id!r} in the 7 days before the end time")
    first, last = found
    return Window(start=min(first, last - min_window_seconds(req.scrape_interval_seconds)), end=last,
                  baseline_offset_seconds=req.baseline_offset_seconds, run_id=req.run_id)


def analyze_prometheus(client: PromClient, config: PerformanceConfig, req: AnalysisRequest) -> dict:
    """Run one full analysis against Prometheus and return the report dict."""
    window = resolve_window(client, req)
    obs = collect(client, window, job=req.job, latency_threshold=config.api.latency_p95_seconds,
                  scrape_interval_seconds=req.scrape_interval_seconds)
    return analyze(obs, config)
