"""Do what Grafana does with a dashboard's queries, against a plain Prometheus.

Grafana resolves template variables in order (each ``label_values`` query sees the values
chosen before it), formats multi-value variables as escaped regex alternations, replaces
``$__rate_interval`` and then sends instant or range queries. These pure functions mirror
that (``public/app/plugins/datasource/prometheus``), so a test can tell which panels would
show "No data" or a query error.
"""

from __future__ import annotations

import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["ALL", "regex_escape", "format_variable", "interpolate", "parse_label_values", "rate_interval",
           "Query", "dashboard_queries", "PromClient"]

ALL = "$__all"
_REGEX_SPECIAL = re.compile(r"[$^*{}\[\]'+?.()|]")
_LABEL_VALUES = re.compile(r"^label_values\((?:(?P<selector>.+),\s*)?(?P<label>\w+)\)$")


def regex_escape(value: str) -> str:
    """Escape a value for a ``=~`` matcher as Grafana's ``prometheusSpecialRegexEscape`` does."""
    return _REGEX_SPECIAL.sub(lambda m: "\\\\" + m.group(0), value.replace("\\", "\\\\\\\\"))


def format_variable(variable: dict, selected: list[str], options: list[str]) -> str:
    """Return the text that replaces ``$name`` for the selected values (``[ALL]`` for All)."""
    if selected == [ALL]:
        return variable.get("allValue") or "(" + "|".join(regex_escape(v) for v in options) + ")"
    escaped = [regex_escape(v) for v in selected]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def rate_interval(scrape_seconds: float, interval_seconds: float) -> float:
    """Return Grafana's ``$__rate_interval``: max(interval + scrape, 4 x scrape)."""
    return max(interval_seconds + scrape_seconds, 4 * scrape_seconds)


def interpolate(text: str, values: dict[str, str], *, rate_interval_s: float, interval_s: float,
                range_s: float) -> str:
    """Replace ``$var``/``${var}`` and Grafana's built-in intervals in a query."""
    builtins = {"__rate_interval": f"{rate_interval_s:g}s", "__interval": f"{interval_s:g}s",
                "__range": f"{range_s:g}s"}
    merged = {**values, **builtins}

    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name not in merged:
            raise KeyError(f"undefined variable ${name} in {text!r}")
        return merged[name]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", sub, text)


def parse_label_values(query: str) -> tuple[str | None, str]:
    """Split ``label_values(selector, label)`` into its parts."""
    m = _LABEL_VALUES.match(query.strip())
    if not m:
        raise ValueError(f"not a label_values query: {query!r}")
    return m.group("selector"), m.group("label")


@dataclass(frozen=True, kw_only=True)
class Query:
    """One query a dashboard sends: a panel target or an annotation."""

    where: str
    expr: str
    instant: bool


def dashboard_queries(board: dict) -> Iterator[Query]:
    """Yield every panel target and Prometheus annotation query of a dashboard."""
    for panel in board["panels"]:
        for p in panel.get("panels", []) if panel["type"] == "row" else [panel]:
            for t in p.get("targets", []):
                yield Query(where=f"{board['title']} › {p['title']} ({t['refId']})", expr=t["expr"],
                            instant=bool(t.get("instant")) and not t.get("range"))
    for a in board["annotations"]["list"]:
        if "expr" in a:
            yield Query(where=f"{board['title']} › annotation {a['name']}", expr=a["expr"], instant=False)


class PromClient:
    """The few Prometheus HTTP API calls Grafana makes for a dashboard."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def _get(self, path: str, params: list[tuple[str, str]]) -> dict:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read() or b"{}") or {"status": "error", "error": str(exc)}

    def label_values(self, label: str, selector: str | None, start: float, end: float) -> list[str]:
        params = [("start", f"{start:.3f}"), ("end", f"{end:.3f}")]
        if selector:
            params.append(("match[]", selector))
        body = self._get(f"/api/v1/label/{label}/values", params)
        if body.get("status") != "success":
            raise RuntimeError(f"label_values({selector}, {label}): {body.get('error')}")
        return sorted(body["data"])

    def run(self, expr: str, *, instant: bool, start: float, end: float, step: float) -> tuple[int, str | None]:
        """Return (number of series with at least one finite value, error message or None)."""
        if instant:
            body = self._get("/api/v1/query", [("query", expr), ("time", f"{end:.3f}")])
        else:
            body = self._get("/api/v1/query_range", [("query", expr), ("start", f"{start:.3f}"),
                                                     ("end", f"{end:.3f}"), ("step", f"{step:g}")])
        if body.get("status") != "success":
            return 0, f"{body.get('errorType')}: {body.get('error')}"
        series = body["data"]["result"]
        points = [[s["value"]] if "value" in s else s.get("values", []) for s in series]
        return sum(any(math.isfinite(float(v)) for _, v in pts) for pts in points), None
