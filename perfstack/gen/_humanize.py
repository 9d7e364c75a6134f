"""Prometheus' template ``humanize*`` functions, and a renderer for the annotation subset we use.

The promtool unit tests must state every expected annotation exactly, so the generator renders
``{{ $value | humanizePercentage }}`` and friends the way Prometheus 2.x does (Go ``%.4g``).
Thresholds in summaries are rendered with the same functions so they read alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

__all__ = ["humanize", "humanize_duration", "humanize_percentage", "render_annotation", "FILTERS"]


def _g4(value: float) -> str:
    return f"{value:.4g}"


def humanize(value: float) -> str:
    """Return ``value`` with an SI prefix: 52430000 → '52.43M' (Prometheus ``humanize``)."""
    if value == 0 or math.isnan(value) or math.isinf(value):
        return _g4(value)
    prefix = ""
    if abs(value) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(value) < 1000:
                break
            prefix, value = p, value / 1000
        return f"{_g4(value)}{prefix}"
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(value) >= 1:
            break
        prefix, value = p, value * 1000
    return f"{_g4(value)}{prefix}"


def humanize_duration(value: float) -> str:
    """Return seconds as '1.5s', '250ms' or '2h 5m 0s' (Prometheus ``humanizeDuration``)."""
    if math.isnan(value) or math.isinf(value):
        return _g4(value)
    if value == 0:
        return f"{_g4(value)}s"
    if abs(value) >= 1:
        sign = "-" if value < 0 else ""
        value = abs(value)
        whole = int(value)
        seconds, minutes = whole % 60, (whole // 60) % 60
        hours, days = (whole // 3600) % 24, whole // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{_g4(value)}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(value) >= 1:
            break
        prefix, value = p, value * 1000
    return f"{_g4(value)}{prefix}s"


def humanize_percentage(value: float) -> str:
    """Return a 0-1 ratio as a percentage: 0.1234 → '12.34%' (Prometheus ``humanizePercentage``)."""
    return f"{_g4(value * 100)}%"


FILTERS: Mapping[str, Callable[[float], str]] = {
    "humanize": humanize, "humanizeDuration": humanize_duration, "humanizePercentage": humanize_percentage,
}

_ACTION = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def render_annotation(template: str, labels: Mapping[str, str], value: float) -> str:
    """Render the subset of Go templates our annotations use: ``$labels.x`` and ``$value | f``.

    Anything else raises ``ValueError``, so an annotation that only Prometheus could render
    cannot slip into the rules without its unit test noticing.
    """

    def action(match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith("$labels."):
            return labels.get(body[len("$labels."):], "")
        parts = [p.strip() for p in body.split("|")]
        if parts[0] == "$value" and len(parts) == 2 and parts[1] in FILTERS:
            return FILTERS[parts[1]](value)
        if parts == ["$value"]:
            return repr(value)
        raise ValueError(f"unsupported template action {{{{ {body} }}}}")

    return _ACTION.sub(action, template)
