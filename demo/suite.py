"""``python -m demo.suite``: run basic, stress, spike and endurance (each scaled) against a service.

Each profile runs through ``python -m loadgen run`` with its own run id; with ``--prometheus`` the
analyzer then judges the whole suite's window. One combined JSON report is written, and the exit
code is 0 only when every profile's thresholds passed and the analyzer's gate passed (99
otherwise). ``scripts/run-performance-tests.sh`` is a thin wrapper around this module.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from demo.steps import StepError, run_child
from demo.verdict import findings_table, objectives_table, verdict_line
from perfstack import units
from perfstack.cli import EXIT_GATE_FAILED, EXIT_OK, ArgumentParser, UsageError, run_main
from perfstack.config import load_config

__all__ = ["build_parser", "main", "scaled_duration", "combine"]

PROG = "python -m demo.suite"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = Path(__file__).resolve().parent / "scenario.yaml"
PROFILES = ("basic", "stress", "spike", "endurance")


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog=PROG, description="Run the load-test suite (basic, stress, spike, endurance; each "
                       "shortened by --scale) against --base-url, analyze the suite's window with --prometheus, "
                       "write one combined report and exit by the thresholds and the analyzer's gate.")
    p.add_argument("--base-url", default="http://127.0.0.1:8000", help="service under test")
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="loadgen scenario YAML (endpoints, "
                   "weights, checks); the default is the demo service's")
    p.add_argument("--profiles", default=",".join(PROFILES), help="comma-separated profiles to run, in order")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every profile's duration by this "
                   "(0.05 turns the 30-minute endurance run into 90 s)")
    p.add_argument("--prometheus", default=None, help="Prometheus URL that scrapes the service and the load "
                   "generator; when given, the analyzer judges the suite's window")
    p.add_argument("--metrics-listen", default="127.0.0.1:9102", help="where loadgen serves its metrics for "
                   "Prometheus to scrape")
    p.add_argument("--linger", default=None, help="keep loadgen's metrics up this long after each profile "
                   "(default: 15s with --prometheus, else 0s)")
    p.add_argument("--fail-under", type=float, default=None, help="analyzer gate: fail when the health score "
                   "is below this")
    p.add_argument("--output", type=Path, default=None, help="combined JSON report (default: "
                   "reports/suite-<UTC time>.json); per-profile loadgen reports go beside it")
    p.add_argument("--verbose", action="store_true", help="show each run's live progress, every threshold and the "
                   "analyzer's objectives")
    p.add_argument("--config", default=None, help="performance_config.yaml with thresholds and profiles")
    return p


def scaled_duration(profile_seconds: float, scale: float) -> str:
    """Return the loadgen ``--duration`` for a profile scaled by ``scale`` (at least 1 s)."""
    return units.format_duration(max(1.0, round(profile_seconds * scale, 3)))


def combine(*, suite: dict, runs: list[dict], analysis: dict | None, analyzer_code: int | None) -> dict:
    """Return the combined report with its verdict and the reasons for it (pure)."""
    reasons = [f"{r['profile']}: threshold failed: {t.get('expr')}" for r in runs
               for t in r.get("thresholds", []) if not t.get("ok")]
    reasons += [f"{r['profile']}: loadgen exited {r['exit_code']}" for r in runs if r["exit_code"] not in (0, 99)]
    if analyzer_code == EXIT_GATE_FAILED:
        verdict = (analysis or {}).get("verdict", "fail")
        reasons.append(f"analyzer gate failed (verdict {verdict}, score {(analysis or {}).get('system_health_score')})")
    return {"suite": suite, "runs": runs, "analysis": analysis, "verdict": "fail" if reasons else "pass",
            "reasons": reasons}


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args.config)
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = [p for p in profiles if p not in config.profiles]
    if not profiles or unknown:
        raise UsageError(f"--profiles: unknown profile {unknown[0] if unknown else '(none)'!r} "
                         f"(have: {', '.join(config.profiles)})")
    if not 0 < args.scale <= 10:
        raise UsageError(f"--scale must be in (0, 10], got {args.scale}")
    if not args.scenario.is_file():
        raise UsageError(f"--scenario: no such file: {args.scenario}")
    linger = args.linger or ("15s" if args.prometheus else "0s")
    try:
        units.parse_duration(linger)
    except ValueError as exc:
        raise UsageError(f"--linger: {exc}") from None
    signal.signal(signal.SIGTERM, _raise_interrupt)
    started = datetime.now(UTC)
    suite_id = f"suite-{started.strftime('%Y%m%dT%H%M%SZ')}"
    output = args.output or Path("reports") / f"{suite_id}.json"
    run_dir = output.parent / output.stem
    run_dir.mkdir(parents=True, exist_ok=True)
    console = Console(highlight=False, soft_wrap=True)
    config_args = ["--config", args.config] if args.config else []
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="perfstack-suite-") as tmp:
        logs = Path(tmp)
        start = time.time()
        for profile in profiles:
            duration = scaled_duration(config.profiles[profile].duration_seconds, args.scale)
            run_id, report = f"{suite_id}-{profile}", run_dir / f"{profile}.json"
            console.print(f"[bold]{profile}[/]: {duration} against {args.base_url} (run id {run_id})")
            argv_ = ["-m", "loadgen", "run", "--scenario", str(args.scenario), "--base-url", args.base_url, "--profile", profile,
                     "--duration", duration, "--run-id", run_id, "--json", str(report),
                     "--html", str(report.with_suffix(".html")), "--metrics-listen", args.metrics_listen,
                     "--linger", linger, *([] if args.verbose else ["--quiet"]), *config_args]
            try:
                code = run_child(f"loadgen-{profile}", argv_, log_dir=logs, cwd=Path.cwd(),
                                 timeout=units.parse_duration(duration) + units.parse_duration(linger) + 120,
                                 capture=not args.verbose)
            except StepError as exc:
                raise UsageError(str(exc)) from None
            data = json.loads(report.read_text(encoding="utf-8"))
            runs.append({"profile": profile, "run_id": run_id, "duration": duration, "exit_code": code,
                         "report": str(report), "summary": data.get("summary", {}),
                         "thresholds": data.get("thresholds", []), "generator": data.get("generator", {})})
        end = time.time()
        analysis, analyzer_code = None, None
        if args.prometheus:
            analysis_path = run_dir / "analysis.json"
            argv_ = ["-m", "analyzer", "--prometheus", args.prometheus, "--end", f"{end:.3f}",
                     "--window", units.format_duration(max(1.0, round(end - start))), "--format", "json",
                     "--output", str(analysis_path), *config_args]
            if args.fail_under is not None:
                argv_ += ["--fail-under", f"{args.fail_under:g}"]
            try:
                analyzer_code = run_child("analyzer", argv_, log_dir=logs, cwd=Path.cwd(), timeout=180)
            except StepError as exc:
                raise UsageError(str(exc)) from None
            analysis = json.loads(analysis_path.read_text(encoding="utf-8"))
    suite = {"id": suite_id, "base_url": args.base_url, "scale": args.scale, "profiles": profiles,
             "start": start, "end": end, "prometheus": args.prometheus}
    combined = combine(suite=suite, runs=runs, analysis=analysis, analyzer_code=analyzer_code)
    output.write_text(json.dumps(combined, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    console.print(_summary_table(combined))
    if args.verbose:
        for run in runs:
            for t in run["thresholds"]:
                console.print(f"  {run['profile']:10} {'pass' if t.get('ok') else 'FAIL':4}  {t.get('expr')}"
                              f"  (observed {t.get('observed')})")
    if analysis is not None:
        if args.verbose:
            console.print(objectives_table(analysis))
        console.print(findings_table(analysis))
        console.print(verdict_line(analysis))
    for reason in combined["reasons"]:
        console.print(f"[red]✗[/] {reason}")
    console.print(f"Verdict: {combined['verdict'].upper()}")
    print(f"Report: {output}")
    return EXIT_OK if combined["verdict"] == "pass" else EXIT_GATE_FAILED


def _summary_table(combined: dict) -> Table:
    t = Table(title="Suite", title_justify="left")
    for col in ("profile", "duration", "requests", "req/s", "p95", "errors", "thresholds"):
        t.add_column(col, justify="right" if col not in ("profile",) else "left")
    for r in combined["runs"]:
        s = r["summary"]
        p95 = (s.get("latency_ms") or {}).get("p95")
        ok = sum(1 for x in r["thresholds"] if x.get("ok"))
        t.add_row(r["profile"], r["duration"], str(s.get("requests", "-")), f"{s.get('rps', 0):.1f}",
                  "-" if p95 is None else f"{p95:.0f} ms", f"{100 * (s.get('error_rate') or 0):.1f} %",
                  f"{ok}/{len(r['thresholds'])}")
    return t


if __name__ == "__main__":
    run_main(PROG, lambda: main(sys.argv[1:]))
