"""perfstack analyzer: health score, bottlenecks, trends and recommendations from PromQL.

A pure core (:func:`analyze` on :class:`Observations`) fed by a thin PromQL adapter
(:class:`PromClient` + :func:`collect`); :class:`OptimizationAnalyzer` is the seed spec's API.
"""

from __future__ import annotations

from .api import OptimizationAnalyzer
from .collect import collect
from .model import Observations, RouteStat, Window
from .promql import PromAuth, PromClient, PrometheusUnreachable, PromQLError
from .render import render
from .report import REPORT_KEYS, analyze
from .runner import AnalysisRequest, analyze_prometheus

__all__ = [
    "OptimizationAnalyzer", "analyze", "analyze_prometheus", "AnalysisRequest", "collect", "render", "REPORT_KEYS",
    "Observations", "RouteStat", "Window", "PromClient", "PromAuth", "PromQLError", "PrometheusUnreachable",
]
