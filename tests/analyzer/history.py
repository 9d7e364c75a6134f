"""Build deterministic Prometheus history (OpenMetrics text) for the exporter, app and loadgen jobs.

A scenario is a function from elapsed seconds to a :class:`State` (request rates, latency mix and
error ratio per route, CPU, memory, DB latency, cache hits, generator lag, load-test stage). The
builder integrates it into cumulative counters and histograms sampled every ``step`` seconds with
the contract's metric names, so backfilled Prometheus answers exactly what a scraped one would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import openmetrics_series

__all__ = ["RouteLoad", "State", "HistoryBuilder", "BUCKETS"]

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
APP, EXPORTER, LOADGEN = ("app", "127.0.0.1:8000"), ("exporter", "127.0.0.1:9101"), ("loadgen", "127.0.0.1:9102")


@dataclass(frozen=True, kw_only=True)
class RouteLoad:
    """One route: requests per second, latency mix ((seconds, fraction), ...) and 5xx ratio."""

    rps: float
    latencies: tuple[tuple[float, float], ...] = ((0.05, 1.0),)
    error_ratio: float = 0.0


@dataclass(frozen=True, kw_only=True)
class State:
    """Everything the synthetic system does during one sample interval."""

    routes: dict[str, RouteLoad]
    cpu: float = 0.3
    memory: float = 0.5
    db_latency: float = 0.02
    db_ops_per_request: float = 1.0
    cache_hit: float = 0.95
    schedule_lag: float = 0.002
    disk_used: float = 0.4
    app_up: float = 1.0
    run: tuple[str, str, str] | None = None
    jobs: tuple[tuple[str, str], ...] = (APP,)


@dataclass
class _Family:
    mtype: str
    series: dict[tuple, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))


class HistoryBuilder:
    """Accumulate scenario segments, then render them as one OpenMetrics document."""

    def __init__(self, step: float = 30.0) -> None:
        self.step = step
        self.families: dict[str, _Family] = {}
        self.totals: dict[tuple, float] = defaultdict(float)

    def _point(self, name: str, mtype: str, labels: dict[str, str], ts: float, value: float) -> None:
        fam = self.families.setdefault(name, _Family(mtype))
        fam.series[tuple(sorted(labels.items()))].append((ts, value))

    def _count(self, name: str, labels: dict[str, str], ts: float, inc: float) -> None:
        key = (name, tuple(sorted(labels.items())))
        self.totals[key] += inc
        self._point(name, "counter", labels, ts, self.totals[key])

    def _hist(self, name: str, labels: dict[str, str], ts: float, count: float,
              mix: tuple[tuple[float, float], ...]) -> None:
        for le in (*BUCKETS, float("inf")):
            inc = sum(count * frac for lat, frac in mix if lat <= le)
            key = (name + "_bucket", tuple(sorted({**labels, "le": _le(le)}.items())))
            self.totals[key] += inc
            self._point(name, "histogram", {**labels, "le": _le(le)}, ts, self.totals[key])
        for suffix, inc in (("_sum", sum(count * frac * lat for lat, frac in mix)), ("_count", count)):
            key = (name + suffix, tuple(sorted(labels.items())))
            self.totals[key] += inc
            self._point(name, "histogram", {**labels, "__suffix__": suffix}, ts, self.totals[key])

    def add(self, start: float, seconds: float, scenario: Callable[[float], State]) -> None:
        """Integrate ``scenario`` from ``start`` for ``seconds``, counters restarting from zero."""
        self.totals.clear()
        steps = int(seconds // self.step)
        for i in range(steps + 1):
            ts = start + i * self.step
            s = scenario(i * self.step)
            dt = self.step if i else 0.0
            self._sample(ts, dt, s)

    def _sample(self, ts: float, dt: float, s: State) -> None:
        exp = {"job": EXPORTER[0], "instance": EXPORTER[1]}
        gen = {"job": LOADGEN[0], "instance": LOADGEN[1]}
        total_rps = sum(load.rps for load in s.routes.values())
        for job, instance in s.jobs:
            app = {"job": job, "instance": instance}
            for route, load in s.routes.items():
                for status, share in (("200", 1 - load.error_ratio), ("500", load.error_ratio)):
                    if share > 0:
                        lbl = {**app, "method": "GET", "route": route, "status": status}
                        self._hist("http_server_request_duration_seconds", lbl, ts, load.rps * share * dt, load.latencies)
            ops = total_rps * s.db_ops_per_request * dt
            self._hist("db_client_operation_duration_seconds", {**app, "system": "postgresql", "operation": "SELECT"},
                       ts, ops, ((s.db_latency, 1.0),))
            for result, share in (("hit", s.cache_hit), ("miss", 1 - s.cache_hit)):
                self._count("cache_requests", {**app, "cache": "redis", "result": result}, ts, total_rps * share * dt)
            self._point("up", "gauge", app, ts, s.app_up)
        n_jobs = len(s.jobs)
        for route, load in s.routes.items():
            for status, share in (("200", 1 - load.error_ratio), ("500", load.error_ratio)):
                if share > 0:
                    outcome = "success" if status == "200" else "http_error"
                    self._count("loadgen_requests", {**gen, "endpoint": route, "method": "GET", "status": status,
                                                     "outcome": outcome}, ts, n_jobs * load.rps * share * dt)
        self._hist("loadgen_schedule_lag_seconds", gen, ts, n_jobs * total_rps * dt, ((s.schedule_lag, 1.0),))
        for cpu in ("0", "1"):
            for mode, share in (("idle", 1 - s.cpu), ("user", s.cpu * 0.8), ("system", s.cpu * 0.2)):
                self._count("perfstack_cpu_seconds", {**exp, "cpu": cpu, "mode": mode}, ts, share * dt)
        self._point("perfstack_memory_total_bytes", "gauge", exp, ts, 8e9)
        self._point("perfstack_memory_available_bytes", "gauge", exp, ts, 8e9 * (1 - s.memory))
        fs = {**exp, "mountpoint": "/", "fstype": "ext4", "device": "sda1"}
        self._point("perfstack_filesystem_size_bytes", "gauge", fs, ts, 1e11)
        self._point("perfstack_filesystem_avail_bytes", "gauge", fs, ts, 1e11 * (1 - s.disk_used))
        self._count("perfstack_disk_read_bytes", {**exp, "device": "sda"}, ts, 1e6 * dt)
        self._count("perfstack_disk_written_bytes", {**exp, "device": "sda"}, ts, 2e6 * dt)
        for dev, rate in (("eth0", 1e6), ("lo", 5e8)):
            self._count("perfstack_network_receive_bytes", {**exp, "device": dev}, ts, rate * dt)
            self._count("perfstack_network_transmit_bytes", {**exp, "device": dev}, ts, rate * dt)
        for labels in (exp, gen):
            self._point("up", "gauge", labels, ts, 1.0)
        if s.run:
            run_id, profile, stage = s.run
            self._point("loadgen_run_info", "gauge", {**gen, "run_id": run_id, "profile": profile, "stage": stage},
                        ts, 1.0)

    def render(self) -> str:
        """Return the whole history as OpenMetrics text ending in ``# EOF``."""
        parts = []
        for name, fam in sorted(self.families.items()):
            if fam.mtype == "counter":
                parts.append(openmetrics_series(name, "counter", [(dict(k), pts) for k, pts in fam.series.items()]))
            elif fam.mtype == "gauge":
                parts.append(openmetrics_series(name, "gauge", [(dict(k), pts) for k, pts in fam.series.items()]))
            else:
                parts.append(_histogram_text(name, fam))
        return "".join(parts) + "# EOF\n"


def _le(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(float(value))


def _histogram_text(name: str, fam: _Family) -> str:
    out = [f"# HELP {name} backfilled", f"# TYPE {name} histogram"]
    for key, pts in fam.series.items():
        labels = dict(key)
        suffix = labels.pop("__suffix__", "_bucket")
        lbl = "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
        out += [f"{name}{suffix}{lbl} {v!r} {ts:.3f}" for ts, v in pts]
    return "\n".join(out) + "\n"
