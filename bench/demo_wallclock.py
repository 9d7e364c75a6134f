"""Wall-clock cost of ``make demo``: how long the whole job takes around the load it runs.

Peer: the load duration itself, measured in the same run. ``python -m demo.run`` is started with
each ``--duration``; its output lines are timestamped to split the run into phases (stack start,
load + linger, analysis and shutdown), and the total is reported as a ratio of the load duration.
The goal from the issue: the default 60 s run finishes in under 3 minutes on a 2-core machine.
The machine is shared, so read the phases, not the last digit.

Run: ``.venv/bin/python bench/demo_wallclock.py [--durations 15s,60s]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from perfstack.units import parse_duration  # noqa: E402


def run_once(duration: str) -> dict[str, float]:
    """Run the demo once; return seconds from start to each phase boundary."""
    marks: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as reports:
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "demo.run", "--duration", duration, "--reports-dir", reports],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            now = time.monotonic() - t0
            if line.startswith("Loading "):
                marks["stack_ready"] = now
            elif line.startswith("Analyzing"):
                marks["load_done"] = now
            elif line.startswith("Reports:"):
                marks["analysis_done"] = now
        code = proc.wait()
        marks["total"] = time.monotonic() - t0
    if code != 0:
        raise SystemExit(f"demo.run --duration {duration} exited {code}")
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durations", default="15s,60s", help="comma-separated --duration values to run")
    args = parser.parse_args()
    print(f"{'duration':>8} {'start':>7} {'load+linger':>12} {'analysis':>9} {'stop':>6} {'total':>7} {'total/load':>10}")
    for duration in args.durations.split(","):
        m = run_once(duration)
        load = parse_duration(duration)
        print(f"{duration:>8} {m['stack_ready']:6.1f}s {m['load_done'] - m['stack_ready']:11.1f}s "
              f"{m['analysis_done'] - m['load_done']:8.1f}s {m['total'] - m['analysis_done']:5.1f}s "
              f"{m['total']:6.1f}s {m['total'] / load:9.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
