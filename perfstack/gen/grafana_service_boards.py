"""The service-facing dashboards: Overview, API, and Database and cache.

Objective panels read the recording rules (the same series the alerts use), so a red stat
and a firing alert always agree; drill-down panels query raw series with ``$__rate_interval``
so the instance and route filters apply. Every threshold comes from the config passed in.
"""

from __future__ import annotations

from analyzer.scoring import GRADE_BANDS
from perfstack.config import PerformanceConfig
from perfstack.gen import grafana_panels as g
from perfstack.gen.grafana_queries import JOB, JOB_INSTANCE, ROUTE, quantile, rate, ratio_or_zero

__all__ = ["GRADE_COLOURS", "health_score_thresholds", "overview", "api", "database_cache"]

GRADE_COLOURS = {"A": "green", "B": "light-green", "C": "yellow", "D": "orange"}
"""One colour per analyzer grade; below the lowest band (grade F) is red."""

HTTP = "http_server_request_duration_seconds"
DB = "db_client_operation_duration_seconds"
CACHE = "cache_requests_total"


def _app_variables(metric: str, with_route: bool) -> list[dict]:
    variables = [
        g.query_variable("job", "Job", metric, description="Scrape job of the instrumented service."),
        g.query_variable("instance", "Instance", f'{metric}{{{JOB}}}', description="host:port of one replica."),
    ]
    if with_route:
        variables.append(g.query_variable("route", "Route", f'{metric}{{{JOB_INSTANCE}}}',
                                          description="Route template, e.g. /api/users/{id}."))
    return variables


def _objective_stats(cfg: PerformanceConfig) -> list[dict]:
    """One stat per threshold in performance_config.yaml, worst value across jobs/hosts."""
    api, system = cfg.api, cfg.system
    return [
        g.stat("API latency p95", f"max(job:{HTTP}:p95_rate5m{{{JOB}}})", unit="s",
               thresholds=g.steps_above(api.latency_p95_seconds),
               description=f"95th percentile over 5m; objective < {api.latency_p95_seconds:g}s."),
        g.stat("API error ratio", f"max(job:http_server_request_errors:ratio_rate5m{{{JOB}}})", unit="percentunit",
               thresholds=g.steps_above(api.error_ratio, cfg.alerts.error_critical_ratio),
               description="5xx responses over all responses, 5m."),
        g.stat("Timeout ratio", "max(job:perfstack_request_timeouts:ratio_rate5m)", unit="percentunit",
               thresholds=g.steps_above(api.timeout_ratio),
               description="Client timeouts (loadgen) and HTTP 504s over all requests, 5m."),
        g.stat("CPU utilisation", "max(instance:perfstack_cpu_utilisation:ratio_rate5m)", unit="percentunit",
               thresholds=g.steps_above(system.cpu_ratio, cfg.alerts.cpu_critical_ratio), minimum=0, maximum=1,
               description="Busiest host, 5m average."),
        g.stat("Memory utilisation", "max(instance:perfstack_memory_utilisation:ratio)", unit="percentunit",
               thresholds=g.steps_above(system.memory_ratio, cfg.alerts.memory_critical_ratio), minimum=0, maximum=1,
               description="1 - available/total on the fullest host."),
        g.stat("Disk I/O", "max(instance:perfstack_disk_io_bytes:rate5m)", unit="Bps",
               thresholds=g.steps_above(system.disk_io_bytes_per_second),
               description="Bytes read + written per second, all devices, busiest host."),
        g.stat("Network I/O", "max(instance:perfstack_network_io_bytes:rate5m)", unit="Bps",
               thresholds=g.steps_above(system.network_io_bytes_per_second),
               description="Bytes received + transmitted per second, non-loopback, busiest host."),
        g.stat("DB query p95", f"max(job:{DB}:p95_rate5m{{{JOB}}})", unit="s",
               thresholds=g.steps_above(cfg.database.query_p95_seconds),
               description=f"95th percentile of DB operations; objective < {cfg.database.query_p95_seconds:g}s."),
        g.stat("Cache hit ratio", f"min(job:cache_requests:hit_ratio_rate5m{{{JOB}}})", unit="percentunit",
               thresholds=g.steps_below(cfg.cache.hit_ratio_min), minimum=0, maximum=1,
               description=f"Hits over lookups, 5m; objective >= {cfg.cache.hit_ratio_min:.0%}."),
        g.stat("Request rate", f"sum(job:http_server_requests:rate5m{{{JOB}}})", unit="reqps",
               description="All requests per second, 5m average (context for the ratios)."),
    ]


