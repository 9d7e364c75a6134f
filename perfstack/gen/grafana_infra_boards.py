"""The infrastructure-facing dashboards: Host and Load test.

Host graphs draw the configured limit on every resource; the Load test dashboard shows
what the generator achieved against what it was asked for, and its own health (schedule
lag, drops), with each load stage as an annotation region from ``loadgen_run_info``.
"""

from __future__ import annotations

from perfstack.config import PerformanceConfig
from perfstack.gen import grafana_panels as g
from perfstack.gen.grafana_queries import JOB, JOB_INSTANCE, quantile, rate, ratio_or_zero

__all__ = ["host", "load_test"]

LOADGEN = "loadgen_requests_total"


def _variables(metric: str, job_help: str) -> list[dict]:
    return [
        g.query_variable("job", "Job", metric, description=job_help),
        g.query_variable("instance", "Instance", f"{metric}{{{JOB}}}", description="host:port of one target."),
    ]


def host(cfg: PerformanceConfig) -> dict:
    """Return the Host dashboard: CPU, memory, disk and network, each with its limit drawn."""
    s, al = cfg.system, cfg.alerts
    cpus = f"scalar(sum(perfstack_cpu_count{{{JOB_INSTANCE}}}))"
    busy_by_mode = rate("perfstack_cpu_seconds_total", JOB_INSTANCE + ', mode!="idle"', "mode")
    fs = f'{{{JOB_INSTANCE}, fstype!~"tmpfs|overlay|squashfs"}}'
    panels = [
        g.row("CPU"),
        g.timeseries("CPU utilisation (5m)",
                     [(f"instance:perfstack_cpu_utilisation:ratio_rate5m{{{JOB_INSTANCE}}}", "{{instance}}")],
                     unit="percentunit", maximum=1, thresholds=g.steps_above(s.cpu_ratio, al.cpu_critical_ratio)),
        g.timeseries("CPU by mode", [(f"{busy_by_mode} / {cpus}", "{{mode}}")],
                     unit="percentunit", maximum=1, stack=True,
                     thresholds=g.steps_above(s.cpu_ratio, al.cpu_critical_ratio)),
        g.timeseries("Load average", [(f"perfstack_load{n}{{{JOB_INSTANCE}}}", f"load{n} {{{{instance}}}}")
                                      for n in (1, 5, 15)], unit="short"),
        g.timeseries("Processes", [(f"perfstack_processes{{{JOB_INSTANCE}}}", "{{instance}}")], unit="short"),
        g.row("Memory"),
        g.timeseries("Memory utilisation",
                     [(f"instance:perfstack_memory_utilisation:ratio{{{JOB_INSTANCE}}}", "{{instance}}")],
                     unit="percentunit", maximum=1,
                     thresholds=g.steps_above(s.memory_ratio, al.memory_critical_ratio)),
        g.timeseries("Memory and swap", [
            (f"perfstack_memory_total_bytes{{{JOB_INSTANCE}}}", "total {{instance}}"),
            (f"perfstack_memory_total_bytes{{{JOB_INSTANCE}}} - perfstack_memory_available_bytes{{{JOB_INSTANCE}}}",
             "used {{instance}}"),
            (f"perfstack_swap_total_bytes{{{JOB_INSTANCE}}} - perfstack_swap_free_bytes{{{JOB_INSTANCE}}}",
             "swap used {{instance}}"),
        ], unit="bytes"),
        g.row("Disk"),
        g.timeseries("Disk I/O, read + written (5m)",
                     [(f"instance:perfstack_disk_io_bytes:rate5m{{{JOB_INSTANCE}}}", "{{instance}}")],
                     unit="Bps", thresholds=g.steps_above(s.disk_io_bytes_per_second)),
        g.timeseries("Disk I/O by device", [
            (rate("perfstack_disk_read_bytes_total", JOB_INSTANCE, "device"), "read {{device}}"),
            (rate("perfstack_disk_written_bytes_total", JOB_INSTANCE, "device"), "written {{device}}"),
        ], unit="Bps", thresholds=g.steps_above(s.disk_io_bytes_per_second)),
        g.timeseries("Disk busy time", [(rate("perfstack_disk_io_time_seconds_total", JOB_INSTANCE, "device"),
                                         "{{device}}")], unit="percentunit", maximum=1),
        g.timeseries("Filesystem used", [(f"1 - perfstack_filesystem_avail_bytes{fs} / perfstack_filesystem_size_bytes{fs}",
                                          "{{mountpoint}}")], unit="percentunit", maximum=1),
        g.row("Network"),
        g.timeseries("Network I/O, received + transmitted (5m)",
                     [(f"instance:perfstack_network_io_bytes:rate5m{{{JOB_INSTANCE}}}", "{{instance}}")],
                     unit="Bps", thresholds=g.steps_above(s.network_io_bytes_per_second)),
        g.timeseries("Network I/O by device", [
            (rate("perfstack_network_receive_bytes_total", JOB_INSTANCE, "device"), "received {{device}}"),
            (rate("perfstack_network_transmit_bytes_total", JOB_INSTANCE, "device"), "transmitted {{device}}"),
        ], unit="Bps", thresholds=g.steps_above(s.network_io_bytes_per_second)),
        g.row("Exporter"),
        g.timeseries("Collector success", [(f"perfstack_exporter_collector_success{{{JOB_INSTANCE}}}",
                                            "{{collector}}")], unit="bool", maximum=1, width=12, height=6),
        g.timeseries("Collector duration", [(f"perfstack_exporter_collector_duration_seconds{{{JOB_INSTANCE}}}",
                                             "{{collector}}")], unit="s", width=12, height=6),
    ]
    return g.dashboard(uid="perfstack-host", title="perfstack / Host", tags=["perfstack", "host"],
                       description="Host resources from the perfstack exporter, with the configured limits drawn.",
                       panels=panels, variables=_variables("perfstack_cpu_count", "Scrape job of the host exporter."))


