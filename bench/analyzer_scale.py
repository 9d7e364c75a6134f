"""Benchmark: analysis time and queries sent for a 1-hour window, 5 jobs vs 50 jobs × 20 routes.

Both fleets are backfilled into one local Prometheus (in separate time slots) and analysed in the
same run, so the 5-job analysis is the peer for the 50-job one. The claim under test: the number
of queries grows with the objectives, not with the series (it must be identical), and time grows
far slower than the 10× series count because aggregation happens inside Prometheus.

Run: ``.venv/bin/python bench/analyzer_scale.py [--repeat 5] [--step 60]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analyzer import AnalysisRequest, PromClient, analyze_prometheus  # noqa: E402
from perfstack.config import load_config  # noqa: E402
from perfstack.services import backfill_openmetrics, start_prometheus  # noqa: E402
from tests.analyzer.history import HistoryBuilder, RouteLoad, State  # noqa: E402

WINDOW = 3600.0
LEAD = 600.0
ROUTES = tuple(f"/api/r{i:02d}" for i in range(20))


def fleet(n_jobs: int) -> State:
    jobs = tuple((f"app{j:02d}", f"10.0.{j // 250}.{j % 250}:8000") for j in range(n_jobs))
    routes = {r: RouteLoad(rps=2.0, latencies=((0.03, 0.9), (0.3 + 0.01 * i, 0.1)),
                           error_ratio=0.05 if i == 0 else 0.0) for i, r in enumerate(ROUTES)}
    return State(routes=routes, jobs=jobs, cpu=0.6)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed analyses per fleet (median reported)")
    ap.add_argument("--step", type=float, default=60.0, help="backfill resolution in seconds")
    args = ap.parse_args()

    end_small = (int(time.time() // 7200) * 7200) - 4 * 3600.0
    end_large = end_small + 2 * 3600.0
    t0 = time.monotonic()
    b = HistoryBuilder(step=args.step)
    b.add(end_small - WINDOW - LEAD, WINDOW + LEAD, lambda _: fleet(5))
    b.add(end_large - WINDOW - LEAD, WINDOW + LEAD, lambda _: fleet(50))
    history = b.render()
    t_build = time.monotonic() - t0
    config = load_config(None)
    with tempfile.TemporaryDirectory(prefix="analyzer-bench-") as tmp:
        t0 = time.monotonic()
        backfill_openmetrics(history, Path(tmp) / "data")
        t_backfill = time.monotonic() - t0
        del history
        prom = start_prometheus("global:\n  scrape_interval: 15s\nscrape_configs: []\n", workdir=Path(tmp),
                                data_dir=Path(tmp) / "data", retention="3650d", timeout=120)
        try:
            results = {}
            for label, end, jobs in (("5 jobs", end_small, 5), ("50 jobs", end_large, 50)):
                client = PromClient(prom.url, timeout=60)
                series = client.scalar(f'count({{__name__=~".+", job=~"app.*"}} @ {end:.0f})', end)
                req = AnalysisRequest(end=end, window_seconds=WINDOW, baseline_offset_seconds=86400)
                analyze_prometheus(client, config, req)  # warm Prometheus' caches once, untimed
                times, queries = [], []
                for _ in range(args.repeat):
                    before = client.queries_sent
                    t0 = time.monotonic()
                    report = analyze_prometheus(client, config, req)
                    times.append(time.monotonic() - t0)
                    queries.append(client.queries_sent - before)
                assert report["system_health_score"] is not None, "the window must have data"
                results[label] = (jobs, series, statistics.median(times), min(times), max(times), queries[-1],
                                  report["system_health_score"])
        finally:
            prom.stop()

    print(f"history: build {t_build:.1f} s, backfill {t_backfill:.1f} s, step {args.step:g} s, 1 h window")
    print(f"{'fleet':<8} {'app series':>10} {'queries':>8} {'median s':>9} {'min s':>7} {'max s':>7} {'score':>6}")
    for label, (_, series, med, lo, hi, q, score) in results.items():
        print(f"{label:<8} {series or 0:>10.0f} {q:>8} {med:>9.3f} {lo:>7.3f} {hi:>7.3f} {score:>6.1f}")
    small, large = results["5 jobs"], results["50 jobs"]
    print(f"ratio 50/5 jobs: series {large[1] / small[1]:.1f}x, queries {large[5] / small[5]:.2f}x, "
          f"median time {large[2] / small[2]:.2f}x")
    print("note: 2-core machine shared with other engineers; times are noisy, the query ratio is exact")
    return 0 if large[5] == small[5] else 1


if __name__ == "__main__":
    raise SystemExit(main())
