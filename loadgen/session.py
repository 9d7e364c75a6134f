"""One load test from start to reports: workers, live view, metrics endpoint, abort, signals.

This is the I/O edge of the pipeline. Whatever ends the run — the profile finishing, a failed
threshold past the grace period, Ctrl-C or SIGTERM — the same path builds the report from what
was measured and writes every requested output.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadgen.aggregate import Aggregator
from loadgen.engines import make_engine
from loadgen.live import Snapshot, final_lines, make_view
from loadgen.metrics import LoadgenCollector, RunInfo, make_registry, serve_metrics
from loadgen.outputs import write_outputs
from loadgen.report import build_report
from loadgen.runner import LoadRunner, RunPlan
from loadgen.stats import HistogramPool, encode_record, new_histogram, value_at_percentiles
from loadgen.summary import interval_row
from loadgen.thresholds import Threshold, evaluate
from loadgen.workers import run_workers
from perfstack.cli import EXIT_GATE_FAILED, EXIT_INTERRUPTED, EXIT_OK

__all__ = ["RunOptions", "RunResult", "run_session", "new_run_id"]


def new_run_id(now: float | None = None) -> str:
    """Return a sortable run id such as ``20261128T201500Z-ab12``."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    return f"{stamp}-{secrets.token_hex(2)}"


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """Everything about one run besides the plan: identity, gates, outputs and endpoints."""

    plan: RunPlan
    run_id: str
    profile: str
    workers: int = 1
    thresholds: tuple[Threshold, ...] = ()
    lag_limit_seconds: float = 0.010
    metrics_listen: str | None = "127.0.0.1:9102"
    linger_seconds: float = 15.0
    abort_on_fail: bool = False
    abort_grace_seconds: float = 10.0
    json_path: Path | None = None
    html_path: Path | None = None
    junit_path: Path | None = None
    quiet: bool = False
    handle_signals: bool = True


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """The report document and the exit code it implies."""

    report: dict[str, Any]
    exit_code: int
    interrupted: bool
    aborted: bool