def health_score_thresholds() -> tuple[str, list[g.Step]]:
    """Colour the health score by the analyzer's grade bands, so the stat and the report agree."""
    return "red", [g.Step(value=floor, color=GRADE_COLOURS[letter]) for letter, floor in sorted(
        GRADE_BANDS, key=lambda band: band[1])]


def overview(cfg: PerformanceConfig) -> dict:
    """Return the Overview dashboard: health score, objectives and firing alerts."""
    panels = [
        g.row("Health"),
        g.stat("Health score", "max(perfstack_health_score)", unit="none", minimum=0, maximum=100, width=6, height=6,
               thresholds=health_score_thresholds(),
               description="0-100 from `analyzer serve`; colours are the report's grades A-F."),
        g.timeseries("Health score over time", [("max(perfstack_health_score)", "score")], unit="none",
                     maximum=100, width=12, height=6),
        g.stat("Firing alerts", 'count(ALERTS{alertstate="firing"}) or vector(0)', unit="none", width=6, height=6,
               thresholds=("green", [g.Step(value=1, color="red")]),
               description="Alerts currently firing in Prometheus (any severity)."),
        g.row("Objectives (performance_config.yaml)"),
        *_objective_stats(cfg),
        g.row("Analyzer and alerts"),
        g.table("Objective states (analyzer)", "perfstack_objective_state == 1", width=12,
                description="Each objective's state over the analyzer's window: pass, warning, fail or no_data."),
        g.timeseries("Bottlenecks found (analyzer)", [("sum by (severity) (perfstack_analyzer_findings)",
                                                      "{{severity}}")], unit="none", width=12),
        g.table("Firing alerts", 'ALERTS{alertstate="firing"}',
                description="One row per firing alert, with its labels (severity, job, instance)."),
    ]
    return g.dashboard(uid="perfstack-overview", title="perfstack / Overview", tags=["perfstack", "overview"],
                       description="Health score, one stat per objective and the alerts firing now.",
                       panels=panels, variables=[g.query_variable(
                           "job", "Job", f"{HTTP}_count", description="Scrape job of the instrumented service.")])


