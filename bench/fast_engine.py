"""Benchmark the fast engine against wrk and Locust FastHttpUser, as ratios measured in one run.

Three parts (issue 5), each against nginx on 127.0.0.1 started here with a temp config:

1. closed model, 64 connections, generator pinned to core 0 and nginx to core 1: loadgen
   ``--engine fast`` (the real pipeline, HDR recording on) vs wrk vs Locust FastHttpUser, plus the
   engine alone (with and without an HdrHistogram record per request) to show the pipeline's cost
   and loadgen ``--engine aiohttp`` for reference. Goals: ≥ 0.5 × wrk and ≥ 5 × Locust.
2. open model at 10,000 req/s for 10 s: achieved rate within 1 %, schedule lag p99 < 2 ms.
3. ``--workers 2`` vs 1 on both cores; ``wrk -t2`` against the same target on the same cores shows
   whether nginx (not the generator) was the limit, and nginx's CPU use is reported.

Every measurement is repeated ``--rounds`` times, interleaved, and the median is reported: the
machine is shared, so single runs are noisy. Usage: ``python bench/fast_engine.py [--duration 10]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fast_engine_runs import (  # noqa: E402
    ProcessCpu,
    engine_only,
    listener_pid,
    loadgen_run,
    locust_rps,
    wrk_rps,
)
from nginx_target import nginx_target  # noqa: E402

CONNECTIONS = 64
OPEN_RATE = 10_000.0


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if not a or not b else f"{a / b:.2f}x"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def closed_model(duration: float, rounds: int, with_aiohttp: bool) -> dict:
    """Part 1: peak closed-model rate of each client, generator on core 0, nginx on core 1."""
    samples: dict[str, list] = {k: [] for k in
                                ("wrk", "locust", "fast", "fast_cpu", "engine", "engine_cpu", "engine_hdr", "aiohttp")}
    with nginx_target(cpu="1") as base:
        url = base + "/"
        for r in range(rounds):
            print(f"  round {r + 1}/{rounds}", file=sys.stderr)
            samples["wrk"].append(wrk_rps(url, CONNECTIONS, duration, cpus="0"))
            run = loadgen_run(base, engine="fast", users=CONNECTIONS, duration=duration, cpus="0")
            samples["fast"].append(run["summary"]["rps"])
            samples["fast_cpu"].append(run["generator"]["cpu_percent"])
            samples["locust"].append(locust_rps(base, CONNECTIONS, duration, cpus="0"))
            alone = engine_only(url, CONNECTIONS, duration, record=False, cpus="0")
            samples["engine"].append(alone["rps"])
            samples["engine_cpu"].append(alone["cpu_us_per_request"])
            samples["engine_hdr"].append(engine_only(url, CONNECTIONS, duration, record=True, cpus="0")["rps"])
            if with_aiohttp:
                samples["aiohttp"].append(
                    loadgen_run(base, engine="aiohttp", users=CONNECTIONS, duration=duration, cpus="0")["summary"]["rps"])
    out = {k: _median(v) for k, v in samples.items()}
    out["samples"] = samples
    return out


def open_model(duration: float) -> dict:
    """Part 2: loadgen --engine fast at a fixed arrival rate; achieved rate and schedule lag."""
    with nginx_target(cpu="1") as base:
        run = loadgen_run(base, engine="fast", rate=OPEN_RATE, duration=duration, cpus="0")
    summary, generator = run["summary"], run["generator"]
    return {"target_rate": OPEN_RATE, "achieved_rate": summary["rps"], "requests": summary["requests"],
            "failures": summary["failures"], "dropped": generator["dropped"],
            "lag_p99_ms": generator["schedule_lag_ms"]["p99"], "lag_p50_ms": generator["schedule_lag_ms"]["p50"],
            "cpu_percent": generator["cpu_percent"], "saturated": generator["saturated"]}


def workers_scaling(duration: float, rounds: int) -> dict:
    """Part 3: one vs two loadgen workers on both cores, with the target's headroom checked by wrk -t2."""
    samples: dict[str, list] = {k: [] for k in ("one", "two", "wrk2", "nginx_cpu_one", "nginx_cpu_two")}
    with nginx_target(cpu=None) as base:
        nginx = ProcessCpu(listener_pid(base))
        for _ in range(rounds):
            samples["wrk2"].append(wrk_rps(base + "/", CONNECTIONS, duration, cpus="0,1", threads=2))
            for workers, key in ((1, "one"), (2, "two")):
                nginx.start()
                run = loadgen_run(base, engine="fast", users=CONNECTIONS, duration=duration, cpus="0,1",
                                  workers=workers)
                samples[f"nginx_cpu_{key}"].append(nginx.percent(duration))
                samples[key].append(run["summary"]["rps"])
    out = {k: _median(v) for k, v in samples.items()}
    out["samples"] = samples
    return out


