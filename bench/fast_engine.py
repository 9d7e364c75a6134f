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

from nginx_target import nginx_target  # noqa: E402
from runs import Measured, ProcessCpu, engine_only, listener_pid, loadgen_run, locust, wrk  # noqa: E402

CONNECTIONS = 64
OPEN_RATE = 10_000.0

# The closed-model clients, in print order: key → label.
CLIENTS = {
    "wrk": "wrk -t1",
    "fast": "loadgen --engine fast (pipeline, HDR on)",
    "engine": "fast engine alone",
    "engine_hdr": "fast engine alone + HDR record",
    "aiohttp": "loadgen --engine aiohttp (pipeline)",
    "locust": "Locust FastHttpUser",
}


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if not a or not b else f"{a / b:.2f}x"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def _summarise(runs: list[Measured | None]) -> dict | None:
    present = [r for r in runs if r is not None]
    if not present:
        return None
    return {"rps": _median([r.rps for r in present]), "per_cpu_second": _median([r.per_cpu_second for r in present]),
            "rps_samples": [round(r.rps) for r in present],
            "cpu_us_per_request": _median([r.cpu_us_per_request for r in present if r.per_cpu_second])}


def closed_model(duration: float, rounds: int, with_aiohttp: bool) -> dict:
    """Part 1: peak closed-model rate of each client, generator on core 0, nginx on core 1."""
    runs: dict[str, list[Measured | None]] = {key: [] for key in CLIENTS}
    with nginx_target(cpu="1") as base:
        url = base + "/"
        for r in range(rounds):
            print(f"  closed model round {r + 1}/{rounds}", file=sys.stderr)
            runs["wrk"].append(wrk(url, CONNECTIONS, duration, cpus="0"))
            run = loadgen_run(base, engine="fast", users=CONNECTIONS, duration=duration, cpus="0")
            runs["fast"].append(run.during_load(duration))
            runs["locust"].append(locust(base, CONNECTIONS, duration, cpus="0"))
            runs["engine"].append(engine_only(url, CONNECTIONS, duration, record=False, cpus="0"))
            runs["engine_hdr"].append(engine_only(url, CONNECTIONS, duration, record=True, cpus="0"))
            if with_aiohttp:
                run = loadgen_run(base, engine="aiohttp", users=CONNECTIONS, duration=duration, cpus="0")
                runs["aiohttp"].append(run.during_load(duration))
    return {key: _summarise(value) for key, value in runs.items()}


def open_model(duration: float, rounds: int) -> dict:
    """Part 2: loadgen --engine fast at a fixed arrival rate, ``rounds`` times; achieved rate and schedule lag."""
    runs = []
    with nginx_target(cpu="1") as base:
        for r in range(rounds):
            print(f"  open model round {r + 1}/{rounds}", file=sys.stderr)
            report = loadgen_run(base, engine="fast", rate=OPEN_RATE, duration=duration, cpus="0").report
            summary, generator = report["summary"], report["generator"]
            runs.append({"achieved_rate": summary["rps"], "requests": summary["requests"],
                         "failures": summary["failures"], "dropped": generator["dropped"],
                         "lag_p50_ms": generator["schedule_lag_ms"]["p50"],
                         "lag_p99_ms": generator["schedule_lag_ms"]["p99"], "cpu_percent": generator["cpu_percent"]})
    median = {key: _median([run[key] for run in runs]) for key in runs[0]}
    return {"target_rate": OPEN_RATE, "median": median, "runs": runs}


def workers_scaling(duration: float, rounds: int, engine: str) -> dict:
    """Part 3: one vs two loadgen workers on both cores, with the target's headroom checked by wrk -t2.

    Run for both engines: with ``aiohttp`` the generator is the bottleneck (nginx needs a small
    share of a core), which is what ``--workers`` is for; with ``fast`` one worker already drives
    nginx near what the two shared cores can serve, so the machine, not loadgen, is the limit.
    """
    runs: dict[str, list] = {k: [] for k in ("one", "two", "wrk2", "nginx_cpu_one", "nginx_cpu_two")}
    with nginx_target(cpu=None) as base:
        nginx = ProcessCpu(listener_pid(base))
        for r in range(rounds):
            print(f"  workers round {r + 1}/{rounds}", file=sys.stderr)
            runs["wrk2"].append(wrk(base + "/", CONNECTIONS, duration, cpus="0,1", threads=2))
            for workers, key in ((1, "one"), (2, "two")):
                nginx.start()
                run = loadgen_run(base, engine=engine, users=CONNECTIONS, duration=duration, cpus="0,1",
                                  workers=workers)
                runs[f"nginx_cpu_{key}"].append(nginx.percent(duration))
                runs[key].append(run.during_load(duration))
    out = {k: _summarise(runs[k]) for k in ("one", "two", "wrk2")}
    out.update({k: _median(runs[k]) for k in ("nginx_cpu_one", "nginx_cpu_two")})
    return out


