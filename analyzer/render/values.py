"""Human formatting of observed values by unit, shared by every renderer."""

from __future__ import annotations

import math

__all__ = ["fmt_value", "fmt_score", "fmt_criterion", "STATE_MARK"]

STATE_MARK = {"pass": "PASS", "warning": "WARN", "fail": "FAIL", "no_data": "no data"}


def fmt_value(value: float | None, unit: str) -> str:
    """Return '412 ms', '3.2 %', '12.5 MB/s'; '+Inf' and 'no data' where they apply."""
    if value is None:
        return "no data"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if unit == "seconds":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "ratio":
        return f"{value * 100:.1f} %" if value < 0.9995 or value >= 1 else f"{value * 100:.2f} %"
    if unit == "bytes_per_second":
        return f"{value / 1e6:.1f} MB/s"
    return f"{value:.3g}"


def fmt_score(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.0f}/100"


def fmt_criterion(objective: dict, key: str = "threshold") -> str:
    """Return '<= 1000 ms' or '>= 80.0 %' for an objective's pass (or warning) threshold."""
    op = "<=" if objective["pass_criterion"].startswith("<=") else ">="
    return f"{op} {fmt_value(objective[key], objective['unit'])}"
