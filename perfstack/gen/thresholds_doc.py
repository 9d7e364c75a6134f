"""Generate ``docs/thresholds.md``: every threshold's current value, what reads it, how to change it.

The values come from the config being generated, so the page can never disagree with
``performance_config.yaml``; the "read by" column names the contract (alert, analyzer objective,
loadgen default threshold) each key drives.
"""

from __future__ import annotations

from perfstack.config import PerformanceConfig
from perfstack.units import format_duration

__all__ = ["generate", "render_thresholds_doc"]


def _pct(ratio: float) -> str:
    return f"{ratio * 100:g} %"


def _mbps(rate: float) -> str:
    return f"{rate / 1e6:g} MB/s"


def _rows(c: PerformanceConfig) -> list[tuple[str, str, str]]:
    a = c.alerts
    return [
        ("thresholds.api.latency_p95", format_duration(c.api.latency_p95_seconds),
         "`ApiLatencyP95High`; analyzer objective `api_latency_p95`; loadgen default threshold `p95`"),
        ("thresholds.api.timeout_rate", _pct(c.api.timeout_ratio),
         "`ApiTimeoutRateHigh`; analyzer objective `api_timeout_ratio`; loadgen default threshold `timeout_rate`"),
        ("thresholds.api.error_rate", _pct(c.api.error_ratio),
         "`ApiErrorRateHigh` (warning); analyzer key objective `api_error_ratio`; loadgen default `error_rate`"),
        ("thresholds.api.availability", _pct(c.api.availability_ratio_min),
         "analyzer key objective `availability` (share of scrapes with the service up); `TargetDown` pages on any miss"),
        ("thresholds.system.cpu", _pct(c.system.cpu_ratio), "`HostCpuHigh` (warning); objective `cpu_utilisation`"),
        ("thresholds.system.memory", _pct(c.system.memory_ratio),
         "`HostMemoryHigh` (warning); objective `memory_utilisation`"),
        ("thresholds.system.disk_io", _mbps(c.system.disk_io_bytes_per_second), "`HostDiskIoHigh`; objective `disk_io`"),
        ("thresholds.system.network_io", _mbps(c.system.network_io_bytes_per_second),
         "`HostNetworkIoHigh`; objective `network_io`"),
        ("thresholds.database.query_p95", format_duration(c.database.query_p95_seconds),
         "`DbQueryLatencyP95High`; objective `db_query_p95`"),
        ("thresholds.cache.hit_rate", _pct(c.cache.hit_ratio_min), "`CacheHitRatioLow`; objective `cache_hit_ratio`"),
        ("alerts.latency_degradation", _pct(a.latency_degradation_ratio),
         "`ApiLatencyDegraded`; analyzer trend flag (degradation)"),
        ("alerts.cpu_critical", _pct(a.cpu_critical_ratio), "`HostCpuHigh` (critical); objective warning band"),
        ("alerts.memory_critical", _pct(a.memory_critical_ratio), "`HostMemoryHigh` (critical); objective warning band"),
        ("alerts.error_rate_critical", _pct(a.error_critical_ratio),
         "`ApiErrorRateHigh` (critical); objective warning band"),
        ("alerts.availability_critical", _pct(a.availability_critical_ratio),
         "objective `availability`: below it the objective fails (between it and the objective: warning)"),
        ("alerts.min_request_rate", f"{a.min_request_rate:g} req/s",
         "guard on every ratio and latency alert; analyzer low-traffic guard"),
        ("alerts.capacity_horizon", format_duration(a.capacity_horizon_seconds),
         "`HostMemoryExhaustionPredicted`, `HostDiskExhaustionPredicted`"),
        ("alerts.baseline_offset", format_duration(a.baseline_offset_seconds),
         "`ApiLatencyDegraded`; analyzer `--baseline-offset` default"),
        ("generator.schedule_lag_p99", format_duration(c.generator.schedule_lag_p99_seconds),
         "loadgen's \"generator saturated\" mark; objective `generator_schedule_lag_p99`"),
    ]


def render_thresholds_doc(config: PerformanceConfig) -> str:
    """Return the page text for ``config`` (pure)."""
    lines = [
        "# Thresholds",
        "",
        "<!-- Generated from performance_config.yaml by `python -m perfstack.generate` "
        "(perfstack/gen/thresholds_doc.py); do not edit. -->",
        "",
        "Every threshold lives in one file, `performance_config.yaml`. The Prometheus alerting and",
        "recording rules, their promtool tests, the Grafana dashboards and this page are generated",
        "from it; the load generator's default thresholds and the analyzer's objectives read it at run",
        "time. Change a value in one place and everything agrees.",
        "",
        "## Current values",
        "",
        "| key | value | read by |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{key}` | {value} | {users} |" for key, value, users in _rows(config)]
    lines += [
        "",
        "Units: durations `500ms`, `1s`, `5m`; ratios `80%` or `0.8`; byte rates `50MB/s` with",
        "MB = 10^6 bytes (`MiB` for 2^20). A bare number is refused where the unit would be ambiguous.",
        "",
        "## Load profiles",
        "",
        "| profile | stages | length | description |",
        "| --- | --- | --- | --- |",
    ]
    for p in config.profiles.values():
        stages = ", ".join(f"{format_duration(s.duration_seconds)}→{s.users} users" if s.users is not None
                           else f"{format_duration(s.duration_seconds)}→{s.rate:g}/s" for s in p.stages)
        lines.append(f"| `{p.name}` | {stages} | {format_duration(p.duration_seconds)} | {p.description} |")
    lines += [
        "",
        "## Changing a threshold",
        "",
        "1. Edit `performance_config.yaml` (for example `thresholds.api.latency_p95: 800ms`).",
        "2. Regenerate every derived file and check the rules still pass their tests:",
        "",
        "```sh",
        "make generate",
        "promtool check rules prometheus/rules/*.yml",
        "promtool test rules prometheus/tests/*.yml",
        "```",
        "",
        "3. Commit the config together with the regenerated files (`prometheus/`, `grafana/`, `docs/`).",
        "   `make test` fails while a generated file is out of date (`make check-generated` names it).",
        "4. The load generator and the analyzer read the file at start. A running Prometheus picks up",
        "   regenerated rules on reload (`make stack` starts it with the lifecycle API enabled, and",
        "   copies the rules at start, so restarting `make stack` is the simplest way).",
        "",
        "To try values without touching the committed file, pass a copy to any command:",
        "",
        "```sh",
        "python -m analyzer --config my-thresholds.yaml --prometheus http://127.0.0.1:9090 --window 30m",
        "```",
        "",
        "A bad value is reported in one line naming the file, the key and what was expected, and every",
        "command exits with code 2.",
        "",
        "## How the analyzer grades",
        "",
        "Each threshold is an objective: at or under the threshold passes; past it but within the",
        "critical level (or 20 % past the threshold where there is no critical level) is a warning",
        "worth half its weight; beyond that fails. The error rate and availability are key",
        "objectives: failing either fails the verdict whatever the score. Objectives without data are",
        "reported as `no data` and left out of the score.",
    ]
    return "\n".join(lines) + "\n"


def generate(config: PerformanceConfig) -> dict[str, str]:
    """Return ``{"docs/thresholds.md": text}``."""
    return {"docs/thresholds.md": render_thresholds_doc(config)}