def report(closed: dict | None, opened: dict | None, scalings: dict[str, dict] | None) -> None:
    """Print every figure and the goal verdicts."""
    if closed:
        get = {key: (closed[key] or {}) for key in CLIENTS}
        wrk_rps, locust_rps, fast_rps = (get[k].get("rps") for k in ("wrk", "locust", "fast"))
        wrk_eff, locust_eff = get["wrk"].get("per_cpu_second"), get["locust"].get("per_cpu_second")
        print(f"\n== closed model, {CONNECTIONS} connections, generator on core 0, nginx on core 1 (medians) ==")
        print(f"  {'client':42s} {'req/s':>9s} {'vs wrk':>7s} {'vs Locust':>9s}   {'µs CPU/req':>10s} "
              f"{'vs wrk':>7s} {'vs Locust':>9s}   samples")
        for key, label in CLIENTS.items():
            m = get[key]
            rps, eff = m.get("rps"), m.get("per_cpu_second")
            print(f"  {label:42s} {_fmt(rps):>9s} {_ratio(rps, wrk_rps):>7s} {_ratio(rps, locust_rps):>9s}   "
                  f"{_fmt(m.get('cpu_us_per_request'), 2):>10s} {_ratio(eff, wrk_eff):>7s} {_ratio(eff, locust_eff):>9s}"
                  f"   {m.get('rps_samples', '')}")
        engine_cost, fast_cost = get["engine"].get("cpu_us_per_request"), get["fast"].get("cpu_us_per_request")
        if engine_cost and fast_cost:
            print(f"  the pipeline adds {fast_cost - engine_cost:.2f} µs of CPU per request to the engine's "
                  f"{engine_cost:.2f} µs")
        print("  (ratios of µs CPU/req are requests per CPU-second: steadier than req/s on a shared machine)")
        fast_eff = get["fast"].get("per_cpu_second")
        print(f"  goal fast >= 0.5 x wrk:   by req/s {_verdict(fast_rps / wrk_rps >= 0.5 if fast_rps and wrk_rps else None)}"
              f", by requests per CPU-second {_verdict(fast_eff / wrk_eff >= 0.5 if fast_eff and wrk_eff else None)}")
        print(f"  goal fast >= 5 x Locust:  by req/s {_verdict(fast_rps / locust_rps >= 5 if fast_rps and locust_rps else None)}"
              f", by requests per CPU-second "
              f"{_verdict(fast_eff / locust_eff >= 5 if fast_eff and locust_eff else None)}")
    if opened:
        print(f"\n== open model, {opened['target_rate']:,.0f} req/s, loadgen --engine fast, generator on core 0 ==")
        for i, run in enumerate(opened["runs"], 1):
            err = abs(run["achieved_rate"] / opened["target_rate"] - 1) * 100
            print(f"  run {i}: achieved {_fmt(run['achieved_rate'], 1)} req/s ({err:.2f} % off), "
                  f"lag p50 {run['lag_p50_ms']} ms p99 {run['lag_p99_ms']} ms, dropped {run['dropped']}, "
                  f"failures {run['failures']}, CPU {run['cpu_percent']} %")
        med = opened["median"]
        err = abs(med["achieved_rate"] / opened["target_rate"] - 1) * 100
        print(f"  median: achieved {_fmt(med['achieved_rate'], 1)} req/s ({err:.2f} % off), lag p99 {med['lag_p99_ms']} ms")
        print(f"  goal rate within 1 % (median):     {_verdict(err <= 1.0)}")
        lag = med["lag_p99_ms"]
        print(f"  goal lag p99 < 2 ms (median):      {_verdict(lag is not None and lag < 2.0)}")
    for engine, scaling_one in (scalings or {}).items():
        report_scaling(engine, scaling_one)


def report_scaling(engine: str, scaling: dict) -> None:
    """Print the --workers figures of one engine."""
    if scaling:
        one, two, wrk2 = (scaling[k] or {} for k in ("one", "two", "wrk2"))
        print(f"\n== --workers 2 vs 1, loadgen --engine {engine}, both cores shared with nginx (medians) ==")
        print(f"  1 worker  {_fmt(one.get('rps')):>9s} req/s  {_fmt(one.get('cpu_us_per_request'), 2):>6s} µs CPU/req"
              f"   nginx CPU {_fmt(scaling['nginx_cpu_one'])} %   {one.get('rps_samples', '')}")
        print(f"  2 workers {_fmt(two.get('rps')):>9s} req/s  {_fmt(two.get('cpu_us_per_request'), 2):>6s} µs CPU/req"
              f"   nginx CPU {_fmt(scaling['nginx_cpu_two'])} %   {two.get('rps_samples', '')}"
              f"   → {_ratio(two.get('rps'), one.get('rps'))}")
        print(f"  wrk -t2   {_fmt(wrk2.get('rps')):>9s} req/s  (same target, same cores: the target's headroom)")
        # The goal is only measurable when the target (on these same two cores) can serve 1.6 × one worker.
        headroom = bool(wrk2.get("rps") and one.get("rps") and wrk2["rps"] > 1.6 * one["rps"])
        print(f"  target not the limit (wrk -t2 > 1.6 x 1 worker): {_verdict(headroom)}"
              + ("" if headroom else "  -> the 1.6x goal cannot be measured on this machine with this engine"))
        ok = two["rps"] / one["rps"] >= 1.6 if one.get("rps") and two.get("rps") else None
        print(f"  goal 2 workers >= 1.6 x 1: {_verdict(ok)}")
        if one.get("per_cpu_second") and two.get("per_cpu_second"):
            print(f"  per-worker efficiency, 2 workers vs 1: {two['per_cpu_second'] / one['per_cpu_second']:.2f} "
                  "(requests per generator CPU-second; 1.00 = the second worker costs nothing extra)")


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
    opened = open_model(args.duration, args.rounds) if "open" in parts else None
    scaling = ({engine: workers_scaling(args.duration, args.rounds, engine) for engine in ("aiohttp", "fast")}
               if "workers" in parts else None)
    report(closed, opened, scaling)
    if args.json:
        Path(args.json).write_text(json.dumps({"closed": closed, "open": opened, "workers": scaling}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
