"""Closed-model peak throughput: loadgen vs Locust FastHttpUser vs wrk, as ratios from one run.

Same nginx target on 127.0.0.1 (pinned to core 1), every generator pinned to core 0 with
``taskset -c 0``, the same number of connections/users. Each generator runs ``--rounds`` times,
interleaved, and the median is reported because the machine is shared. Goal (issue 4): loadgen
(aiohttp engine) ≥ 1.2 × Locust FastHttpUser. ``--engine fast`` measures the fast engine instead.

Usage: ``python bench/loadgen_closed.py [--engine aiohttp] [--duration 10] [--rounds 3] [--users 64]``
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
from runs import loadgen_run, locust, wrk  # noqa: E402

GOAL_VS_LOCUST = 1.2


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="aiohttp", choices=["aiohttp", "fast"])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=64, help="virtual users = connections for every generator")
    args = parser.parse_args()
    results: dict[str, list[float | None]] = {"loadgen": [], "locust": [], "wrk": []}
    cpu: dict[str, list[float]] = {"loadgen": [], "locust": []}
    with nginx_target(cpu="1") as url:
        for n in range(args.rounds):
            run = loadgen_run(url + "/", engine=args.engine, duration=args.duration, cpus="0", users=args.users)
            if run.report["summary"]["failures"]:
                raise SystemExit(f"loadgen saw failures, the figure would be meaningless: {run.report['summary']['errors']}")
            loadgen_measured = run.whole_process()
            results["loadgen"].append(loadgen_measured.rps)
            cpu["loadgen"].append(loadgen_measured.cpu_us_per_request)
            locust_measured = locust(url, args.users, args.duration, cpus="0")
            results["locust"].append(locust_measured.rps if locust_measured else None)
            if locust_measured:
                cpu["locust"].append(locust_measured.cpu_us_per_request)
            results["wrk"].append(wrk(url + "/", args.users, args.duration, cpus="0").rps if shutil.which("wrk") else None)
            print(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}" if v[-1] else f"{k} n/a" for k, v in results.items()),
                  flush=True)
    loadgen_rps, locust_rps, wrk_rps = (_median(results[k]) for k in ("loadgen", "locust", "wrk"))
    print(f"\nclosed model, {args.users} users/connections, generator on core 0, nginx on core 1, "
          f"median of {args.rounds} x {args.duration:g}s")
    print(f"  loadgen --engine {args.engine}: {loadgen_rps:,.0f} req/s")
    print(f"  locust FastHttpUser:   {locust_rps:,.0f} req/s" if locust_rps else "  locust: n/a")
    print(f"  wrk -t1:               {wrk_rps:,.0f} req/s" if wrk_rps else "  wrk: n/a")
    per_round = [a / b for a, b in zip(results["loadgen"], results["locust"], strict=True) if a and b]
    if per_round:
        print("  loadgen / locust per round (interleaved, same conditions): "
              + ", ".join(f"{r:.2f}x" for r in per_round) + f"; median {statistics.median(per_round):.2f}x")
    if locust_rps:
        ratio = loadgen_rps / locust_rps
        print(f"  loadgen / locust = {ratio:.2f}x (goal >= {GOAL_VS_LOCUST}x): {'PASS' if ratio >= GOAL_VS_LOCUST else 'MISS'}")
    if wrk_rps:
        print(f"  loadgen / wrk    = {loadgen_rps / wrk_rps:.3f}x")
    if cpu["loadgen"] and cpu["locust"]:
        ours, theirs = statistics.median(cpu["loadgen"]), statistics.median(cpu["locust"])
        print(f"  CPU per request (noise-resistant): loadgen {ours:.0f} us, locust {theirs:.0f} us "
              f"-> loadgen is {theirs / ours:.2f}x as efficient")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
