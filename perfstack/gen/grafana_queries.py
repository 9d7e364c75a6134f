"""PromQL snippets shared by the dashboards: label selectors and histogram quantiles.

Selectors use Grafana's template variables (``$job``, ``$instance``, ``$route``) with regex
matchers, so "All" (``.*``) and multi-select values both work. Range functions use
``$__rate_interval`` so a panel never asks for a window shorter than four scrapes.
"""

from __future__ import annotations

__all__ = ["JOB", "JOB_INSTANCE", "ROUTE", "RATE", "rate", "quantile", "ratio_or_zero"]

JOB = 'job=~"$job"'
JOB_INSTANCE = 'job=~"$job", instance=~"$instance"'
ROUTE = 'job=~"$job", instance=~"$instance", route=~"$route"'
RATE = "$__rate_interval"


def rate(series: str, selector: str, by: str = "") -> str:
    """Return ``sum [by (...)] (rate(series{selector}[$__rate_interval]))``."""
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (rate({series}{{{selector}}}[{RATE}]))"


def quantile(q: float, histogram: str, selector: str, by: str = "") -> str:
    """Return the ``q`` quantile of a classic histogram, optionally per ``by`` label(s)."""
    labels = f"le, {by}" if by else "le"
    return f"histogram_quantile({q}, {rate(histogram + '_bucket', selector, labels)})"


def ratio_or_zero(series: str, part_selector: str, whole_selector: str, by: str = "") -> str:
    """Return part/whole of a counter's rate that shows 0 (not "No data") when the part never happened."""
    part, whole = rate(series, part_selector, by), rate(series, whole_selector, by)
    return f"({part} or ({whole} * 0)) / {whole}"
