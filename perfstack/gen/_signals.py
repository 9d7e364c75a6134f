"""Synthetic input series for promtool unit tests: what a host or service at a given level emits.

A signal maps ``(level, traffic, minutes)`` to tracks, one per series. ``level`` is in the space
of the alert's ``$value`` (a ratio, seconds, bytes/s), ``traffic`` is requests per second and
``minutes`` the length of the phase, which ramps need so the level holds at the check minute
(the phase's last but one sample). Pure functions; :mod:`perfstack.gen.rule_tests` strings
phases together and writes promtool's expanding notation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Track", "Signal", "Phase", "input_series", "pick_p95", "HTTP_BUCKETS", "DB_BUCKETS", "APP", "EXPORTER", "LOADGEN",
    "http_errors", "http_latency", "http_latency_ratio", "loadgen_timeouts", "loadgen_failures", "server_timeouts", "cpu", "memory",
    "disk_io", "network_io", "db_latency", "cache_hits", "memory_ramp", "filesystem_ramp", "target_up",
]


@dataclass(frozen=True)
class Track:
    """One series over one phase: a counter growing ``step`` per minute, or a gauge ``start + step*i``."""

    counter: bool
    step: float
    start: float = 0.0


Signal = Callable[[float, float, int], dict[str, Track]]

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DB_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
APP = {"job": "app", "instance": "demo:8000"}
EXPORTER = {"job": "exporter", "instance": "host:9101"}
LOADGEN = {"job": "loadgen", "instance": "loadgen:9102"}
_MEMORY_TOTAL = 8e9
_FS_SIZE = 100e9


def series(name: str, labels: Mapping[str, str]) -> str:
    """Return ``name{k="v",...}`` as promtool expects it."""
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{inner}}}"


def _counter(per_second: float) -> Track:
    return Track(counter=True, step=per_second * 60)


def _gauge(value: float) -> Track:
    return Track(counter=False, step=0.0, start=value)


def _split_for_p95(edges: tuple[float, ...], p95: float) -> tuple[int, float]:
    """Return (bucket index, share of observations in it) so histogram_quantile(0.95) == p95.

    The rest of the observations sit in the lowest bucket; with share p in bucket (lo, hi] the
    interpolated p95 is lo + (hi - lo) * (1 - 0.05 / p).
    """
    for i in range(1, len(edges)):
        lo, hi = edges[i - 1], edges[i]
        if lo < p95 <= hi:
            x = (p95 - lo) / (hi - lo)
            if x > 0.95:
                break
            return i, 0.05 / (1 - x)
    raise ValueError(f"cannot place a p95 of {p95}s inside the histogram buckets {edges}; "
                     "pick thresholds that are not within 5% below a bucket edge")


def pick_p95(edges: tuple[float, ...], preferred: float, low: float, high: float) -> float:
    """Return a p95 strictly between ``low`` and ``high`` that a histogram with ``edges`` can show.

    ``preferred`` when it can be placed, else the in-range point of a bucket (at a quarter, half,
    three quarters or nine tenths of it) closest to it; raises ``ValueError`` when the buckets
    leave no room (a threshold beyond the last finite bucket).
    """
    def placeable(p: float) -> bool:
        try:
            _split_for_p95(edges, p)
        except ValueError:
            return False
        return low < p < high

    if placeable(preferred):
        return preferred
    points = [edges[i - 1] + (edges[i] - edges[i - 1]) * k for i in range(1, len(edges)) for k in (0.25, 0.5, 0.75, 0.9)]
    fitting = [p for p in points if placeable(p)]
    if not fitting:
        span = f"above {low:g}s" if math.isinf(high) else f"between {low:g}s and {high:g}s"
        raise ValueError(f"no p95 {span} fits the buckets {list(edges)}")
    return min(fitting, key=lambda p: abs(p - preferred))


def _histogram(name: str, labels: Mapping[str, str], edges: tuple[float, ...], p95: float,
               per_second: float) -> dict[str, Track]:
    index, share = _split_for_p95(edges, p95)
    out: dict[str, Track] = {}
    for i, edge in enumerate(edges):
        below = (1 - share) if i < index else 1.0
        out[series(f"{name}_bucket", {**labels, "le": repr(edge)})] = _counter(per_second * below)
    out[series(f"{name}_bucket", {**labels, "le": "+Inf"})] = _counter(per_second)
    out[series(f"{name}_count", labels)] = _counter(per_second)
    return out


_ROUTE = {"method": "GET", "route": "/api/items"}


def http_errors(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return an app answering ``level`` of its requests with 500, the rest with 200."""
    name = "http_server_request_duration_seconds_count"
    return {
        series(name, {**APP, **_ROUTE, "status": "200"}): _counter(traffic * (1 - level)),
        series(name, {**APP, **_ROUTE, "status": "500"}): _counter(traffic * level),
    }


