"""``python -m demo.run``: the main job — from nothing to a verdict in one command.

Starts the demo service, the exporter, Prometheus (with the generated rules) and Alertmanager on
free 127.0.0.1 ports; runs the ``basic`` profile shortened to ``--duration`` with loadgen; runs the
analyzer over exactly that run's window; prints a verdict table and the report paths; and stops
everything it started on success, failure, Ctrl-C or SIGTERM. ``--stack`` starts the same stack
and leaves it running until Ctrl-C.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from demo.faults import FAULT_HELP, expected_finding, parse_faults
from demo.stack import LocalStack, StackOptions
from demo.steps import ReportPaths, StepError, analyzer_argv, loadgen_argv, run_child
from demo.verdict import check_expectation, render_verdict
from perfstack import units
from perfstack.cli import EXIT_GATE_FAILED, ArgumentParser, UsageError, run_main
from perfstack.config import load_config
from perfstack.services import ServiceError

__all__ = ["build_parser", "main", "make_run_id"]

PROG = "python -m demo.run"
REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIO = Path(__file__).resolve().parent / "scenario.yaml"


def build_parser() -> ArgumentParser:
    faults = "; ".join(f"{k}: {v}" for k, v in FAULT_HELP.items()).replace("%", "%%")
    p = ArgumentParser(prog=PROG, description="Start the demo service, exporter, Prometheus and Alertmanager on "
                       "127.0.0.1, load the service, analyze the run and print a verdict (or, with --stack, leave "
                       "the stack running).")
    p.add_argument("--duration", default="60s", help="how long to load the service (the basic profile is shortened "
                   "to this)")
    p.add_argument("--fault", default="none", help=f"comma-separated faults the demo service injects. {faults}")
    p.add_argument("--latency-multiplier", type=float, default=None, help="scale the service's simulated model "
                   "latency")
    p.add_argument("--profile", default="basic", help="load profile from the config")
    p.add_argument("--stack", action="store_true", help="only start the stack, print its URLs and keep it running "
                   "until Ctrl-C (prefers the documented ports 8000/9101/9090/9093 when free)")
    p.add_argument("--reports-dir", type=Path, default=Path("reports"), help="reports go to REPORTS_DIR/RUN_ID/")
    p.add_argument("--run-id", default=None, help="name of this run (default: demo-<UTC time>-<fault>)")
    p.add_argument("--scrape-interval", default="2s", help="Prometheus scrape and rule evaluation interval")
    p.add_argument("--seed", type=int, default=None, help="seed the demo service's RNG")
    p.add_argument("--check", action="store_true", help="exit 99 unless the run shows what it should: a healthy "
                   "verdict with --fault none, else the fault's bottleneck category as the top finding")
    p.add_argument("--config", default=None, help="performance_config.yaml with thresholds and profiles")
    return p


def make_run_id(fault_names: tuple[str, ...], now: datetime) -> str:
    """Return 'demo-20260101T120000Z-slow-db' (sortable, unique per second, names the fault)."""
    return f"demo-{now.strftime('%Y%m%dT%H%M%SZ')}-{'+'.join(fault_names)}"


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _validate(args) -> None:
    try:
        duration = units.parse_duration(args.duration)
        interval = units.parse_duration(args.scrape_interval)
    except ValueError as exc:
        raise UsageError(f"--duration/--scrape-interval: {exc}") from None
    if duration < 5:
        raise UsageError("--duration must be at least 5s (Prometheus needs a few scrapes)")
    if not 0.5 <= interval <= duration / 2:
        raise UsageError("--scrape-interval must be at least 500ms and at most half of --duration")
    if args.run_id is not None and (not args.run_id or "/" in args.run_id or args.run_id.startswith(".")):
        raise UsageError(f"--run-id must be a plain name, got {args.run_id!r}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args.config)
    _validate(args)
    try:
        faults = parse_faults(args.fault, args.latency_multiplier)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not args.stack and args.profile not in config.profiles:
        raise UsageError(f"--profile {args.profile!r} is not in {config.source} (have: {', '.join(config.profiles)})")
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    console = Console(highlight=False, soft_wrap=True)
    workdir = Path(tempfile.mkdtemp(prefix="perfstack-demo-"))
    stack = LocalStack(StackOptions(repo_root=REPO_ROOT, fault=args.fault, latency_multiplier=args.latency_multiplier,
                                    seed=args.seed, scrape_interval=args.scrape_interval,
                                    prefer_default_ports=args.stack, config_path=args.config), workdir=workdir)
    try:
        console.print(f"[bold]perfstack demo[/]: starting the stack on 127.0.0.1 (fault: {','.join(faults.names)})")
        try:
            stack.start()
        except ServiceError as exc:
            raise UsageError(f"could not start the stack: {exc}") from None
        _print_urls(stack, console)
        if args.stack:
            return _hold(stack, console)
        return _run(args, stack, faults, console)
    finally:
        # A second Ctrl-C must not cut the cleanup short and leave processes behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _print_urls(stack: LocalStack, console: Console) -> None:
    console.print("The stack is running:")
    for name, url in stack.urls.items():
        console.print(f"  {name:16} {url}")


def _hold(stack: LocalStack, console: Console) -> int:
    """Print what to try and wait for Ctrl-C; fail if a process dies meanwhile."""
    u = stack.urls
    console.print("Try:")
    console.print(f"  .venv/bin/python -m loadgen run --scenario demo/scenario.yaml --base-url {u['service']} "
                  f"--metrics-listen {u['loadgen_metrics']}")
    console.print(f"  .venv/bin/python -m analyzer --prometheus {u['prometheus']} --window 5m")
    console.print(f"  curl -X PUT {u['admin']} -d '{{\"fault\": \"slow-db\"}}'")
    console.print("Press Ctrl-C to stop everything.")
    try:
        while True:
            dead = stack.dead()
            if dead:
                raise UsageError(f"{dead} exited unexpectedly; stopping the stack")
            time.sleep(1.0)
    except KeyboardInterrupt:
        console.print("Stopping the stack ...")
        return 0


def _run(args, stack: LocalStack, faults, console: Console) -> int:
    run_id = args.run_id or make_run_id(faults.names, datetime.now(UTC))
    reports = ReportPaths(directory=args.reports_dir / run_id)
    reports.directory.mkdir(parents=True, exist_ok=True)
    logs = stack.workdir / "logs"
    interval = units.parse_duration(args.scrape_interval)
    duration = units.parse_duration(args.duration)
    console.print(f"Loading {stack.urls['service']} with the {args.profile} profile for {args.duration} "
                  f"(run id {run_id}) ...")
    try:
        run_child("loadgen", loadgen_argv(
            scenario=SCENARIO, base_url=stack.urls["service"], profile=args.profile, duration=args.duration,
            run_id=run_id, reports=reports, metrics_listen=stack.urls["loadgen_metrics"],
            linger=units.format_duration(2 * interval), config=args.config, quiet=not sys.stdout.isatty()),
            log_dir=logs, cwd=REPO_ROOT, timeout=duration + 120, capture=not sys.stdout.isatty())
        console.print("Analyzing the run's window ...")
        for fmt, out in (("json", reports.analysis_json), ("html", reports.analysis_html)):
            run_child(f"analyzer-{fmt}", analyzer_argv(prometheus_url=stack.urls["prometheus"], run_id=run_id,
                                                       fmt=fmt, output=out, config=args.config,
                                                       scrape_interval=args.scrape_interval),
                      log_dir=logs, cwd=REPO_ROOT, timeout=120)
        loadtest = json.loads(reports.loadtest_json.read_text(encoding="utf-8"))
        analysis = json.loads(reports.analysis_json.read_text(encoding="utf-8"))
    except StepError as exc:
        raise UsageError(str(exc)) from None
    finally:
        shutil.copytree(logs, reports.directory / "logs", dirs_exist_ok=True)
        for mp in stack.managed:
            shutil.copy2(mp.log_path, reports.directory / "logs" / mp.log_path.name)
    expected = expected_finding(faults)
    console.print(render_verdict(loadtest, analysis, expected))
    print("Reports:")
    for name, path in reports.all().items():
        print(f"  {name}: {path}")
    ok, _ = check_expectation(analysis, expected)
    return EXIT_GATE_FAILED if args.check and not ok else 0


if __name__ == "__main__":
    run_main(PROG, lambda: main(sys.argv[1:]))
