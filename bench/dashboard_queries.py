"""Benchmark: dashboard panels on recording rules vs the same panels on raw histograms.

The Overview and the "as alerted" API panels read recording rules. This measures what that
buys: the same 1-hour range query (step 30 s, what Grafana sends for a 1 h panel) against the
recorded series and against the rule's own expression over raw series, interleaved in the same
run against one Prometheus holding a 20-job × 20-route fleet (backfilled history; the recorded
series are backfilled with ``promtool tsdb create-blocks-from rules``). It also checks that both
forms return the same numbers, so the dashboards and a rule-less Prometheus agree.

Run: ``.venv/bin/python bench/dashboard_queries.py [--jobs 20] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perfstack.services import backfill_openmetrics, find_binary, start_prometheus  # noqa: E402
from tests.analyzer.history import HistoryBuilder, RouteLoad, State  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WINDOW, LEAD, STEP = 3600.0, 600.0, 30.0
ROUTES = tuple(f"/api/r{i:02d}" for i in range(20))
HTTP_RULES = (
    "job:http_server_requests:rate5m",
    "job:http_server_request_duration_seconds:p95_rate5m",
    "job_route:http_server_request_duration_seconds:p95_rate5m",
    "job:http_server_request_errors:ratio_rate5m",
    "job_route:http_server_request_errors:ratio_rate5m",
)


def fleet(n_jobs: int) -> State:
    jobs = tuple((f"app{j:02d}", f"10.0.0.{j}:8000") for j in range(n_jobs))
    routes = {r: RouteLoad(rps=2.0, latencies=((0.03, 0.9), (0.3 + 0.01 * i, 0.1)),
                           error_ratio=0.05 if i == 0 else 0.0) for i, r in enumerate(ROUTES)}
    return State(routes=routes, jobs=jobs, cpu=0.5)


def query_range(url: str, expr: str, start: float, end: float) -> tuple[float, dict]:
    params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": STEP})
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"{url}/api/v1/query_range?{params}", timeout=120) as r:
        body = json.load(r)
    elapsed = time.perf_counter() - t0
    assert body["status"] == "success", body
    return elapsed, {json.dumps(s["metric"], sort_keys=True): dict(s["values"]) for s in body["data"]["result"]}


def same_numbers(a: dict, b: dict) -> bool:
    """True when both results hold the same series with equal values (recorded ones carry no __name__)."""
    strip = {json.dumps({k: v for k, v in json.loads(key).items() if k != "__name__"}, sort_keys=True): vals
             for key, vals in a.items()}
    if set(strip) != set(b):
        return False
    for key, vals in b.items():
        for ts, v in vals.items():
            r = strip[key].get(ts)
            if r is not None and not math.isclose(float(r), float(v), rel_tol=1e-6, abs_tol=1e-9) \
                    and not (math.isnan(float(r)) and math.isnan(float(v))):
                return False
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=20, help="instrumented jobs in the fleet (each with 20 routes)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query form (median reported)")
    args = ap.parse_args()

    rules_file = REPO / "prometheus" / "rules" / "recording.yml"
    groups = yaml.safe_load(rules_file.read_text())["groups"]
    exprs = {r["record"]: r["expr"] for g in groups for r in g["rules"] if r.get("record") in HTTP_RULES}
    http_only = {"groups": [{"name": "bench", "interval": f"{STEP:g}s",
                             "rules": [{"record": k, "expr": v} for k, v in exprs.items()]}]}

    end = (int(time.time() // 7200) * 7200) - 4 * 3600.0
    start = end - WINDOW
    b = HistoryBuilder(step=STEP)
    b.add(start - LEAD, WINDOW + LEAD, lambda _: fleet(args.jobs))
    history = b.render()
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmp:
        data, blocks = Path(tmp) / "data", Path(tmp) / "rule-blocks"
        t0 = time.monotonic()
        backfill_openmetrics(history, data)
        del history
        cfg = "global:\n  scrape_interval: 30s\nscrape_configs: []\n"
        prom = start_prometheus(cfg, workdir=Path(tmp) / "p1", data_dir=data, retention="3650d", timeout=120)
        try:
            (Path(tmp) / "rules.yml").write_text(yaml.safe_dump(http_only))
            subprocess.run([find_binary("promtool"), "tsdb", "create-blocks-from", "rules", "--quiet",
                            f"--start={start - LEAD:.0f}", f"--end={end:.0f}", f"--url={prom.url}",
                            f"--output-dir={blocks}", str(Path(tmp) / "rules.yml")],
                           check=True, capture_output=True, timeout=600)
        finally:
            prom.stop()
        for block in blocks.iterdir():
            shutil.move(str(block), data / block.name)
        t_setup = time.monotonic() - t0
        prom = start_prometheus(cfg, workdir=Path(tmp) / "p2", data_dir=data, retention="3650d", timeout=120)
        try:
            rows = []
            for rule, raw in exprs.items():
                recorded = f'{rule}{{job=~".*"}}'
                _, rec_result = query_range(prom.url, recorded, start, end)  # warm-up, untimed
                _, raw_result = query_range(prom.url, raw, start, end)
                assert rec_result, f"{rule}: no recorded data (rule backfill failed?)"
                rec_t, raw_t = [], []
                for _ in range(args.repeat):
                    rec_t.append(query_range(prom.url, recorded, start, end)[0])
                    raw_t.append(query_range(prom.url, raw, start, end)[0])
                rows.append((rule, len(rec_result), statistics.median(rec_t), statistics.median(raw_t),
                             same_numbers(rec_result, raw_result)))
        finally:
            prom.stop()

    print(f"fleet: {args.jobs} jobs x {len(ROUTES)} routes, 1 h range, step {STEP:g} s, "
          f"median of {args.repeat}; setup {t_setup:.0f} s")
    print(f"{'recording rule':<58} {'series':>6} {'rule ms':>8} {'raw ms':>8} {'raw/rule':>8} {'same':>5}")
    for rule, n, rec, raw, same in rows:
        print(f"{rule:<58} {n:>6} {rec * 1e3:>8.1f} {raw * 1e3:>8.1f} {raw / rec:>7.1f}x {'yes' if same else 'NO':>5}")
    total_rec, total_raw = sum(r[2] for r in rows), sum(r[3] for r in rows)
    print(f"{'all five panels':<58} {'':>6} {total_rec * 1e3:>8.1f} {total_raw * 1e3:>8.1f} "
          f"{total_raw / total_rec:>7.1f}x")
    print("note: 2-core machine shared with other engineers; absolute ms are noisy, read the ratio")
    return 0 if all(r[4] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