def report(closed: dict | None, opened: dict | None, scaling: dict | None) -> None:
    """Print every figure and the goal verdicts."""
    if closed:
        wrk, locust, fast = closed["wrk"], closed["locust"], closed["fast"]
        print(f"\n== closed model, {CONNECTIONS} connections, generator on core 0, nginx on core 1 (median) ==")
        rows = [("wrk -t1", wrk), ("loadgen --engine fast (pipeline, HDR on)", fast),
                ("fast engine alone", closed["engine"]), ("fast engine alone + HDR record", closed["engine_hdr"]),
                ("loadgen --engine aiohttp (pipeline)", closed["aiohttp"]), ("Locust FastHttpUser", locust)]
        for name, rps in rows:
            print(f"  {name:42s} {_fmt(rps):>10s} req/s   vs wrk {_ratio(rps, wrk):>6s}   vs Locust {_ratio(rps, locust):>7s}")
        print(f"  fast engine alone: {_fmt(closed['engine_cpu'], 2)} µs CPU per request; pipeline CPU "
              f"{_fmt(closed['fast_cpu'], 1)} %; pipeline costs "
              f"{_fmt(1e6 / fast - 1e6 / closed['engine'], 2) if fast and closed['engine'] else 'n/a'} µs per request")
        print(f"  goal fast >= 0.5 x wrk:   {_verdict(fast / wrk >= 0.5 if fast and wrk else None)}")
        print(f"  goal fast >= 5 x Locust:  {_verdict(fast / locust >= 5 if fast and locust else None)}")
    if opened:
        achieved = opened["achieved_rate"]
        err = abs(achieved / opened["target_rate"] - 1) * 100
        print(f"\n== open model, {opened['target_rate']:,.0f} req/s, loadgen --engine fast ==")
        print(f"  achieved {_fmt(achieved, 1)} req/s ({err:.2f} % off), requests {opened['requests']}, "
              f"failures {opened['failures']}, dropped {opened['dropped']}, generator CPU {opened['cpu_percent']} %")
        print(f"  schedule lag p50 {opened['lag_p50_ms']} ms, p99 {opened['lag_p99_ms']} ms")
        print(f"  goal rate within 1 %:     {_verdict(err <= 1.0)}")
        print(f"  goal lag p99 < 2 ms:      {_verdict(opened['lag_p99_ms'] is not None and opened['lag_p99_ms'] < 2.0)}")
    if scaling:
        one, two, wrk2 = scaling["one"], scaling["two"], scaling["wrk2"]
        print("\n== --workers 2 vs 1, loadgen --engine fast, both cores shared with nginx (median) ==")
        print(f"  1 worker  {_fmt(one):>10s} req/s   (nginx CPU {_fmt(scaling['nginx_cpu_one'])} %)")
        print(f"  2 workers {_fmt(two):>10s} req/s   (nginx CPU {_fmt(scaling['nginx_cpu_two'])} %)   {_ratio(two, one)}")
        print(f"  wrk -t2   {_fmt(wrk2):>10s} req/s   (same target, same cores: the target's headroom)")
        headroom = wrk2 is not None and two is not None and wrk2 > 1.2 * two
        print(f"  target not the limit (wrk -t2 > 1.2 x 2 workers): {_verdict(headroom)}")
        print(f"  goal 2 workers >= 1.6 x 1: {_verdict(two / one >= 1.6 if one and two else None)}")


def main() -> int:
    parser = argparse.ArgumentParser(description="fast engine vs wrk vs Locust FastHttpUser (issue 5 goals)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved repetitions; medians are reported")
    parser.add_argument("--parts", default="closed,open,workers", help="comma list of closed, open, workers")
    parser.add_argument("--no-aiohttp", action="store_true", help="skip the loadgen --engine aiohttp reference run")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    args = parser.parse_args()
    missing = [tool for tool in ("nginx", "wrk", "taskset") if shutil.which(tool) is None and
               not Path(f"/usr/sbin/{tool}").exists()]
    if missing:
        print(f"fast_engine bench: missing tools: {', '.join(missing)} (make deps installs them)", file=sys.stderr)
        return 2
    parts = {p.strip() for p in args.parts.split(",")}
    closed = closed_model(args.duration, args.rounds, not args.no_aiohttp) if "closed" in parts else None
    opened = open_model(args.duration) if "open" in parts else None
    scaling = workers_scaling(args.duration, args.rounds) if "workers" in parts else None
    report(closed, opened, scaling)
    if args.json:
        Path(args.json).write_text(json.dumps({"closed": closed, "open": opened, "workers": scaling}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
