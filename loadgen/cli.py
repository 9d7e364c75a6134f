"""``python -m loadgen run|merge|compare|suite``: argument parsing and the four commands.

Exit codes follow perfstack.cli: 0 pass, 99 a threshold failed (or compare found a regression),
2 bad usage or config, 130 interrupted — and an interrupted run still writes every report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from loadgen.compare import compare_reports, render_comparison
from loadgen.engines import ENGINE_NAMES
from loadgen.live import final_lines
from loadgen.loop import new_event_loop
from loadgen.merge import ReportError, check_report, merge_reports
from loadgen.options import RunInputs, parse_seconds, parse_workers, resolve
from loadgen.outputs import write_outputs
from loadgen.session import run_session
from loadgen.workers import WorkerError
from perfstack import units
from perfstack.cli import EXIT_GATE_FAILED, EXIT_INTERRUPTED, EXIT_OK, ArgumentParser, UsageError
from perfstack.config import load_config

__all__ = ["build_parser", "main"]

PROG = "python -m loadgen"


def _add_load_options(p: argparse.ArgumentParser, *, single: bool) -> None:
    p.add_argument("--config", metavar="FILE", help="performance_config.yaml with profiles and default thresholds "
                   "(default: the repository's)")
    p.add_argument("--scenario", metavar="FILE", help="scenario YAML: base_url, headers, endpoints, data file")
    p.add_argument("--base-url", metavar="URL", help="target base URL (overrides the scenario's; alone it loads GET /)")
    if single:
        p.add_argument("--profile", default="basic", help="load profile from the config: basic, stress, spike, endurance")
    p.add_argument("--users", type=int, metavar="N", help="closed model: scale the profile so its peak is N virtual users")
    p.add_argument("--rate", type=float, metavar="R", help="open model: scale the profile to a peak of R requests/s")
    p.add_argument("--duration", metavar="D", help="stretch the profile to this total duration, e.g. 30s or 5m")
    p.add_argument("--ramp-up", metavar="D", help="length of the first (ramp) stage, e.g. 10s (0s = start at full load)")
    p.add_argument("--engine", choices=ENGINE_NAMES, help="HTTP engine (default: the scenario's engine, else aiohttp)")
    p.add_argument("--workers", default="1", metavar="N|auto", help="processes sharing the load (auto = one per core)")
    p.add_argument("--connections", type=int, default=0, metavar="N",
                   help="connection cap (0 = peak users in the closed model, --max-in-flight in the open model)")
    p.add_argument("--max-in-flight", type=int, default=1000, metavar="N",
                   help="open model: requests past this many in flight are dropped and counted, never delayed")
    p.add_argument("--threshold", action="append", default=[], metavar="EXPR",
                   help="pass/fail check, repeatable: 'p95<1000ms', 'error_rate<5%%', 'rps>100', 'p99{endpoint=login}<2s'")
    p.add_argument("--no-default-thresholds", action="store_true",
                   help="do not add the config's p95/error_rate/timeout_rate objectives")
    p.add_argument("--abort-on-fail", action="store_true", help="stop early when a threshold fails after --abort-grace")
    p.add_argument("--abort-grace", default="10s", metavar="D", help="time before --abort-on-fail may stop the run")
    p.add_argument("--metrics-listen", default="127.0.0.1:9102", metavar="HOST:PORT",
                   help="serve loadgen_* metrics here during the run ('' to disable)")
    p.add_argument("--linger", default="15s", metavar="D", help="keep /metrics up this long after the run")
    p.add_argument("--quiet", action="store_true", help="no live view or summary (for CI)")
    p.add_argument("--interval", default="1s", metavar="D", help="length of one reporting interval")
    p.add_argument("--seed", type=int, help="random seed for endpoint choice and think time")


def build_parser() -> ArgumentParser:
    """Return the parser for every subcommand."""
    parser = ArgumentParser(prog=PROG, description="Open- and closed-model HTTP load generator with HdrHistogram "
                            "latency (coordinated-omission corrected), live Prometheus metrics and reports.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run one load test", description="Run one load test.",
                         formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    _add_load_options(run, single=True)
    run.add_argument("--run-id", help="run identifier (default: generated, e.g. 20261128T201500Z-ab12)")
    run.add_argument("--json", type=Path, metavar="FILE", help="write the full, mergeable JSON report here")
    run.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML report here")
    run.add_argument("--junit", type=Path, metavar="FILE", help="write thresholds as JUnit XML here")

    suite = sub.add_parser("suite", help="run several profiles one after another",
                           description="Run several profiles and write a report set per profile.",
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    _add_load_options(suite, single=False)
    suite.add_argument("--profiles", default="basic,stress", help="comma-separated profile names")
    suite.add_argument("--output-dir", type=Path, required=True, metavar="DIR",
                       help="where <profile>.json, .html and .junit.xml are written")

    merge = sub.add_parser("merge", help="merge JSON reports of concurrent runs exactly",
                           description="Merge JSON reports (histograms added, not averaged).",
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    merge.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="merged JSON report")
    merge.add_argument("--html", type=Path, metavar="FILE", help="also write the merged HTML report")
    merge.add_argument("--junit", type=Path, metavar="FILE", help="also write the merged thresholds as JUnit XML")

    cmp_ = sub.add_parser("compare", help="compare two JSON reports with a noise-aware verdict",
                          description="Print per-metric change and a regression verdict; exit 99 on regression.",
                          formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    cmp_.add_argument("base", type=Path, metavar="BASE.json")
    cmp_.add_argument("new", type=Path, metavar="NEW.json")
    cmp_.add_argument("--tolerance", default="10%", help="relative change below which a difference is noise")
    cmp_.add_argument("--json", type=Path, metavar="FILE", help="write the comparison as JSON")
    return parser


def _inputs(args: argparse.Namespace, profile: str, **paths: Any) -> RunInputs:
    return RunInputs(
        base_url=args.base_url, scenario=args.scenario, profile=profile, users=args.users, rate=args.rate,
        duration=parse_seconds(args.duration, "--duration") if args.duration else None,
        ramp_up=parse_seconds(args.ramp_up, "--ramp-up") if args.ramp_up is not None else None,
        engine=args.engine, workers=parse_workers(args.workers), connections=args.connections,
        max_in_flight=args.max_in_flight, interval=parse_seconds(args.interval, "--interval"),
        thresholds=tuple(args.threshold), default_thresholds=not args.no_default_thresholds,
        abort_on_fail=args.abort_on_fail, abort_grace=parse_seconds(args.abort_grace, "--abort-grace"),
        metrics_listen=args.metrics_listen or None, linger=parse_seconds(args.linger, "--linger"),
        quiet=args.quiet, handle_signals=True, seed=args.seed, **paths,
    )


def _run(opts) -> int:
    loop = new_event_loop()
    try:
        result = loop.run_until_complete(run_session(opts))
    except WorkerError as exc:
        raise UsageError(str(exc)) from None
    finally:
        loop.close()
    return result.exit_code


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    opts = resolve(_inputs(args, args.profile, run_id=args.run_id, json_path=args.json, html_path=args.html,
                           junit_path=args.junit), config)
    return _run(opts)


def cmd_suite(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    if not profiles:
        raise UsageError("--profiles: expected at least one profile name")
    all_opts = []
    for i, name in enumerate(profiles):
        out = args.output_dir / name
        inputs = _inputs(args, name, json_path=out.with_suffix(".json"), html_path=out.with_suffix(".html"),
                         junit_path=out.with_suffix(".junit.xml"))
        if i < len(profiles) - 1:
            from dataclasses import replace
            inputs = replace(inputs, linger=0.0)
        all_opts.append(resolve(inputs, config))  # validate every profile before starting any
    worst = EXIT_OK
    for opts in all_opts:
        code = _run(opts)
        if code == EXIT_INTERRUPTED:
            return code
        worst = max(worst, code)
    return worst


def _read_report(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    try:
        return check_report(doc, str(path))
    except ReportError as exc:
        raise UsageError(str(exc)) from None


def cmd_merge(args: argparse.Namespace) -> int:
    merged = merge_reports([_read_report(p) for p in args.reports])
    write_outputs(merged, json_path=args.output, html_path=args.html, junit_path=args.junit)
    print("\n".join(final_lines(merged)))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    try:
        tolerance = units.parse_ratio(args.tolerance)
    except ValueError as exc:
        raise UsageError(f"--tolerance: {exc}, got {args.tolerance!r}") from None
    overall, changes = compare_reports(_read_report(args.base), _read_report(args.new), tolerance=tolerance)
    print(render_comparison(overall, changes))
    if args.json:
        from dataclasses import asdict
        write_outputs_json = {"verdict": overall, "changes": [asdict(c) for c in changes]}
        args.json.write_text(json.dumps(write_outputs_json, indent=1) + "\n", encoding="utf-8")
    return EXIT_GATE_FAILED if overall == "regression" else EXIT_OK


_COMMANDS = {"run": cmd_run, "suite": cmd_suite, "merge": cmd_merge, "compare": cmd_compare}


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; return its exit code."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return _COMMANDS[args.command](args)
