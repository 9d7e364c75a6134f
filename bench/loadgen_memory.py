"""Memory stays flat: loadgen's RSS at 10 s vs 60 s of a 2,000 req/s open-model run (< 10 % apart).

The peer is the same process earlier in the same run: interval records are encoded histograms, so
nothing should grow with the request count. nginx on core 1, loadgen on core 0; RSS is sampled
with psutil from outside the process.

Usage: ``python bench/loadgen_memory.py [--engine aiohttp] [--rate 2000] [--duration 62]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nginx_target import nginx_target  # noqa: E402
from runs import REPO, loadgen_command  # noqa: E402

GOAL = 0.10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="aiohttp", choices=["aiohttp", "fast"])
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--duration", type=float, default=62.0)
    parser.add_argument("--samples", default="10,20,30,40,50,60",
                        help="seconds after start to sample RSS at; the first and last are compared")
    args = parser.parse_args()
    marks = [float(x) for x in args.samples.split(",")]
    rss: dict[float, int] = {}
    with nginx_target(cpu="1") as url, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        cmd = loadgen_command(url + "/", engine=args.engine, duration=args.duration, json_out=out, cpus="0",
                              rate=args.rate)
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=REPO)
        ps = psutil.Process(proc.pid)
        for mark in marks:
            while time.monotonic() - started < mark:
                time.sleep(0.05)
            rss[mark] = ps.memory_info().rss
            print(f"t={mark:>4.0f}s  RSS {rss[mark] / 2**20:7.1f} MiB", flush=True)
        proc.wait(timeout=args.duration + 60)
        doc = json.loads(out.read_text())
    first, last = rss[marks[0]], rss[marks[-1]]
    growth = last / first - 1
    s, g = doc["summary"], doc["generator"]
    print(f"\n{s['requests']:,} requests ({s['requests'] / (args.rate * args.duration):.2%} of the scheduled "
          f"{args.rate * args.duration:,.0f}), engine {args.engine}, dropped {g['dropped']}, "
          f"schedule lag p99 {g['schedule_lag_ms']['p99']} ms, saturated {g['saturated']}")
    print(f"RSS {marks[-1]:.0f}s / {marks[0]:.0f}s = {last / first:.3f} ({growth:+.1%}; goal < {GOAL:.0%}): "
          f"{'PASS' if abs(growth) < GOAL else 'MISS'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