def load_test(cfg: PerformanceConfig) -> dict:
    """Return the Load test dashboard: achieved vs target rate, latency, outcomes, generator health."""
    latency = [(quantile(q, "loadgen_request_duration_seconds", JOB_INSTANCE), f"p{round(q * 100)}")
               for q in (0.5, 0.95, 0.99)]
    panels = [
        g.timeseries("Achieved vs target rate", [
            (rate(LOADGEN, JOB_INSTANCE), "achieved"),
            (f"sum(loadgen_target_rate{{{JOB_INSTANCE}}})", "target"),
        ], unit="reqps", description="Target is 0 in the closed model (users, not a rate)."),
        g.timeseries("Virtual users and in-flight requests", [
            (f"sum(loadgen_virtual_users{{{JOB_INSTANCE}}})", "virtual users"),
            (f"sum(loadgen_in_flight_requests{{{JOB_INSTANCE}}})", "in flight"),
        ], unit="short"),
        g.timeseries("Latency p50 / p95 / p99 (client side)", latency, unit="s",
                     thresholds=g.steps_above(cfg.api.latency_p95_seconds)),
        g.timeseries("Requests by outcome", [(rate(LOADGEN, JOB_INSTANCE, "outcome"), "{{outcome}}")], unit="reqps",
                     stack=True),
        g.timeseries("Failed requests ratio", [(ratio_or_zero(LOADGEN, JOB_INSTANCE + ', outcome!="success"',
                                                              JOB_INSTANCE), "failed")],
                     unit="percentunit", thresholds=g.steps_above(cfg.api.error_ratio, cfg.alerts.error_critical_ratio)),
        g.timeseries("Timeout ratio", [(ratio_or_zero(LOADGEN, JOB_INSTANCE + ', outcome="timeout"', JOB_INSTANCE),
                                        "timeouts")],
                     unit="percentunit", thresholds=g.steps_above(cfg.api.timeout_ratio)),
        g.timeseries("Dropped requests", [(rate("loadgen_dropped_requests_total", JOB_INSTANCE), "dropped/s")],
                     unit="reqps", description="Open model: requests not sent because max in-flight was reached."),
        g.timeseries("Schedule lag p99", [(quantile(0.99, "loadgen_schedule_lag_seconds", JOB_INSTANCE), "p99")],
                     unit="s", thresholds=g.steps_above(cfg.generator.schedule_lag_p99_seconds),
                     description="Above the line the generator, not the target, is the bottleneck."),
    ]
    # max_over_time over one step: a stage shorter than the step still gets its region.
    stages = g.annotation("Load stages", f"max_over_time(loadgen_run_info{{{JOB}}}[{g.SCRAPE_INTERVAL}]) == 1",
                          title="{{profile}}: stage {{stage}}", text="run {{run_id}}", tags="profile,stage")
    return g.dashboard(uid="perfstack-load-test", title="perfstack / Load test", tags=["perfstack", "loadgen"],
                       description="The load generator's live metrics, with each load stage as an annotation region.",
                       panels=panels, annotations=[stages], time_from="now-30m",
                       variables=_variables("loadgen_in_flight_requests", "Scrape job of the load generator."))
