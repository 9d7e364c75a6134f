"""Drive the fast engine alone (no loadgen pipeline) in a closed loop and print one JSON line.

Run by bench/fast_engine.py in its own pinned process: the gap between this rate and the full
pipeline's is the pipeline's overhead. ``--record`` adds one HdrHistogram ``record_value`` per
request, the least any latency-keeping load generator must do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loadgen.engines.base import RequestSpec  # noqa: E402
from loadgen.engines.fast import FastEngine  # noqa: E402
from loadgen.loop import loop_name, new_event_loop  # noqa: E402
from loadgen.stats import new_histogram  # noqa: E402


async def drive(url: str, connections: int, duration: float, record: bool) -> dict:
    """Run ``connections`` users sending back-to-back GETs for ``duration`` seconds."""
    engine = FastEngine(max_connections=connections)
    spec = RequestSpec(endpoint="bench", method="GET", url=url)
    hist = new_histogram()
    counts = {"ok": 0, "failed": 0}
    await engine.send(spec)
    stop = time.perf_counter() + duration

    async def user() -> None:
        send, clock, rec = engine.send, time.perf_counter, hist.record_value  # loop.time() is ms-grained on uvloop
        ok = failed = 0
        while clock() < stop:
            start = clock()
            response = await send(spec)
            if record:
                rec(max(1, int((clock() - start) * 1e6)))
            if response.error_class is None:
                ok += 1
            else:
                failed += 1
        counts["ok"] += ok
        counts["failed"] += failed

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(user() for _ in range(connections)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    await engine.aclose()
    total = counts["ok"] + counts["failed"]
    return {"rps": total / wall, "requests": total, "failed": counts["failed"], "cpu_seconds": cpu,
            "cpu_us_per_request": cpu / max(total, 1) * 1e6, "loop": loop_name(),
            "p99_ms": hist.get_value_at_percentile(99.0) / 1000.0 if record else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="target URL, e.g. http://127.0.0.1:8080/")
    parser.add_argument("--connections", type=int, default=64, help="concurrent users = connections (default 64)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds to run (default 10)")
    parser.add_argument("--record", action="store_true", help="record every latency in an HdrHistogram")
    args = parser.parse_args()
    loop = new_event_loop()
    try:
        result = loop.run_until_complete(drive(args.url, args.connections, args.duration, args.record))
    finally:
        loop.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