def api(cfg: PerformanceConfig) -> dict:
    """Return the API dashboard: rate, latency percentiles, errors and status codes by route."""
    count = f"{HTTP}_count"
    latency = [(quantile(q, HTTP, ROUTE, "route"), f"p{round(q * 100)} {{{{route}}}}") for q in (0.5, 0.95, 0.99)]
    panels = [
        g.stat("Requests per second", rate(count, ROUTE), unit="reqps", width=6),
        g.stat("Latency p95", quantile(0.95, HTTP, ROUTE), unit="s", width=6,
               thresholds=g.steps_above(cfg.api.latency_p95_seconds)),
        g.stat("Error ratio", ratio_or_zero(count, ROUTE + ', status=~"5.."', ROUTE), unit="percentunit", width=6,
               thresholds=g.steps_above(cfg.api.error_ratio, cfg.alerts.error_critical_ratio)),
        g.stat("Active requests", f"sum(http_server_active_requests{{{JOB_INSTANCE}}})", unit="none", width=6),
        g.timeseries("Requests per second by route", [(rate(count, ROUTE, "route"), "{{route}}")], unit="reqps"),
        g.timeseries("Responses by status code", [(rate(count, ROUTE, "status"), "{{status}}")], unit="reqps",
                     stack=True),
        g.timeseries("Latency p50 / p95 / p99 by route", latency, unit="s", width=24,
                     thresholds=g.steps_above(cfg.api.latency_p95_seconds),
                     description="The dashed line is the p95 objective."),
        g.timeseries("Latency p95 by route (5m, as alerted)",
                     [(f'job_route:{HTTP}:p95_rate5m{{{JOB}, route=~"$route"}}', "{{job}} {{route}}")],
                     unit="s", thresholds=g.steps_above(cfg.api.latency_p95_seconds)),
        g.timeseries("Error ratio by route (5m, as alerted)",
                     [(f'job_route:http_server_request_errors:ratio_rate5m{{{JOB}, route=~"$route"}}',
                       "{{job}} {{route}}")],
                     unit="percentunit", thresholds=g.steps_above(cfg.api.error_ratio, cfg.alerts.error_critical_ratio)),
        g.timeseries("Active requests", [(f"sum by (instance) (http_server_active_requests{{{JOB_INSTANCE}}})",
                                          "{{instance}}")], unit="none"),
        g.timeseries("Mean response size by route",
                     [(f"{rate('http_server_response_size_bytes_sum', ROUTE, 'route')} / "
                       f"{rate('http_server_response_size_bytes_count', ROUTE, 'route')}", "{{route}}")],
                     unit="bytes"),
    ]
    return g.dashboard(uid="perfstack-api", title="perfstack / API", tags=["perfstack", "api"],
                       description="HTTP server metrics of instrumented services, by route.",
                       panels=panels, variables=_app_variables(count, with_route=True))


def database_cache(cfg: PerformanceConfig) -> dict:
    """Return the Database and cache dashboard."""
    db_latency = [(quantile(q, DB, JOB_INSTANCE, "operation"), f"p{round(q * 100)} {{{{operation}}}}")
                  for q in (0.5, 0.95, 0.99)]
    db_p95 = g.steps_above(cfg.database.query_p95_seconds)
    hit_min = g.steps_below(cfg.cache.hit_ratio_min)
    panels = [
        g.row("Database"),
        g.timeseries("DB p95 (5m, as alerted)", [(f"job:{DB}:p95_rate5m{{{JOB}}}", "{{job}}")], unit="s",
                     thresholds=db_p95),
        g.timeseries("DB latency p50 / p95 / p99 by operation", db_latency, unit="s", thresholds=db_p95),
        g.timeseries("DB operations per second", [(rate(f"{DB}_count", JOB_INSTANCE, "system, operation"),
                                                   "{{system}} {{operation}}")], unit="ops"),
        g.timeseries("DB time as a share of request time",
                     [(f"{rate(f'{DB}_sum', JOB_INSTANCE)} / {rate(f'{HTTP}_sum', JOB_INSTANCE)}", "db share")],
                     unit="percentunit", description="Seconds spent in DB operations per second of request time."),
        g.row("Cache"),
        g.timeseries("Cache hit ratio (5m, as alerted)",
                     [(f"job:cache_requests:hit_ratio_rate5m{{{JOB}}}", "{{job}}")], unit="percentunit", maximum=1,
                     thresholds=hit_min),
        g.timeseries("Cache hit ratio by cache",
                     [(ratio_or_zero(CACHE, JOB_INSTANCE + ', result="hit"', JOB_INSTANCE, "cache"), "{{cache}}")],
                     unit="percentunit", maximum=1, thresholds=hit_min),
        g.timeseries("Cache lookups by result", [(rate(CACHE, JOB_INSTANCE, "cache, result"),
                                                  "{{cache}} {{result}}")], unit="ops", stack=True),
    ]
    return g.dashboard(uid="perfstack-database-cache", title="perfstack / Database and cache",
                       tags=["perfstack", "database", "cache"],
                       description="DB operation latency and cache effectiveness of instrumented services.",
                       panels=panels, variables=_app_variables(f"{DB}_count", with_route=False))
