"""Open model at a fixed rate: achieved rate vs target and schedule lag, from loadgen's own report.

nginx on core 1, loadgen pinned to core 0. The issue-4 goal: 2,000 req/s for 10 s within 1 % of
the target rate with the schedule lag p99 reported (and under the 10 ms saturation limit).
Peer in the same run: ``wrk`` at the same connection count shows the target's headroom.

Usage: ``python bench/loadgen_open.py [--engine aiohttp] [--rate 2000] [--duration 10] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nginx_target import nginx_target  # noqa: E402
from runs import loadgen_run, wrk  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="aiohttp", choices=["aiohttp", "fast"])
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with nginx_target(cpu="1") as url:
        headroom = wrk(url + "/", 64, 5, cpus="0").rps if shutil.which("wrk") else None
        for n in range(args.rounds):
            doc = loadgen_run(url + "/", engine=args.engine, duration=args.duration, cpus="0", rate=args.rate).report
            s, g = doc["summary"], doc["generator"]
            if s["failures"]:
                raise SystemExit(f"loadgen saw failures, the figures would be meaningless: {s['errors']}")
            achieved = s["requests"] / args.duration
            rows.append((achieved, g["schedule_lag_ms"]["p99"], g["dropped"], g["saturated"], g["cpu_percent"]))
            print(f"round {n + 1}: achieved {achieved:,.1f} req/s ({achieved / args.rate - 1:+.2%}), lag p99 "
                  f"{g['schedule_lag_ms']['p99']} ms, dropped {g['dropped']}, cpu {g['cpu_percent']}%", flush=True)
    achieved = statistics.median(r[0] for r in rows)
    lag = statistics.median(r[1] for r in rows)
    error = achieved / args.rate - 1
    print(f"\nopen model {args.rate:,.0f} req/s x {args.duration:g}s, engine {args.engine}, median of {args.rounds}")
    print(f"  achieved / target = {achieved / args.rate:.4f} ({error:+.2%}; goal within 1%): "
          f"{'PASS' if abs(error) <= 0.01 else 'MISS'}")
    print(f"  schedule lag p99 = {lag} ms (saturation limit 10 ms): {'ok' if lag <= 10 else 'SATURATED'}")
    if headroom:
        print(f"  target headroom: wrk reaches {headroom:,.0f} req/s = {headroom / args.rate:.0f}x the asked rate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
