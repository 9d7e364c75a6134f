"""``python -m analyzer``: score a window from Prometheus as a CI gate, or ``serve`` it as an exporter.

Exit codes: 0 pass; 99 the gate failed (score under ``--fail-under``, no score at all with
``--fail-under``, or a key objective failed); 2 bad usage, bad config or Prometheus unreachable.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from perfstack import units
from perfstack.cli import EXIT_GATE_FAILED, EXIT_OK, ArgumentParser, UsageError, run_main
from perfstack.config import load_config

from .promql import PromAuth, PromClient, PrometheusUnreachable, PromQLError
from .render import FORMATS, render
from .runner import AnalysisRequest, analyze_prometheus
from .timeparse import parse_listen, parse_time

__all__ = ["main", "build_parser", "build_serve_parser", "gate"]

PROG = "analyzer"


def _duration(raw: str) -> float:
    try:
        value = units.parse_duration(raw)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if value <= 0:
        raise UsageError(f"expected a positive duration, got {raw!r}")
    return value


def _common(p: ArgumentParser) -> None:
    p.add_argument("--prometheus", required=True, metavar="URL",
                   help="base URL of Prometheus (or Thanos/Mimir/VictoriaMetrics); only /api/v1/query[_range] are used")
    p.add_argument("--window", default="30m", help="length of the analysed window, e.g. 30m, 1h")
    p.add_argument("--baseline-offset", default=None,
                   help="compare with the same window this much earlier (default: alerts.baseline_offset from the config)")
    p.add_argument("--job", default=None, help="only the app metrics of this scrape job (default: every job exposing them)")
    p.add_argument("--config", default=None, metavar="FILE", help="performance_config.yaml (default: the repository's)")
    p.add_argument("--scrape-interval", default="15s",
                   help="the targets' scrape interval: rate() ranges span at least 4 of them and chart steps 1, "
                        "as Grafana's $__rate_interval does, so short runs on a fast scrape keep their detail")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP request to Prometheus")
    p.add_argument("--retries", type=int, default=2, help="retries on HTTP 5xx and connection errors (with backoff)")
    p.add_argument("--bearer-token-file", default=None, metavar="FILE", help="send the token in this file as a bearer token")
    p.add_argument("--basic-auth-user", default=None, help="basic-auth user name")
    p.add_argument("--basic-auth-password-file", default=None, metavar="FILE", help="file holding the basic-auth password")


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog=PROG, description="Score a window of Prometheus data against performance_config.yaml: "
                       "objectives, health score and grade, bottlenecks, recommendations, trends and capacity. "
                       "Run 'python -m analyzer serve --help' for the exporter mode.",
                       epilog="Exit codes: 0 pass, 99 gate failed, 2 bad usage/config or Prometheus unreachable.")
    _common(p)
    p.add_argument("--end", default=None, metavar="TIME", help="end of the window: RFC 3339 or Unix time (default: now)")
    p.add_argument("--run-id", default=None, metavar="ID",
                   help="analyse the window of this load-test run, found from loadgen_run_info{run_id=ID}")
    p.add_argument("--format", choices=sorted(FORMATS), default="text", help="report format")
    p.add_argument("--output", default=None, metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--fail-under", type=float, default=None, metavar="SCORE",
                   help="exit 99 when the health score is under SCORE (0-100) or missing")
    return p


def build_serve_parser() -> ArgumentParser:
    p = ArgumentParser(prog=f"{PROG} serve", description="Serve the current analysis as Prometheus metrics "
                       "(perfstack_health_score, perfstack_objective_state, perfstack_analyzer_findings), "
                       "recomputed on scrape with a short cache.")
    _common(p)
    p.add_argument("--listen", default="127.0.0.1:9103", metavar="HOST:PORT", help="address to serve /metrics on")
    p.add_argument("--cache-seconds", type=float, default=15.0, help="reuse an analysis for this long between scrapes")
    return p


def _read_secret(path: str | None) -> str | None:
    return None if path is None else Path(path).read_text(encoding="utf-8").strip()


def _client(args) -> PromClient:
    if not args.prometheus.startswith(("http://", "https://")):
        raise UsageError(f"--prometheus: expected an http:// or https:// URL, got {args.prometheus!r}")
    if args.timeout <= 0 or args.retries < 0:
        raise UsageError("--timeout must be > 0 and --retries >= 0")
    auth = PromAuth(bearer_token=_read_secret(args.bearer_token_file), username=args.basic_auth_user,
                    password=_read_secret(args.basic_auth_password_file))
    return PromClient(args.prometheus, auth=auth, timeout=args.timeout, retries=args.retries)


def gate(report: dict, fail_under: float | None) -> str | None:
    """Return why the gate failed, or None when it passes."""
    failed = report["window"]["key_objectives_failed"]
    if failed:
        return f"key objective failed: {', '.join(failed)}"
    if fail_under is not None:
        score = report["system_health_score"]
        if score is None:
            return "no health score: no objective had data in the window"
        if score < fail_under:
            return f"health score {score:g} is under --fail-under {fail_under:g}"
    return None


def _analyze(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args.config)
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError(f"--fail-under: expected a score between 0 and 100, got {args.fail_under:g}")
    try:
        end = parse_time(args.end) if args.end else time.time()
    except ValueError as exc:
        raise UsageError(f"--end: {exc}") from None
    offset = _duration(args.baseline_offset) if args.baseline_offset else config.alerts.baseline_offset_seconds
    req = AnalysisRequest(end=end, window_seconds=_duration(args.window), baseline_offset_seconds=offset,
                          job=args.job, run_id=args.run_id, scrape_interval_seconds=_duration(args.scrape_interval))
    client = _client(args)
    try:
        report = analyze_prometheus(client, config, req)
    except (PrometheusUnreachable, PromQLError) as exc:
        raise UsageError(str(exc)) from None
    text = render(report, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    reason = gate(report, args.fail_under)
    if reason:
        print(f"{PROG}: gate failed: {reason}", file=sys.stderr)
        return EXIT_GATE_FAILED
    return EXIT_OK


def _serve(argv: list[str]) -> int:
    from .serve import AnalyzerCollector, serve_forever

    args = build_serve_parser().parse_args(argv)
    config = load_config(args.config)
    try:
        host, port = parse_listen(args.listen)
    except ValueError as exc:
        raise UsageError(f"--listen: {exc}") from None
    offset = _duration(args.baseline_offset) if args.baseline_offset else config.alerts.baseline_offset_seconds
    collector = AnalyzerCollector(client=_client(args), config=config, window_seconds=_duration(args.window),
                                  baseline_offset_seconds=offset, job=args.job, cache_seconds=args.cache_seconds)
    serve_forever(collector, host, port)
    return EXIT_OK


def _main(argv: list[str]) -> int:
    if argv and argv[0] == "serve":
        return _serve(argv[1:])
    return _analyze(argv)


def main(argv: list[str] | None = None) -> None:
    """Entry point for ``python -m analyzer`` and the ``perfstack-analyzer`` script."""
    args = sys.argv[1:] if argv is None else argv
    run_main(PROG, lambda: _main(args))


if __name__ == "__main__":
    main()
