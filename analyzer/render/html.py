"""Self-contained HTML report: score, objectives, findings, recommendations and inline SVG charts."""

from __future__ import annotations

import json
from html import escape

from .charts import line_chart
from .text import json_safe
from .values import STATE_MARK, fmt_criterion, fmt_score, fmt_value

__all__ = ["render_html", "CHARTS"]

CHARTS = (
    ("api_latency_p95", "API latency p95", "seconds", "api_latency_p95"),
    ("request_rate", "Throughput (req/s)", "number", None),
    ("api_error_ratio", "Error rate", "ratio", "api_error_ratio"),
    ("cpu_utilisation", "CPU utilisation", "ratio", "cpu_utilisation"),
    ("memory_utilisation", "Memory utilisation", "ratio", "memory_utilisation"),
    ("disk_utilisation", "Disk space used", "ratio", None),
)

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
.score{font-size:2.4em;font-weight:bold}.verdict-pass{color:#1a7f37}.verdict-warning{color:#9a6700}
.verdict-fail{color:#cf222e}.verdict-no_data{color:#666}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
#objectives td:nth-child(3),#objectives td:nth-child(4){white-space:nowrap}
.state-pass{background:#dafbe1}.state-warning{background:#fff8c5}.state-fail{background:#ffebe9}
.state-no_data{background:#eee}.charts{display:flex;flex-wrap:wrap;gap:12px}
svg.chart{border:1px solid #ddd;background:#fff}.line{fill:none;stroke:#0969da;stroke-width:1.5}
.threshold{stroke:#cf222e;stroke-dasharray:4 3}.axis{stroke:#999}.chart-title{font-size:12px;font-weight:bold}
.tick{font-size:10px;fill:#666}.pt{fill:#0969da;opacity:0}.pt:hover{opacity:1}#tip{position:fixed;
background:#222;color:#fff;padding:2px 6px;font-size:12px;display:none;pointer-events:none}
"""

_JS = """
(function(){var tip=document.getElementById('tip');var charts=document.querySelectorAll('svg.chart');
charts.forEach(function(svg){svg.querySelectorAll('circle.pt').forEach(function(c){
c.addEventListener('mouseenter',function(e){tip.textContent=c.getAttribute('data-label');tip.style.display='block';
tip.style.left=(e.clientX+8)+'px';tip.style.top=(e.clientY+8)+'px';});
c.addEventListener('mouseleave',function(){tip.style.display='none';});});});
document.body.setAttribute('data-charts-ready',String(charts.length));})();
"""


def _objective_rows(report: dict) -> str:
    rows = []
    for o in report["objectives"]:
        rows.append(f'<tr class="state-{o["state"]}"><td>{STATE_MARK[o["state"]]}</td><td>{escape(o["title"])}'
                    f'{" (key)" if o["key"] else ""}</td><td>{escape(fmt_value(o["observed"], o["unit"]))}</td>'
                    f'<td>{escape(fmt_criterion(o))}</td><td>{o["weight"]:g}</td>'
                    f'<td><code>{escape(o["query"])}</code></td></tr>')
    return "".join(rows)


def render_html(report: dict) -> str:
    w = report["window"]
    thresholds = {o["id"]: o["threshold"] for o in report["objectives"]}
    series = report["trends"].get("series", {})
    charts = "".join(line_chart(key, title, series.get(key, []), unit, thresholds.get(th) if th else None)
                     for key, title, unit, th in CHARTS)
    findings = "".join(
        f'<li class="finding sev-{escape(f["severity"])}"><b>{escape(f["severity"])}</b> <code>{escape(f["id"])}</code> '
        f'({escape(f["category"])}): {escape(f["title"])}<br><small><code>{escape(f["evidence"]["query"])}</code></small></li>'
        for f in report["bottlenecks"]) or "<li>None found.</li>"
    recs = "".join(
        f'<tr><td>{r["roi_rank"]}</td><td>{escape(r["priority"])}</td><td>{escape(r["effort"])}</td>'
        f'<td>{escape(r["title"])}</td><td>{escape(r["expected_improvement"])}</td></tr>' for r in report["recommendations"])
    data = json.dumps(json_safe({k: v for k, v in report.items() if k != "trends"})).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>perfstack analysis {escape(w['end'])}</title>
<style>{_CSS}</style></head><body>
<h1>perfstack analysis</h1>
<p>{escape(w['start'])} → {escape(w['end'])} ({escape(w['duration'])})</p>
<div class="score verdict-{escape(report['verdict'])}" id="health-score">{escape(fmt_score(report['system_health_score']))}
 · grade {escape(report['grade'] or 'n/a')} · {escape(report['verdict'])}</div>
<p>Performance score {escape(fmt_score(report['performance_score']))}. {escape(report['capacity']['summary'] or '')}</p>
<h2>Objectives</h2><table id="objectives"><tr><th>State</th><th>Objective</th><th>Observed</th><th>Pass</th>
<th>Weight</th><th>Query</th></tr>{_objective_rows(report)}</table>
<h2>Key series</h2><div class="charts" id="charts">{charts}</div>
<h2>Bottlenecks</h2><ul id="bottlenecks">{findings}</ul>
<h2>Recommendations</h2><table id="recommendations"><tr><th>ROI rank</th><th>Priority</th><th>Effort</th>
<th>Recommendation</th><th>Expected improvement</th></tr>{recs}</table>
<div id="tip"></div>
<script type="application/json" id="report-data">{data}</script>
<script>{_JS}</script>
</body></html>
"""
