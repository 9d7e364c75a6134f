"""Build Grafana dashboard JSON (as provisioned) from plain dicts.

Pure functions only: each returns a fresh dict shaped like Grafana's own schema
(``../shared/schemas/grafana/dashboard.jsonschema.json``, schemaVersion 41) so the
dashboards module reads as a list of panels, not as JSON plumbing. Panel ids and grid
positions are assigned by :func:`dashboard`, never by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DATASOURCE_UID", "DATASOURCE", "SCHEMA_VERSION", "SCRAPE_INTERVAL", "Step", "steps_above", "steps_below",
    "target", "timeseries", "stat", "table", "row", "query_variable", "dashboard", "annotation",
]

DATASOURCE_UID = "perfstack-prometheus"
"""The provisioned Prometheus datasource's uid; every panel names it so no dashboard needs inputs."""

DATASOURCE = {"type": "prometheus", "uid": DATASOURCE_UID}
SCHEMA_VERSION = 41
"""Dashboard schema version written; Grafana 12 (pinned in docker-compose.yml) loads it without migration."""

SCRAPE_INTERVAL = "15s"
"""The compose Prometheus' ``scrape_interval``: the datasource's ``timeInterval`` (Grafana derives
``$__rate_interval`` from it) and the annotation step."""

GREEN, ORANGE, RED = "green", "orange", "red"


@dataclass(frozen=True, kw_only=True)
class Step:
    """One threshold step: from ``value`` upwards the panel shows ``color``."""

    value: float
    color: str


def _thresholds(base: str, steps: Sequence[Step]) -> dict:
    return {
        "mode": "absolute",
        "steps": [{"value": None, "color": base}] + [{"value": s.value, "color": s.color} for s in steps],
    }


def steps_above(warning: float, critical: float | None = None) -> tuple[str, list[Step]]:
    """Return thresholds for a value that is bad when high (latency, utilisation, error ratio)."""
    steps = [Step(value=warning, color=ORANGE if critical is not None else RED)]
    if critical is not None and critical > warning:
        steps.append(Step(value=critical, color=RED))
    return GREEN, steps


def steps_below(minimum: float) -> tuple[str, list[Step]]:
    """Return thresholds for a value that is bad when low (cache hit ratio, health score)."""
    return RED, [Step(value=minimum, color=GREEN)]


def target(expr: str, legend: str = "", *, ref: str = "A", instant: bool = False, fmt: str = "time_series") -> dict:
    """Return one Prometheus query target (validates against ``prometheus.jsonschema.json``)."""
    t = {
        "datasource": dict(DATASOURCE), "refId": ref, "expr": expr, "editorMode": "code",
        "range": not instant, "instant": instant, "format": fmt,
    }
    if legend:
        t["legendFormat"] = legend
    return t


def _targets(queries: Sequence[tuple[str, str]], instant: bool = False, fmt: str = "time_series") -> list[dict]:
    return [target(expr, legend, ref=chr(ord("A") + i), instant=instant, fmt=fmt)
            for i, (expr, legend) in enumerate(queries)]


def _field_defaults(unit: str, thresholds: tuple[str, list[Step]] | None, *, color_mode: str,
                    minimum: float | None, maximum: float | None, custom: dict | None = None) -> dict:
    base, steps = thresholds if thresholds else (GREEN, [])
    defaults = {"unit": unit, "color": {"mode": color_mode}, "thresholds": _thresholds(base, steps),
                "mappings": []}
    if minimum is not None:
        defaults["min"] = minimum
    if maximum is not None:
        defaults["max"] = maximum
    if custom is not None:
        defaults["custom"] = custom
    return {"defaults": defaults, "overrides": []}


def _panel(kind: str, title: str, description: str, targets: list[dict], field_config: dict, options: dict,
           width: int, height: int) -> dict:
    return {
        "type": kind, "title": title, "description": description, "datasource": dict(DATASOURCE),
        "targets": targets, "fieldConfig": field_config, "options": options,
        "gridPos": {"h": height, "w": width, "x": 0, "y": 0},
    }


def timeseries(title: str, queries: Sequence[tuple[str, str]], *, unit: str = "short", description: str = "",
               thresholds: tuple[str, list[Step]] | None = None, minimum: float | None = 0,
               maximum: float | None = None, width: int = 12, height: int = 8, stack: bool = False) -> dict:
    """Return a time series panel; ``thresholds`` are drawn as dashed lines on the graph."""
    custom = {
        "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never", "spanNulls": False,
        "thresholdsStyle": {"mode": "dashed" if thresholds else "off"},
        "stacking": {"mode": "normal" if stack else "none", "group": "A"},
    }
    field_config = _field_defaults(unit, thresholds, color_mode="palette-classic", minimum=minimum,
                                   maximum=maximum, custom=custom)
    options = {
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True, "calcs": []},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    return _panel("timeseries", title, description, _targets(queries), field_config, options, width, height)