def http_latency(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return an app whose request latency p95 is ``level`` seconds."""
    return _histogram("http_server_request_duration_seconds", {**APP, **_ROUTE, "status": "200"},
                      HTTP_BUCKETS, level, traffic)


def http_latency_ratio(baseline_seconds: float) -> Signal:
    """Return a signal whose level is p95 as a multiple of ``baseline_seconds``."""

    def signal(level: float, traffic: float, minutes: int) -> dict[str, Track]:
        return http_latency(level * baseline_seconds, traffic, minutes)

    return signal


def loadgen_timeouts(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return a load generator whose requests time out (``level`` of them) or succeed."""
    name = "loadgen_requests_total"
    base = {**LOADGEN, "endpoint": "items", "method": "GET"}
    return {
        series(name, {**base, "status": "200", "outcome": "success"}): _counter(traffic * (1 - level) * 0.5),
        series(name, {**base, "status": "0", "outcome": "timeout"}): _counter(traffic * level * 0.5),
        series(name, {**base, "status": "504", "outcome": "http_error"}): _counter(traffic * level * 0.5),
        series(name, {**base, "status": "500", "outcome": "http_error"}): _counter(traffic * (1 - level) * 0.5),
    }


def loadgen_failures(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return a load generator whose requests fail (``level`` of them, every failure kind) or succeed."""
    name = "loadgen_requests_total"
    base = {**LOADGEN, "endpoint": "items", "method": "GET"}
    return {
        series(name, {**base, "status": "200", "outcome": "success"}): _counter(traffic * (1 - level)),
        series(name, {**base, "status": "503", "outcome": "http_error"}): _counter(traffic * level * 0.25),
        series(name, {**base, "status": "0", "outcome": "timeout"}): _counter(traffic * level * 0.25),
        series(name, {**base, "status": "0", "outcome": "connection_error"}): _counter(traffic * level * 0.25),
        series(name, {**base, "status": "200", "outcome": "check_failed"}): _counter(traffic * level * 0.25),
    }


def server_timeouts(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return an app answering ``level`` of its requests with 504 Gateway Timeout."""
    name = "http_server_request_duration_seconds_count"
    return {
        series(name, {**APP, **_ROUTE, "status": "200"}): _counter(traffic * (1 - level)),
        series(name, {**APP, **_ROUTE, "status": "504"}): _counter(traffic * level),
    }


def cpu(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return a two-CPU host busy ``level`` of the time (iowait counts as idle, as in node-mixin)."""
    out = {}
    for core in ("0", "1"):
        out[series("perfstack_cpu_seconds_total", {**EXPORTER, "cpu": core, "mode": "user"})] = _counter(level)
        out[series("perfstack_cpu_seconds_total", {**EXPORTER, "cpu": core, "mode": "idle"})] = _counter((1 - level) * 0.8)
        out[series("perfstack_cpu_seconds_total", {**EXPORTER, "cpu": core, "mode": "iowait"})] = _counter((1 - level) * 0.2)
    return out


def memory(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return a host with ``level`` of its memory in use."""
    return {
        series("perfstack_memory_total_bytes", EXPORTER): _gauge(_MEMORY_TOTAL),
        series("perfstack_memory_available_bytes", EXPORTER): _gauge(_MEMORY_TOTAL * (1 - level)),
    }


def disk_io(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return a host reading a quarter and writing three quarters of ``level`` bytes/s."""
    return {
        series("perfstack_disk_read_bytes_total", {**EXPORTER, "device": "sda"}): _counter(level * 0.25),
        series("perfstack_disk_written_bytes_total", {**EXPORTER, "device": "sda"}): _counter(level * 0.75),
    }


def network_io(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return a host moving ``level`` bytes/s on eth0, plus heavy loopback traffic that must not count."""
    return {
        series("perfstack_network_receive_bytes_total", {**EXPORTER, "device": "eth0"}): _counter(level * 0.6),
        series("perfstack_network_transmit_bytes_total", {**EXPORTER, "device": "eth0"}): _counter(level * 0.4),
        series("perfstack_network_receive_bytes_total", {**EXPORTER, "device": "lo"}): _counter(1e9),
        series("perfstack_network_transmit_bytes_total", {**EXPORTER, "device": "lo"}): _counter(1e9),
    }


def db_latency(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return an app whose database operations have a p95 of ``level`` seconds."""
    return _histogram("db_client_operation_duration_seconds",
                      {**APP, "system": "postgresql", "operation": "SELECT"}, DB_BUCKETS, level, traffic)


def cache_hits(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return an app whose cache lookups hit ``level`` of the time."""
    return {
        series("cache_requests_total", {**APP, "cache": "redis", "result": "hit"}): _counter(traffic * level),
        series("cache_requests_total", {**APP, "cache": "redis", "result": "miss"}): _counter(traffic * (1 - level)),
    }


def _ramp(size: float, level: float, minutes: int, horizon_minutes: float) -> Track:
    """Return free space falling from half of ``size`` so that, at the check minute (``minutes - 1``),
    the linear prediction ``horizon_minutes`` ahead is ``level`` of ``size`` in use; level 0.5 is flat."""
    start = size * 0.5
    drop = (start - (1 - level) * size) / (minutes - 1 + horizon_minutes)
    return Track(counter=False, step=-drop, start=start)


def memory_ramp(horizon_minutes: float) -> Signal:
    """Return a memory leak signal whose level is the projected utilisation at the horizon."""

    def signal(level: float, traffic: float, minutes: int) -> dict[str, Track]:
        return {
            series("perfstack_memory_total_bytes", EXPORTER): _gauge(_MEMORY_TOTAL),
            series("perfstack_memory_available_bytes", EXPORTER): _ramp(_MEMORY_TOTAL, level, minutes, horizon_minutes),
        }

    return signal


FILESYSTEM = {"device": "/dev/sda1", "fstype": "ext4", "mountpoint": "/"}


def filesystem_ramp(horizon_minutes: float) -> Signal:
    """Return a filling disk whose level is the projected use at the horizon; a filling tmpfs must not count."""
    tmpfs = {**EXPORTER, "device": "tmpfs", "fstype": "tmpfs", "mountpoint": "/dev/shm"}

    def signal(level: float, traffic: float, minutes: int) -> dict[str, Track]:
        return {
            series("perfstack_filesystem_size_bytes", {**EXPORTER, **FILESYSTEM}): _gauge(_FS_SIZE),
            series("perfstack_filesystem_avail_bytes", {**EXPORTER, **FILESYSTEM}):
                _ramp(_FS_SIZE, level, minutes, horizon_minutes),
            series("perfstack_filesystem_size_bytes", tmpfs): _gauge(1e9),
            series("perfstack_filesystem_avail_bytes", tmpfs): _ramp(1e9, 2.0, minutes, horizon_minutes),
        }

    return signal


def target_up(level: float, traffic: float, minutes: int) -> dict[str, Track]:
    """Return ``up`` = level for the exporter; the load generator's target is down and must not count."""
    return {series("up", EXPORTER): _gauge(level), series("up", LOADGEN): _gauge(0.0)}


@dataclass(frozen=True)
class Phase:
    """A stretch of ``samples`` steps at one level and request rate."""

    level: float
    traffic: float
    samples: int


def _fmt(value: float) -> str:
    return f"{value:.12g}"


def _segment(first: float, step: float, count: int) -> str:
    sign = "+" if step >= 0 else "-"
    return f"{_fmt(first)}{sign}{_fmt(abs(step))}x{count - 1}"


def input_series(signal: Signal, phases: Sequence[Phase], step_minutes: int = 1) -> list[dict[str, str]]:
    """Render phases of a signal as promtool input series: one sample per step from time 0."""
    per_series: dict[str, list[tuple[Track, int]]] = {}
    for phase in phases:
        for name, track in signal(phase.level, phase.traffic, phase.samples).items():
            per_sample = Track(track.counter, track.step * step_minutes, track.start)
            per_series.setdefault(name, []).append((per_sample, phase.samples))
    out = []
    for name, tracks in per_series.items():
        if len(tracks) != len(phases):
            raise ValueError(f"series {name} is missing from some phases")
        parts = ["0" if tracks[0][0].counter else _fmt(tracks[0][0].start)]
        total = 0.0
        for track, minutes in tracks:
            if track.counter:
                parts.append(_segment(total + track.step, track.step, minutes))
                total += track.step * minutes
            else:
                parts.append(_segment(track.start + track.step, track.step, minutes))
        out.append({"series": name, "values": " ".join(parts)})
    return out
