"""Run every benchmark in bench/ one after another and print each one's figures.

Benchmarks are never part of ``make test``: they need the ``bench`` extra (Locust and peer
instrumentation libraries), wrk and nginx, and minutes of quiet CPU. ``make bench`` installs
those and runs this. Each script prints its own ratios against a peer measured in the same run.

Run: ``.venv/bin/python bench/run_all.py [--only NAME,...] [--quick]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name → (script, normal args, --quick args)
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "exporter_middleware": ("exporter_middleware.py", [], ["--rounds", "3"]),
    "exporter_render": ("exporter_render.py", [], ["--repeat", "5"]),
    "loadgen_closed": ("loadgen_closed.py", [], ["--duration", "5", "--rounds", "1"]),
    "loadgen_open": ("loadgen_open.py", [], ["--rounds", "1"]),
    "loadgen_memory": ("loadgen_memory.py", [], ["--duration", "22", "--samples", "10,20"]),
    "fast_engine": ("fast_engine.py", [], ["--duration", "5", "--rounds", "1"]),
    "analyzer_scale": ("analyzer_scale.py", [], ["--repeat", "2"]),
    "dashboard_queries": ("dashboard_queries.py", [], ["--repeat", "2"]),
    "demo_wallclock": ("demo_wallclock.py", [], ["--durations", "15s"]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names (default: all): "
                        + ", ".join(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier figures)")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}")
    failed = []
    for name in names:
        script, normal, quick = BENCHMARKS[name]
        print(f"\n===== {name} =====", flush=True)
        started = time.monotonic()
        res = subprocess.run([sys.executable, str(HERE / script), *(quick if args.quick else normal)])
        print(f"----- {name}: exit {res.returncode} after {time.monotonic() - started:.0f}s", flush=True)
        if res.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