def stat(title: str, expr: str, *, unit: str = "short", description: str = "",
         thresholds: tuple[str, list[Step]] | None = None, minimum: float | None = None,
         maximum: float | None = None, width: int = 4, height: int = 4, legend: str = "") -> dict:
    """Return a stat panel whose background takes the colour of the threshold the value is in."""
    field_config = _field_defaults(unit, thresholds, color_mode="thresholds", minimum=minimum, maximum=maximum)
    options = {
        "graphMode": "area", "colorMode": "background", "justifyMode": "auto", "textMode": "auto",
        "wideLayout": True, "showPercentChange": False, "percentChangeColorMode": "standard",
        "orientation": "auto", "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
    }
    return _panel("stat", title, description, _targets([(expr, legend)]), field_config, options, width, height)


def table(title: str, expr: str, *, description: str = "", width: int = 24, height: int = 8) -> dict:
    """Return a table of an instant query's series (one row per series, labels as columns)."""
    field_config = _field_defaults("short", None, color_mode="thresholds", minimum=None, maximum=None)
    options = {"frameIndex": 0, "showHeader": True, "cellHeight": "sm",
               "footer": {"show": False, "reducer": ["sum"], "countRows": False}}
    return _panel("table", title, description, _targets([(expr, "")], instant=True, fmt="table"),
                  field_config, options, width, height)


def row(title: str) -> dict:
    """Return a row header; :func:`dashboard` gives it the full width."""
    return {"type": "row", "title": title, "collapsed": False, "panels": [],
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0}}


def query_variable(name: str, label: str, metric_selector: str, *, description: str = "") -> dict:
    """Return a multi-select ``label_values`` variable whose "All" means the regex ``.*``."""
    query = f"label_values({metric_selector}, {name})"
    return {
        "type": "query", "name": name, "label": label, "description": description or f"Filter by {name}.",
        "datasource": dict(DATASOURCE), "query": query, "definition": query, "refresh": 2, "sort": 1, "multi": True, "includeAll": True, "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "options": [], "regex": "",
        "hide": 0, "skipUrlSync": False,
    }


def annotation(name: str, expr: str, *, title: str, text: str, tags: str, color: str = "blue") -> dict:
    """Return a Prometheus annotation: each series becomes a region while its value is present."""
    return {
        "name": name, "datasource": dict(DATASOURCE), "enable": True, "hide": False, "iconColor": color,
        "expr": expr, "titleFormat": title, "textFormat": text, "tagKeys": tags, "step": SCRAPE_INTERVAL,
        "useValueForTime": False,
    }


def _builtin_annotation() -> dict:
    return {
        "name": "Annotations & Alerts", "builtIn": 1, "enable": True, "hide": True,
        "iconColor": "rgba(0, 211, 255, 1)", "type": "dashboard",
        "datasource": {"type": "grafana", "uid": "-- Grafana --"},
        "target": {"limit": 100, "matchAny": False, "tags": [], "type": "dashboard"},
    }


def _layout(panels: Sequence[dict]) -> list[dict]:
    """Assign ids and flow panels left to right, wrapping at 24 columns; rows start a new line."""
    out, x, y, line_height = [], 0, 0, 0
    for panel_id, src in enumerate(panels, start=1):
        p = dict(src, id=panel_id, gridPos=dict(src["gridPos"]))
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if p["type"] == "row" or x + w > 24:
            x, y, line_height = 0, y + line_height, 0
        p["gridPos"].update(x=x, y=y)
        x, line_height = x + w, max(line_height, h)
        if p["type"] == "row":
            x, y, line_height = 0, y + h, 0
        out.append(p)
    return out


def dashboard(*, uid: str, title: str, description: str, tags: Sequence[str], panels: Sequence[dict],
              variables: Sequence[dict], annotations: Sequence[dict] = (), time_from: str = "now-1h") -> dict:
    """Return a complete provisioned dashboard (no ``id``, no ``__inputs``)."""
    return {
        "uid": uid, "title": title, "description": description, "tags": list(tags),
        "timezone": "browser", "editable": True, "graphTooltip": 1, "liveNow": False, "refresh": "10s",
        "schemaVersion": SCHEMA_VERSION, "version": 1, "fiscalYearStartMonth": 0, "weekStart": "",
        "time": {"from": time_from, "to": "now"},
        "timepicker": {"refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m"]},
        "templating": {"list": list(variables)},
        "annotations": {"list": [_builtin_annotation(), *annotations]},
        "links": [{"title": "perfstack", "type": "dashboards", "icon": "external link", "tooltip": "",
                   "tags": ["perfstack"], "asDropdown": True, "targetBlank": False, "includeVars": True,
                   "keepTime": True}],
        "panels": _layout(panels),
    }
