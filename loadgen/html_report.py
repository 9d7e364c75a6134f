"""Render a report as one self-contained HTML page: inline CSS, data and an SVG chart script.

No CDN, no external file: the page works offline and in CI artifacts. Tables are rendered here
(escaped); the three time-series charts are drawn in the browser from the embedded data.
"""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["render_html"]

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}.ok{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}
.banner{background:#fff3cd;border:1px solid #d4a72c;padding:8px;margin:8px 0}
.chart{display:block;margin:8px 0;background:#fff;border:1px solid #ddd}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
"""

_JS = r"""
(function(){
var D=JSON.parse(document.getElementById('report-data').textContent);
var NS='http://www.w3.org/2000/svg';
function el(n,a,p){var e=document.createElementNS(NS,n);for(var k in a)e.setAttribute(k,a[k]);if(p)p.appendChild(e);return e;}
function chart(id,title,series,unit){
  var W=1000,H=240,L=60,R=10,T=24,B=30;var host=document.getElementById(id);
  var svg=el('svg',{'class':'chart','width':W,'height':H,'viewBox':'0 0 '+W+' '+H,'data-chart':id},host);
  el('text',{x:L,y:16,'font-size':13,'font-weight':'bold'},svg).textContent=title;
  var xs=D.t,tmax=Math.max(D.total,xs.length?xs[xs.length-1]+1:1),ymax=0;
  series.forEach(function(s){s.values.forEach(function(v){if(v!==null&&v>ymax)ymax=v;});});
  if(ymax<=0)ymax=1;ymax*=1.1;
  function X(t){return L+(W-L-R)*t/tmax;}function Y(v){return T+(H-T-B)*(1-v/ymax);}
  el('line',{x1:L,y1:H-B,x2:W-R,y2:H-B,stroke:'#888'},svg);el('line',{x1:L,y1:T,x2:L,y2:H-B,stroke:'#888'},svg);
  for(var i=0;i<=4;i++){var v=ymax*i/4;el('text',{x:L-4,y:Y(v)+4,'font-size':10,'text-anchor':'end'},svg).textContent=(v<10?v.toFixed(1):Math.round(v))+unit;
    el('line',{x1:L,y1:Y(v),x2:W-R,y2:Y(v),stroke:'#eee'},svg);}
  for(var j=0;j<=5;j++){var tt=tmax*j/5;el('text',{x:X(tt),y:H-12,'font-size':10,'text-anchor':'middle'},svg).textContent=tt.toFixed(0)+'s';}
  D.stages.forEach(function(b,k){if(k===0)return;el('line',{'class':'stage-boundary',x1:X(b),y1:T,x2:X(b),y2:H-B,stroke:'#999','stroke-dasharray':'4 3'},svg);});
  series.forEach(function(s){var pts=[];s.values.forEach(function(v,k){if(v!==null)pts.push(X(xs[k]+D.half).toFixed(1)+','+Y(v).toFixed(1));});
    el('polyline',{'class':'series','data-series':s.name,points:pts.join(' '),fill:'none',stroke:s.color,'stroke-width':2},svg);});
  var lg=document.createElement('div');lg.className='legend';
  series.forEach(function(s){var sp=document.createElement('span');sp.innerHTML='<i style="background:'+s.color+'"></i>';sp.appendChild(document.createTextNode(s.name));lg.appendChild(sp);});
  host.appendChild(lg);
}
chart('chart-rps','Throughput (requests/s)',[{name:'rps',color:'#0969da',values:D.rps}].concat(D.open?[{name:'target rate',color:'#999',values:D.target}]:[]),'');
chart('chart-latency','Latency per interval (ms)',[{name:'p50',color:'#1a7f37',values:D.p50},{name:'p95',color:'#d4a72c',values:D.p95},{name:'p99',color:'#cf222e',values:D.p99}],'');
chart('chart-errors','Failed requests per interval',[{name:'errors',color:'#cf222e',values:D.errors}],'');
document.body.setAttribute('data-charts-rendered','3');
})();
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def _endpoint_rows(doc: dict[str, Any]) -> str:
    rows = []
    for name, ep in [("(all)", doc["summary"]), *doc["endpoints"].items()]:
        lat, unc = ep["latency_ms"], ep["latency_uncorrected_ms"]
        errors = ", ".join(f"{k}: {v}" for k, v in ep.get("errors", {}).items()) or "-"
        cells = [ep["requests"], ep["failures"], f"{ep['error_rate']:.2%}", _fmt(ep["rps"]), _fmt(lat["p50"]),
                 _fmt(lat["p95"]), _fmt(lat["p99"]), _fmt(lat["max"]), _fmt(unc["p99"])]
        rows.append(f"<tr><td class=l>{html.escape(name)}</td>{''.join(f'<td>{html.escape(str(c))}</td>' for c in cells)}"
                    f"<td class=l>{html.escape(errors)}</td></tr>")
    return "\n".join(rows)


def _threshold_rows(doc: dict[str, Any]) -> str:
    rows = []
    for th in doc["thresholds"]:
        verdict = '<span class="ok">pass</span>' if th["ok"] else '<span class="fail">FAIL</span>'
        rows.append(f"<tr><td class=l>{html.escape(th['expr'])}</td><td>{html.escape(_fmt(th['observed']))}</td>"
                    f"<td>{verdict}</td></tr>")
    return "\n".join(rows) or '<tr><td class=l colspan=3>no thresholds</td></tr>'


def _chart_data(doc: dict[str, Any]) -> dict[str, Any]:
    rows = doc["intervals"]
    stages, start = [], 0.0
    for duration, _ in doc["run"]["config"]["stages"]:
        stages.append(start)
        start += duration
    return {
        "t": [r["t"] for r in rows], "rps": [r["rps"] for r in rows], "target": [r["target_rate"] for r in rows],
        "p50": [r["p50"] for r in rows], "p95": [r["p95"] for r in rows], "p99": [r["p99"] for r in rows],
        "errors": [r["errors"] for r in rows], "stages": stages, "total": max(start, doc["summary"]["duration_s"]),
        "open": doc["run"]["config"]["model"] == "open",
        "half": doc["run"]["config"].get("interval_s", 1.0) / 2,  # plot each interval at its middle
    }


def render_html(doc: dict[str, Any]) -> str:
    """Return the self-contained HTML page for a report document."""
    run, s, g = doc["run"], doc["summary"], doc["generator"]
    data = json.dumps(_chart_data(doc)).replace("</", "<\\/")
    banners = []
    if g["saturated"]:
        banners.append(f"generator saturated: schedule lag p99 {_fmt(g['schedule_lag_ms']['p99'])} ms is above "
                       f"{_fmt(g['schedule_lag_limit_ms'])} ms, so latencies include the generator's own delay")
    if run.get("interrupted"):
        banners.append("run interrupted: the figures cover what was measured before the stop")
    spike = s.get("spike")
    spike_html = ""
    if spike:
        rec = spike["recovery_s"]
        spike_html = (f"<p>Spike from {_fmt(spike['spike_start_s'])} s to {_fmt(spike['spike_end_s'])} s; "
                      f"recovery time: <b>{'not reached' if rec is None else _fmt(rec) + ' s'}</b> "
                      f"(baseline p95 {_fmt(spike['baseline_p95_ms'])} ms).</p>")
    title = f"loadgen report {run['id']}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>profile <b>{html.escape(str(run['profile']))}</b> against <code>{html.escape(run['base_url'])}</code>,
{html.escape(run['start'])} → {html.escape(run['end'])}, model {html.escape(run['config']['model'])},
engine {html.escape(str(g.get('engine')))}, workers {g['workers']}</p>
{''.join(f'<div class="banner">{html.escape(b)}</div>' for b in banners)}
<p>{s['requests']} requests, {s['failures']} failed ({s['error_rate']:.2%}), timeouts {s['timeout_rate']:.2%},
{_fmt(s['rps'])} req/s; latency p95 {_fmt(s['latency_ms']['p95'])} ms, p99 {_fmt(s['latency_ms']['p99'])} ms
(uncorrected p99 {_fmt(s['latency_uncorrected_ms']['p99'])} ms); schedule lag p99
{_fmt(g['schedule_lag_ms']['p99'])} ms; {g['dropped']} dropped.</p>
{spike_html}
<h2>Thresholds</h2>
<table id="thresholds"><tr><th class=l>threshold</th><th>observed</th><th>verdict</th></tr>
{_threshold_rows(doc)}</table>
<h2>Over time</h2>
<div id="chart-rps"></div><div id="chart-latency"></div><div id="chart-errors"></div>
<h2>Endpoints</h2>
<table id="endpoints"><tr><th class=l>endpoint</th><th>requests</th><th>failures</th><th>error rate</th><th>rps</th>
<th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>p99 uncorrected</th><th class=l>errors</th></tr>
{_endpoint_rows(doc)}</table>
<script type="application/json" id="report-data">{data}</script>
<script>{_JS}</script>
</body></html>
"""
