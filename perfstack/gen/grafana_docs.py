"""Render ``docs/dashboards.md`` from the generated dashboards, so the docs list what Grafana shows.

Pure: dashboards in, Markdown out. Thresholds are printed in the panel's unit (70% rather than
0.7), which is how a reader compares them with ``performance_config.yaml``.
"""

from __future__ import annotations

__all__ = ["render_dashboards_doc"]

_HEADER = """\
# Grafana dashboards

Generated from `performance_config.yaml` by `python -m perfstack.generate`
(`perfstack/gen/dashboards.py`); do not edit. `docker compose up` provisions them into the
*perfstack* folder with the Prometheus datasource (uid `{uid}`); the Overview is the home dashboard.
Change a threshold in the config, regenerate, and every line and colour below follows.

Variables: `$job` and `$instance` on every dashboard but the Overview (job only), `$route` on API;
each lists only the jobs that expose that dashboard's metrics. "All" is the regex `.*`.
"""


def _value(v: float, unit: str) -> str:
    if unit == "percentunit":
        return f"{v * 100:g}%"
    if unit == "s":
        return f"{v * 1000:g} ms" if v < 1 else f"{v:g} s"
    if unit == "Bps":
        return f"{v / 1e6:g} MB/s"
    return f"{v:g}"


def _thresholds(panel: dict) -> str:
    defaults = panel["fieldConfig"]["defaults"]
    steps = defaults["thresholds"]["steps"]
    if len(steps) < 2:
        return ""
    return " → ".join([steps[0]["color"]] + [f"{_value(s['value'], defaults['unit'])} {s['color']}" for s in steps[1:]])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_dashboards_doc(boards: dict[str, dict], datasource_uid: str) -> str:
    """Return the Markdown reference for ``boards`` (file stem → dashboard)."""
    out = [_HEADER.format(uid=datasource_uid)]
    for stem, board in boards.items():
        out += [f"## {board['title']}", "", f"`grafana/dashboards/{stem}.json`, uid `{board['uid']}`. "
                f"{board['description']}", ""]
        annotations = [a for a in board["annotations"]["list"] if "expr" in a]
        for a in annotations:
            out += [f"Annotation *{a['name']}*: `{_cell(a['expr'])}`", ""]
        out += ["| Panel | Type | Thresholds | Query |", "|---|---|---|---|"]
        for panel in board["panels"]:
            if panel["type"] == "row":
                out.append(f"| **{_cell(panel['title'])}** | | | |")
                continue
            queries = "<br>".join(f"`{_cell(t['expr'])}`" for t in panel["targets"])
            out.append(f"| {_cell(panel['title'])} | {panel['type']} | {_thresholds(panel)} | {queries} |")
        out.append("")
    return "\n".join(out)
