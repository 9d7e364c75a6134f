"""Run a plan in N processes, one event loop each, and stream their records to the parent.

Each worker runs the same :class:`~loadgen.runner.LoadRunner` on its share of users or rate and
puts every interval record on a queue; the parent's :class:`~loadgen.aggregate.Aggregator` merges
them exactly. Workers ignore SIGINT (the parent owns Ctrl-C) and stop when told, flushing their
last partial interval, so an interrupted run still reports everything measured.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue as queue_mod
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from loadgen.aggregate import Aggregator
from loadgen.loop import new_event_loop
from loadgen.runner import RunPlan

__all__ = ["run_workers", "WorkerError"]

_STARTUP_TIMEOUT = 60.0


class WorkerError(RuntimeError):
    """A worker process failed to start or crashed."""


def _worker_main(plan: RunPlan, index: int, out: Any, stop_flag: Any, go: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from loadgen.engines import make_engine
        from loadgen.runner import LoadRunner
        from loadgen.stats import HistogramPool, encode_record

        pool = ThreadPoolExecutor(1, thread_name_prefix="loadgen-encode")
        histograms = HistogramPool()

        def ship(rec: dict[str, Any]) -> None:
            out.put(("record", index, encode_record(rec, histograms)))

        async def main() -> None:
            stop = asyncio.Event()
            runner = LoadRunner(plan, engine=make_engine(plan.engine, max_connections=plan.worker_connections()),
                                sink=lambda rec: pool.submit(ship, rec), histogram_pool=histograms)
            out.put(("ready", index, None))
            while not go.wait(0.05):
                if stop_flag.is_set():
                    return

            async def watch() -> None:
                while not stop_flag.is_set():
                    await asyncio.sleep(0.05)
                stop.set()

            watcher = asyncio.get_running_loop().create_task(watch())
            try:
                await runner.run(stop)
            finally:
                watcher.cancel()

        loop = new_event_loop()
        sys.setswitchinterval(0.0005)  # the encoding thread must not hold the GIL long against the pacer
        try:
            loop.run_until_complete(main())
        finally:
            loop.close()
            pool.shutdown(wait=True)
        out.put(("done", index, None))
    except BaseException as exc:  # noqa: BLE001 - report any crash to the parent, then exit
        out.put(("error", index, f"{type(exc).__name__}: {exc}"))


async def run_workers(plan: RunPlan, workers: int, aggregator: Aggregator, stop: asyncio.Event) -> None:
    """Run ``plan`` split over ``workers`` processes until they finish or ``stop`` is set."""
    ctx = mp.get_context("spawn")
    out, stop_flag, go = ctx.Queue(), ctx.Event(), ctx.Event()
    procs = [ctx.Process(target=_worker_main, name=f"loadgen-worker-{i}", daemon=True,
                         args=(replace(plan, worker_index=i, worker_count=workers), i, out, stop_flag, go))
             for i in range(workers)]
    for proc in procs:
        proc.start()
    loop = asyncio.get_running_loop()
    ready: set[int] = set()
    finished: set[int] = set()
    errors: list[str] = []
    started_at = loop.time()

    def get() -> tuple[str, int, Any] | None:
        try:
            return out.get(timeout=0.1)
        except queue_mod.Empty:
            return None

    try:
        while len(finished) < workers:
            if stop.is_set():
                stop_flag.set()
            msg = await loop.run_in_executor(None, get)
            if msg is None:
                for i, proc in enumerate(procs):
                    if i not in finished and not proc.is_alive() and proc.exitcode is not None:
                        finished.add(i)
                        aggregator.worker_done(i)
                if not go.is_set() and loop.time() - started_at > _STARTUP_TIMEOUT:
                    raise WorkerError(f"workers did not start within {_STARTUP_TIMEOUT:.0f}s")
                continue
            kind, index, payload = msg
            if kind == "record":
                aggregator.add(index, payload)
            elif kind == "ready":
                ready.add(index)
                if len(ready) == workers:
                    go.set()
            elif kind in ("done", "error"):
                if kind == "error":
                    errors.append(f"worker {index}: {payload}")
                    stop_flag.set()
                    go.set()
                finished.add(index)
                aggregator.worker_done(index)
    finally:
        stop_flag.set()
        go.set()
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=2)
    if errors:
        raise WorkerError("; ".join(errors))