class _Session:
    def __init__(self, opts: RunOptions) -> None:
        self.opts = opts
        self.shape = opts.plan.shape
        self.stop = asyncio.Event()
        self.interrupted = False
        self.aborted = False
        self.started = 0.0
        self.runner: LoadRunner | None = None
        self.view = make_view(quiet=opts.quiet)
        self.agg = Aggregator(opts.workers, on_interval=self._on_interval)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.record_errors: list[str] = []
        self.hist_pool = HistogramPool()
        self._scratch = new_histogram()
        self.last_row: dict[str, Any] | None = None
        self.lag_p99_ms = 0.0
        self.info = RunInfo(run_id=opts.run_id, profile=opts.profile, stages=len(self.shape.stages))

    def _elapsed(self) -> float:
        return max(0.0, time.monotonic() - self.started) if self.started else 0.0

    def live_values(self) -> tuple[int, float, float]:
        last = self.agg.totals.last or {}
        if self.runner is not None:
            in_flight, users = self.runner.in_flight, float(self.runner.users_running)
        else:
            in_flight, users = int(last.get("in_flight", 0)), float(last.get("users", 0))
        running = self.info.stage > 0
        rate = self.shape.target(self._elapsed()) if self.shape.open_model and running else 0.0
        return (in_flight if running else 0), (users if running else 0.0), rate

    def snapshot(self) -> Snapshot:
        row = self.last_row
        totals = self.agg.totals
        in_flight, users, rate = self.live_values()
        return Snapshot(
            elapsed=self._elapsed(), total=self.shape.duration, stage=self.info.stage, stages=len(self.shape.stages),
            rps=row["rps"] if row else 0.0, p50=row["p50"] if row else None, p95=row["p95"] if row else None,
            p99=row["p99"] if row else None, requests=totals.all.requests,
            errors=totals.all.requests - totals.all.counts_by_outcome("success"), in_flight=in_flight, users=users,
            target_rate=rate, open_model=self.shape.open_model,
            saturated=self.lag_p99_ms > self.opts.lag_limit_seconds * 1000.0,
        )

    def _on_interval(self, record: dict[str, Any]) -> None:
        self.last_row = interval_row(record, self._scratch)  # once per interval; the 4 Hz view reuses it
        with self.agg.lock:
            lag = self.agg.totals.lag
            self.lag_p99_ms = value_at_percentiles(lag, [99.0])[99.0] / 1000.0 if lag.get_total_count() else 0.0
            snapshot = self.snapshot()
        self.view.interval(snapshot)
        opts = self.opts
        if opts.abort_on_fail and opts.thresholds and record["start"] + record["length"] >= opts.abort_grace_seconds:
            totals = self.agg.totals
            summary = totals.all.summary(totals.elapsed)
            endpoints = {n: ep.summary(totals.elapsed) for n, ep in totals.endpoints.items()}
            if not all(r["ok"] for r in evaluate(list(opts.thresholds), summary, endpoints)):
                self.aborted = True
                self.loop.call_soon_threadsafe(self.stop.set)

    def _on_signal(self) -> None:
        self.interrupted = True
        self.stop.set()

    async def _tick(self) -> None:
        while True:
            self.info.stage = self.shape.stage_index(self._elapsed()) + 1
            if self.agg.lock.acquire(blocking=False):  # never wait for the record thread on the event loop
                try:
                    snapshot = self.snapshot()
                finally:
                    self.agg.lock.release()
                self.view.refresh(snapshot)
            await asyncio.sleep(0.25)

    def _fold(self, record: dict[str, Any]) -> None:
        """Encode and aggregate one record (on the records thread); a failure is reported, not lost."""
        try:
            self.agg.add(0, encode_record(record, self.hist_pool))
        except Exception as exc:  # noqa: BLE001 - keep measuring; the error is printed with the summary
            self.record_errors.append(f"{type(exc).__name__}: {exc}")

    async def _drive(self) -> None:
        opts, plan = self.opts, self.opts.plan
        if opts.workers <= 1:
            engine = make_engine(plan.engine, max_connections=plan.worker_connections())
            # Encoding and folding records take milliseconds: a thread does it so the pacer never waits.
            pool = ThreadPoolExecutor(1, thread_name_prefix="loadgen-records")
            self.runner = LoadRunner(plan, engine=engine, sink=lambda rec: pool.submit(self._fold, rec),
                                     histogram_pool=self.hist_pool)
            previous_switch = sys.getswitchinterval()
            sys.setswitchinterval(min(previous_switch, 0.0005))
            try:
                await self.runner.run(self.stop)
            finally:
                self.runner = None
                await asyncio.get_running_loop().run_in_executor(None, pool.shutdown, True)
                sys.setswitchinterval(previous_switch)
                self.agg.worker_done(0)
        else:
            await run_workers(plan, opts.workers, self.agg, self.stop)

    async def run(self) -> RunResult:
        opts = self.opts
        self.loop = loop = asyncio.get_running_loop()
        server = None
        if opts.metrics_listen:
            registry = make_registry(LoadgenCollector(self.agg, self.info, self.live_values))
            server = serve_metrics(registry, opts.metrics_listen)
        installed: list[int] = []
        if opts.handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(sig, self._on_signal)
                    installed.append(sig)
        start_wall = time.time()
        self.started = time.monotonic()
        self.view.start()
        ticker = loop.create_task(self._tick())
        try:
            await self._drive()
        except asyncio.CancelledError:
            self.interrupted = True
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            self.info.stage = 0
            self.agg.finish()
            self.view.stop()
        try:
            report = build_report(self._run_meta(start_wall, time.time()), self.agg.records, list(opts.thresholds))
            write_outputs(report, json_path=opts.json_path, html_path=opts.html_path, junit_path=opts.junit_path)
            if not opts.quiet:
                print("\n".join(final_lines(report)), flush=True)
            if self.record_errors:
                print(f"loadgen: warning: {len(self.record_errors)} interval records could not be aggregated "
                      f"(first: {self.record_errors[0]})", file=sys.stderr)
            if server is not None and opts.linger_seconds > 0 and not self.interrupted:
                self.stop.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=opts.linger_seconds)
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
            if server is not None:
                server.shutdown()
                server.server_close()
        failed = not all(t["ok"] for t in report["thresholds"])
        code = EXIT_INTERRUPTED if self.interrupted else (EXIT_GATE_FAILED if failed or self.aborted else EXIT_OK)
        return RunResult(report=report, exit_code=code, interrupted=self.interrupted, aborted=self.aborted)

    def _run_meta(self, start: float, end: float) -> dict[str, Any]:
        opts, plan = self.opts, self.opts.plan
        scenario = plan.scenario
        return {
            "id": opts.run_id, "profile": opts.profile, "base_url": scenario.base_url,
            "start": _iso(start), "end": _iso(end), "interrupted": self.interrupted, "aborted": self.aborted,
            "config": {
                "model": "open" if self.shape.open_model else "closed",
                "stages": [[d, t] for d, t in self.shape.stages],
                "engine": plan.engine, "workers": opts.workers, "connections": plan.connections,
                "max_in_flight": plan.max_in_flight, "interval_s": plan.interval,
                "thresholds": [t.expr for t in opts.thresholds],
                "schedule_lag_limit_seconds": opts.lag_limit_seconds,
                "scenario": scenario.source,
                "endpoints": [{"name": e.name, "method": e.method, "path": e.path, "weight": e.weight}
                              for e in scenario.endpoints],
            },
        }


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z"


async def run_session(opts: RunOptions) -> RunResult:
    """Run one load test and write its outputs; never raises for request failures."""
    return await _Session(opts).run()
